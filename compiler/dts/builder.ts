import type { DtNode, DtProperty, DtValueChunk } from './tree.js';
import type { Span } from '../diagnostics/span.js';

/** Makes the nodes and properties of a generated device tree, every piece pointing at one source span. */
export class TreeBuilder {
  constructor(private readonly span: Span) {}

  node(name: string, properties: DtProperty[], children: DtNode[] = []): DtNode {
    const at = name.indexOf('@');
    const n: DtNode = {
      name: at < 0 ? name : name.slice(0, at),
      fullName: name,
      path: '',
      labels: [],
      properties,
      children,
      span: this.span,
    };
    if (at >= 0) n.unitAddress = name.slice(at + 1);
    return n;
  }

  private prop(name: string, chunks: DtValueChunk[]): DtProperty {
    return { name, labels: [], span: this.span, chunks };
  }

  cells(name: string, values: (bigint | number)[]): DtProperty {
    return this.prop(name, [{ kind: 'cells', bits: 32, items: values.map((v) => ({ value: BigInt(v), span: this.span })), span: this.span }]);
  }

  /** Numbers of `width` cells each (high word first). */
  wide(name: string, widths: number[], values: bigint[]): DtProperty {
    return this.cells(
      name,
      values.flatMap((v, i) => {
        const w = widths[i % widths.length]!;
        return Array.from({ length: w }, (_, k) => (v >> BigInt(32 * (w - 1 - k))) & 0xffff_ffffn);
      }),
    );
  }

  strings(name: string, ...values: string[]): DtProperty {
    return this.prop(
      name,
      values.map((v) => ({ kind: 'string' as const, value: v, bytes: new Uint8Array(Buffer.from(v, 'utf8')), span: this.span })),
    );
  }

  empty(name: string): DtProperty {
    return this.prop(name, []);
  }
}
