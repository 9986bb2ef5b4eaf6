import type { z } from 'zod';
import { type Binding, dtMeta, isOptional, type RegEntry, standardProperties } from '../../schemas/bindings/dt.js';
import type { DtNode, DtProperty, DtTree } from '../dts/tree.js';
import { resolvePhandle } from '../dts/values.js';
import { diagnostic } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import { closest } from '../diagnostics/suggest.js';
import { modelMessages as M } from './messages.js';
import { childCells, PropertyReader } from './props.js';
import { withArticle } from '../util/text.js';

/** Where each decoded property came from: its name, its whole value, and each element of an array. */
export interface PropertySpans {
  name: Span;
  value: Span;
  items: Span[];
}

export interface DecodedNode<T> {
  /** The decoded, validated properties; undefined when any property was missing or wrong. */
  values?: T;
  /**
   * When `values` is undefined but every wrong property is optional: the others, decoded, the wrong ones left
   * out (reported). For a node without which nothing else could be read (/hypervisor), so that `hvcc map`
   * and the checks still see the rest of the description.
   */
  partial?: T;
  spans: Map<string, PropertySpans>;
}

const KIND_TEXT: Record<string, string> = {
  string: 'a string',
  'string-list': 'a list of strings',
  u32: 'one 32-bit cell, e.g. <24000000>',
  u64: 'a number in one or two cells, e.g. <0x0 0x48000000>',
  'u32-array': 'a list of 32-bit cells',
  interrupts: "interrupt specifiers, in the interrupt controller's #interrupt-cells",
  phandle: 'one phandle, a reference to a node: <&label>',
  'phandle-array': 'a list of phandles, e.g. <&cpu0 &cpu1>',
  reg: "address/size pairs in the parent's #address-cells/#size-cells",
  flag: 'empty (a property with no value)',
  any: 'anything',
};

/** A bound a value broke, in words ("must have at least 1 entry"), rather than the schema library's. */
function boundText(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'too_small' && issue.code !== 'too_big') return undefined;
  const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
  const least = issue.code === 'too_small' ? 'at least' : 'at most';
  const n = typeof bound === 'bigint' ? (bound > 4096n ? `0x${bound.toString(16)}` : bound.toString()) : String(bound);
  switch (issue.origin) {
    case 'array':
      return `must have ${least} ${n} ${n === '1' ? 'entry' : 'entries'}`;
    case 'string':
      return issue.code === 'too_small' && n === '1' ? 'must not be empty' : `must be ${least} ${n} characters long`;
    case 'number':
    case 'bigint':
      return `must be ${least} ${n}`;
    default:
      return undefined;
  }
}

/** Maps a child-bus address to the root's address space through each ancestor's `ranges`. */
export function translateAddress(reader: PropertyReader, bus: DtNode | undefined, address: bigint): bigint {
  let addr = address;
  for (let node = bus; node?.parent; node = node.parent) {
    const ranges = reader.find(node, 'ranges');
    if (!ranges || reader.isEmpty(ranges)) continue;
    const own = childCells(node);
    const up = childCells(node.parent);
    const entries = reader.tuples(ranges, [own.address, up.address, own.size], "'ranges'") ?? [];
    const hit = entries.find((e) => addr >= e.values[0]! && addr < e.values[0]! + e.values[2]!);
    if (hit) addr = addr - hit.values[0]! + hit.values[1]!;
  }
  return addr;
}

/**
 * Decodes a node's properties as its binding says, then validates them with the binding's zod schema.
 * Every problem is a diagnostic on the property (or on the node, for a missing one); unknown properties
 * are warnings with a "did you mean" when `warnUnknown` (hvcc's own nodes and emulated devices).
 */
