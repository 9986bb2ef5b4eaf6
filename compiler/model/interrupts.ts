import type { BindingSet } from '../../schemas/bindings/dt.js';
import type { Interrupt } from '../../schemas/model.js';
import type { DtNode, DtTree } from '../dts/tree.js';
import { asStringList, asU32Array, getProperty, resolvePhandle } from '../dts/values.js';
import type { Span } from '../diagnostics/span.js';

/**
 * Decoding `interrupts` through the interrupt controller they go to: the controller's binding says what each
 * cell of a specifier means (`#interrupt-cells`), so the rest of the compiler sees {controller, number,
 * kind, trigger} and never counts cells itself.
 */

/** The node a node's interrupts go to: `interrupt-parent` on it or its nearest ancestor, up to `top`. */
export function interruptParent(tree: DtTree, node: DtNode, top: DtNode | undefined): DtNode | undefined {
  for (let n: DtNode | undefined = node; n; n = n.parent) {
    const p = getProperty(n, 'interrupt-parent');
    const cells = p ? asU32Array(p) : undefined;
    if (cells && cells.length === 1) return resolvePhandle(tree, cells[0]!);
    if (n === top) break;
  }
  return undefined;
}

/** The first interrupt controller in a subtree (a guest's own, when it names none with interrupt-parent). */
export function firstInterruptController(node: DtNode): DtNode | undefined {
  for (const c of node.children) {
    if (getProperty(c, 'interrupt-controller')) return c;
    const deeper = firstInterruptController(c);
    if (deeper) return deeper;
  }
  return undefined;
}

/**
 * Decodes `cells` (with a span for each) as the specifiers of `controller`, read through its binding in `role`.
 * A controller the bindings say nothing about, a cell count that is not a multiple of its #interrupt-cells, or
 * a kind or number its binding does not allow comes back as an Interrupt with a `problem`.
 */
/** The IRQ_TYPE_* values of an interrupt specifier's flags (include/dt-bindings/interrupt-controller/irq.h). */
const TRIGGER: Record<number, string> = { 0: 'none', 1: 'edge, rising', 2: 'edge, falling', 3: 'edge, both', 4: 'level, high', 8: 'level, low' };

export function decodeInterrupts(
  controller: DtNode | undefined,
  cells: readonly { value: number; span: Span }[],
  bindings: BindingSet,
  role: 'host-device' | 'guest-device',
  fallback: Span,
): Interrupt[] {
  const spanOf = (from: number, to: number): Span => {
    const first = cells[from]?.span ?? fallback;
    const last = cells[Math.min(to, cells.length) - 1]?.span ?? first;
    return { file: first.file, start: first.start, end: last.end };
  };
  const raw = cells.map((c) => c.value);
  if (!controller) {
    return [{ controller: '', cells: raw, id: 0, number: 0, flags: 0, problem: 'no interrupt controller', span: spanOf(0, cells.length) }];
  }
  const compatible = (() => {
    const p = getProperty(controller, 'compatible');
    return p ? (asStringList(p) ?? []) : [];
  })();
  const spec = bindings.forCompatible(role, compatible)?.interruptSpecifier;
  const declared = getProperty(controller, '#interrupt-cells');
  const width = (declared && asU32Array(declared)?.[0]) ?? spec?.cells.length ?? 0;
  const problem = (text: string): Interrupt[] => [{ controller: controller.path, cells: raw, id: 0, number: 0, flags: 0, problem: text, span: spanOf(0, cells.length) }];
  if (!spec) return problem(`its interrupt controller ${controller.path} (${compatible.map((c) => `"${c}"`).join(', ') || 'no compatible'}) has no binding that says how its specifiers read`);
  if (width !== spec.cells.length) return problem(`${controller.path} declares #interrupt-cells = <${width}>, but its binding reads ${spec.cells.length} cells (${spec.cells.join(', ')})`);
  if (raw.length % width !== 0) return problem(`'interrupts' has ${raw.length} cells; ${controller.path} takes ${width} per interrupt (${spec.cells.join(', ')})`);
  const at = (name: string) => spec.cells.indexOf(name);
  const out: Interrupt[] = [];
  for (let i = 0; i < raw.length; i += width) {
    const one = raw.slice(i, i + width);
    const number = one[at(spec.number)]!;
    const flags = spec.flags !== undefined ? one[at(spec.flags)]! & 0xf : 0;
    const entry: Interrupt = { controller: controller.path, cells: one, id: number, number, flags, span: spanOf(i, i + width) };
    if (spec.kind) {
      const kindValue = one[at(spec.kind.cell)]!;
      const kind = spec.kind.values[String(kindValue)];
      if (!kind) {
        const known = Object.entries(spec.kind.values).map(([v, k]) => `${k.name} (${v})`).join(', ');
        entry.problem = `interrupt ${spec.kind.cell} ${kindValue} is not one ${controller.path} has: ${known}`;
      } else {
        entry.kind = kind.name;
        entry.id = kind.base + number;
        if (number > kind.max) entry.problem = `${kind.name} ${number} does not exist (${kind.name}s are 0-${kind.max})`;
        // The controller refuses other trigger types for the kind (its binding's `triggers`; a guest OS's driver
    // would refuse the interrupt).
        else if (kind.triggers && !kind.triggers.includes(flags)) entry.problem = `${kind.name} ${number} has trigger flags ${flags} (${TRIGGER[flags] ?? 'not an IRQ_TYPE_* value'}), which ${controller.path} does not take: ${kind.triggers.map((t) => `${t} (${TRIGGER[t] ?? '?'})`).join(', ')}`;
      }
    } else if (spec.max !== undefined && number > spec.max) {
      entry.problem = `interrupt ${number} does not exist (${controller.path} has 0-${spec.max})`;
    }
    out.push(entry);
  }
  return out;
}
