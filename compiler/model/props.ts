import type { DtNode, DtProperty, DtValueChunk } from '../dts/tree.js';
import { addressCells, sizeCells } from '../dts/values.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import { modelMessages as M } from './messages.js';
import { withArticle } from '../util/text.js';

/**
 * Typed reads of device-tree properties for the model builder. Each read reports a located, coded
 * diagnostic when the property is missing or has the wrong shape, and returns undefined.
 */
export class PropertyReader {
  constructor(readonly diagnostics: Diagnostic[]) {}

  find(node: DtNode, name: string): DtProperty | undefined {
    return node.properties.find((p) => p.name === name);
  }

  spanOf(prop: DtProperty): Span {
    return prop.valueSpan ?? prop.span;
  }

  private wrong(prop: DtProperty, expected: string): undefined {
    this.diagnostics.push(diagnostic(M.propertyType, `property '${prop.name}' must be ${expected}`, this.spanOf(prop), { related: [{ span: prop.span, message: 'property defined here' }] }));
    return undefined;
  }

  missing(node: DtNode, name: string, expected: string): undefined {
    this.diagnostics.push(diagnostic(M.missingProperty, `${node.path} needs ${withArticle(`'${name}'`)} property (${expected})`, node.span));
    return undefined;
  }

  strings(prop: DtProperty): string[] | undefined {
    if (prop.chunks.length === 0 || prop.chunks.some((c) => c.kind !== 'string')) return this.wrong(prop, 'a string or a list of strings');
    return prop.chunks.map((c) => (c as Extract<DtValueChunk, { kind: 'string' }>).value);
  }

  string(prop: DtProperty): string | undefined {
    const list = this.strings(prop);
    if (list === undefined) return undefined;
    if (list.length !== 1) return this.wrong(prop, 'a single string');
    return list[0];
  }

  /** 32-bit cells of one or more `< >` groups. */
  cells(prop: DtProperty): { value: bigint; ref?: string; span: Span }[] | undefined {
    if (prop.chunks.some((c) => c.kind !== 'cells' || c.bits !== 32)) return this.wrong(prop, 'a list of 32-bit cells (< ... >)');
    return prop.chunks.flatMap((c) => (c.kind === 'cells' ? c.items : []));
  }

  /** A number written as 1 or 2 cells (2 cells: high word first). */
  number(prop: DtProperty): bigint | undefined {
    const cells = this.cells(prop);
    if (!cells) return undefined;
    if (cells.length === 1) return cells[0]!.value;
    if (cells.length === 2) return (cells[0]!.value << 32n) | cells[1]!.value;
    return this.wrong(prop, 'a number of one or two cells');
  }

  /** Groups of `width` cells, each combined into one number. */
  tuples(prop: DtProperty, widths: number[], what: string): { values: bigint[]; span: Span }[] | undefined {
    const cells = this.cells(prop);
    if (!cells) return undefined;
    const stride = widths.reduce((a, b) => a + b, 0);
    if (stride === 0 || cells.length === 0 || cells.length % stride !== 0) {
      return this.wrong(prop, `${what}: groups of ${stride} cells (${widths.join(' + ')}), as #address-cells/#size-cells say`);
    }
    const out: { values: bigint[]; span: Span }[] = [];
    for (let i = 0; i < cells.length; i += stride) {
      const values: bigint[] = [];
      let at = i;
      for (const w of widths) {
        let v = 0n;
        for (let k = 0; k < w; k++) v = (v << 32n) | cells[at + k]!.value;
        values.push(v);
        at += w;
      }
      const first = cells[i]!.span;
      const last = cells[i + stride - 1]!.span;
      out.push({ values, span: { file: first.file, start: first.start, end: last.end } });
    }
    return out;
  }

  isEmpty(prop: DtProperty): boolean {
    return prop.chunks.length === 0;
  }
}

/** #address-cells / #size-cells a node gives its children (the devicetree specification's defaults, as dtc). */
export function childCells(node: DtNode): { address: number; size: number } {
  return { address: addressCells(node), size: sizeCells(node) };
}