export function decodeNode<S extends z.ZodRawShape>(
  tree: DtTree,
  node: DtNode,
  binding: Binding<S>,
  reader: PropertyReader,
  options: { warnUnknown: boolean; translate: boolean },
): DecodedNode<z.infer<z.ZodObject<S>>> {
  const shape = binding.properties.shape as unknown as Record<string, z.ZodType>;
  const raw: Record<string, unknown> = {};
  const spans = new Map<string, PropertySpans>();
  let failed = false;
  const wrong = (prop: DtProperty, expected: string) => {
    failed = true;
    reader.diagnostics.push(diagnostic(M.propertyType, `${node.path}: '${prop.name}' must be ${expected}`, reader.spanOf(prop)));
  };

  for (const prop of node.properties) {
    const schema = shape[prop.name];
    if (!schema) {
      if (options.warnUnknown && !(standardProperties as readonly string[]).includes(prop.name)) {
        const suggestion = closest(prop.name, Object.keys(shape));
        reader.diagnostics.push(
          diagnostic(M.unknownProperty, `${node.path}: '${prop.name}' is not a property of ${binding.title.replace(/^(A|An|The) /, (w) => w.toLowerCase())}`, prop.span, suggestion ? { help: `did you mean '${suggestion}'?` } : { notes: [`its properties: ${Object.keys(shape).join(', ')}`] }),
        );
      }
      continue;
    }
    const kind = dtMeta(schema)?.dt ?? 'any';
    const valueSpan = reader.spanOf(prop);
    const entry: PropertySpans = { name: prop.span, value: valueSpan, items: [] };
    spans.set(prop.name, entry);
    const cellsOf = () => {
      if (prop.chunks.length === 0 || prop.chunks.some((c) => c.kind !== 'cells' || c.bits !== 32)) return undefined;
      return prop.chunks.flatMap((c) => (c.kind === 'cells' ? c.items : []));
    };
    switch (kind) {
      case 'string':
      case 'string-list': {
        if (prop.chunks.length === 0 || prop.chunks.some((c) => c.kind !== 'string')) {
          wrong(prop, KIND_TEXT[kind]!);
          break;
        }
        const list = prop.chunks.map((c) => (c.kind === 'string' ? c.value : ''));
        entry.items = prop.chunks.map((c) => c.span);
        if (kind === 'string' && list.length !== 1) wrong(prop, 'a single string');
        else raw[prop.name] = kind === 'string' ? list[0] : list;
        break;
      }
      case 'u32':
      case 'u64':
      case 'u32-array':
      case 'interrupts': {
        const cells = cellsOf();
        if (!cells || (kind === 'u32' && cells.length !== 1) || (kind === 'u64' && cells.length !== 1 && cells.length !== 2)) {
          wrong(prop, KIND_TEXT[kind]!);
          break;
        }
        entry.items = cells.map((c) => c.span);
        if (kind === 'u64') raw[prop.name] = cells.length === 1 ? cells[0]!.value : (cells[0]!.value << 32n) | cells[1]!.value;
        else if (kind === 'u32') raw[prop.name] = Number(cells[0]!.value);
        else raw[prop.name] = cells.map((c) => Number(c.value));
        break;
      }
      case 'phandle':
      case 'phandle-array': {
        const cells = cellsOf();
        if (!cells || cells.length === 0 || (kind === 'phandle' && cells.length !== 1)) {
          wrong(prop, KIND_TEXT[kind]!);
          break;
        }
        const paths: string[] = [];
        for (const cell of cells) {
          const target = cell.value > 0n && cell.value < 0xffff_ffffn ? resolvePhandle(tree, Number(cell.value)) : undefined;
          if (!target) {
            failed = true;
            reader.diagnostics.push(diagnostic(M.badReference, `${node.path}: '${prop.name}' refers to phandle ${cell.value}, which no node has`, cell.span));
            continue;
          }
          paths.push(target.path);
          entry.items.push(cell.span);
        }
        raw[prop.name] = kind === 'phandle' ? paths[0] : paths;
        break;
      }
      case 'reg': {
        const cells = childCells(node.parent ?? node);
        const tuples = reader.tuples(prop, [cells.address, cells.size], `'${prop.name}'`);
        if (!tuples) {
          failed = true;
          break;
        }
        const entries: RegEntry[] = [];
        let empty = false;
        for (const t of tuples) {
          const [base, size] = t.values as [bigint, bigint];
          if (size === 0n) {
            failed = empty = true;
            reader.diagnostics.push(diagnostic(M.propertyType, `${node.path}: ${withArticle(`'${prop.name}'`)} entry has size 0`, t.span));
            continue;
          }
          entries.push({ base: options.translate ? translateAddress(reader, node.parent, base) : base, size });
          entry.items.push(t.span);
        }
        // With an entry reported, the property is not checked again (for having too few entries).
        if (!empty) raw[prop.name] = entries;
        break;
      }
      case 'flag':
        if (prop.chunks.length !== 0) wrong(prop, KIND_TEXT.flag!);
        else raw[prop.name] = true;
        break;
      default:
        raw[prop.name] = prop.chunks;
    }
  }

  const parsed = binding.properties.safeParse(raw);
  if (!parsed.success) {
    failed = true;
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '');
      const schema = shape[name];
      const span = spans.get(name);
      if (schema && raw[name] === undefined) {
        if (span) continue; // present but undecodable: already reported
        if (isOptional(schema)) continue;
        const meta = dtMeta(schema);
        reader.diagnostics.push(
          // An `any` property's kind says nothing ("anything"): its description, in the note, says what it is.
          diagnostic(M.missingProperty, `${node.path} needs ${withArticle(`'${name}'`)} property${(meta?.dt ?? 'any') === 'any' ? '' : `: ${KIND_TEXT[meta!.dt]}`}`, node.span, { notes: meta ? [`${name}: ${meta.description}`] : [] }),
        );
        continue;
      }
      const at = span ? (typeof issue.path[1] === 'number' ? (span.items[issue.path[1]] ?? span.value) : span.value) : node.span;
      const extras: { help?: string } = {};
      if (issue.code === 'invalid_value' && typeof raw[name] === 'string') {
        const values = (issue as { values?: unknown[] }).values?.map(String) ?? [];
        const suggestion = closest(raw[name] as string, values);
        if (suggestion) extras.help = `did you mean "${suggestion}"?`;
        reader.diagnostics.push(diagnostic(M.propertyValue, `${node.path}: '${name}' must be one of ${values.map((v) => `"${v}"`).join(', ')}`, at, extras));
        continue;
      }
      if (issue.code === 'invalid_value' && typeof raw[name] === 'number') {
        const values = (issue as { values?: unknown[] }).values?.map(String) ?? [];
        reader.diagnostics.push(diagnostic(M.propertyValue, `${node.path}: '${name}' must be ${values.length === 2 ? values.join(' or ') : `one of ${values.join(', ')}`}`, at));
        continue;
      }
      const bound = boundText(issue);
      reader.diagnostics.push(diagnostic(M.propertyValue, bound ? `${node.path}: '${name}' ${bound}` : `${node.path}: '${name}': ${issue.message}`, at));
    }
  }
  if (!failed && parsed.success) return { values: parsed.data, spans };
  const wrongNames = new Set([...Object.keys(shape).filter((name) => spans.has(name) && raw[name] === undefined), ...(parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0] ?? '')))]);
  if ([...wrongNames].every((name) => shape[name] !== undefined && isOptional(shape[name]!))) {
    const rest = binding.properties.safeParse(Object.fromEntries(Object.entries(raw).filter(([name]) => !wrongNames.has(name))));
    if (rest.success) return { spans, partial: rest.data };
  }
  return { spans };
}
