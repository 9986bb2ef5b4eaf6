import type { Guest } from '../../schemas/model.js';
import type { DtNode } from '../dts/tree.js';
import type { Span } from '../diagnostics/span.js';
import { guestBinding } from '../../schemas/bindings/hvcc.js';

/**
 * Properties of a guest node that are hvcc's (they configure the guest) rather than the guest's hardware: its
 * binding's, except `interrupt-parent`, which the guest's own tree keeps.
 */
export const HVCC_GUEST_PROPERTIES = new Set([
  ...Object.keys(guestBinding.properties.shape).filter((name) => name !== 'interrupt-parent'),
  'compatible',
  'phandle',
  'linux,phandle',
  'status',
]);

/** A reference from inside the guest's subtree to a node outside it: the guest cannot see that node. */
export interface OutsideReference {
  node: string;
  property: string;
  target: string;
  span: Span;
}

/** For each node of the guest (by path), the properties that are the hypervisor's: not in the guest's tree. */
export function hostOnlyByNode(guest: Guest): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const d of guest.devices) if (d.hostOnly.length > 0) out.set(d.path, new Set(d.hostOnly));
  for (const w of guest.shared) out.set(w.path, new Set(['memory-region']));
  return out;
}

/** Every phandle reference in the subtree that leaves it (but those the hypervisor reads and drops). */
export function outsideReferences(guest: Guest): OutsideReference[] {
  const hostOnly = hostOnlyByNode(guest);
  const inside = new Set<number>();
  const walk = (n: DtNode, f: (n: DtNode) => void) => {
    f(n);
    n.children.forEach((c) => walk(c, f));
  };
  walk(guest.node, (n) => {
    if (n.phandle !== undefined) inside.add(n.phandle);
  });
  const out: OutsideReference[] = [];
  const undecoded = new Set(guest.undecoded);
  walk(guest.node, (n) => {
    // Its binding's error is reported; which of its properties are the hypervisor's is not known.
    if (undecoded.has(n.path)) return;
    for (const p of n.properties) {
      if (n === guest.node && HVCC_GUEST_PROPERTIES.has(p.name)) continue;
      if (hostOnly.get(n.path)?.has(p.name)) continue;
      for (const c of p.chunks) {
        if (c.kind === 'cells') for (const item of c.items) if (item.ref !== undefined && !inside.has(Number(item.value))) out.push({ node: n.path, property: p.name, target: item.ref, span: item.span });
        if (c.kind === 'path-ref' && !c.path.startsWith(guest.node.path)) out.push({ node: n.path, property: p.name, target: c.target, span: c.span });
      }
    }
  });
  return out;
}

