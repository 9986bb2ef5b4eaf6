import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import type { PhandleAllocator } from './checks.js';
import { M } from './messages.js';
import type { DtNode, DtProperty, DtTree } from './tree.js';
import { chunkLength, getProperty, refResolver, walkNodes } from './values.js';

function childNode(parent: DtNode, name: string): DtNode {
  const existing = parent.children.find((c) => c.fullName === name);
  if (existing) return existing;
  const at = name.indexOf('@');
  const n: DtNode = {
    name: at < 0 ? name : name.slice(0, at),
    fullName: name,
    path: parent.path === '/' ? '/' + name : parent.path + '/' + name,
    labels: [],
    properties: [],
    children: [],
    span: parent.span,
    parent,
  };
  if (at >= 0) n.unitAddress = name.slice(at + 1);
  parent.children.push(n);
  return n;
}

function strBytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

function appendString(node: DtNode, name: string, value: string): void {
  const chunk = { kind: 'string' as const, value, bytes: strBytes(value), span: node.span };
  const p = getProperty(node, name);
  if (p) p.chunks.push(chunk);
  else node.properties.push({ name, labels: [], span: node.span, chunks: [chunk] });
}

function appendCell(node: DtNode, name: string, value: number): void {
  const p = getProperty(node, name);
  const item = { value: BigInt(value), span: node.span };
  if (p) {
    const last = p.chunks[p.chunks.length - 1];
    if (last && last.kind === 'cells' && last.bits === 32) last.items.push(item);
    else p.chunks.push({ kind: 'cells', bits: 32, items: [item], span: node.span });
  } else node.properties.push({ name, labels: [], span: node.span, chunks: [{ kind: 'cells', bits: 32, items: [item], span: node.span }] });
}

/** dtc -@: a __symbols__ node with one property per node label (the node's path); every labelled node gets a phandle. */
export function generateSymbols(tree: DtTree, phandles: PhandleAllocator, diags: Diagnostic[]): void {
  const hasLabels = (n: DtNode) => n.labels.length > 0 || (n.deletedLabels?.length ?? 0) > 0;
  const labelled = [...walkNodes(tree.root)].filter(hasLabels);
  if (labelled.length === 0) return;
  const sym = childNode(tree.root, '__symbols__');
  const walk = (n: DtNode) => {
    if (hasLabels(n)) {
      for (const l of n.labels) {
        if (getProperty(sym, l)) {
          diags.push(diagnostic(M.labelAlreadyInSymbols, `label ${l} already exists in /__symbols__`, n.span));
          continue;
        }
        appendString(sym, l, n.path);
      }
      phandles.get(n);
    }
    for (const c of [...n.children]) walk(c);
  };
  walk(tree.root);
}

/** Byte offsets of the phandle references in a property, with their targets. */
function refOffsets(p: DtProperty): { ref: string; offset: number }[] {
  const out: { ref: string; offset: number }[] = [];
  let off = 0;
  for (const c of p.chunks) {
    if (c.kind === 'cells') {
      c.items.forEach((it, i) => {
        if (it.ref !== undefined) out.push({ ref: it.ref, offset: off + (i * c.bits) / 8 });
      });
    }
    off += chunkLength(c);
  }
  return out;
}

/** For /plugin/ sources: __fixups__ (references to labels outside the overlay) and __local_fixups__. */
export function generateOverlayFixups(tree: DtTree): void {
  const resolve = refResolver(tree);
  const unresolved: { node: DtNode; prop: DtProperty; ref: string; offset: number }[] = [];
  for (const n of walkNodes(tree.root))
    for (const p of n.properties)
      for (const r of refOffsets(p)) if (!resolve(r.ref)) unresolved.push({ node: n, prop: p, ...r });
  if (unresolved.length) {
    const fn = childNode(tree.root, '__fixups__');
    for (const u of unresolved) appendString(fn, u.ref, `${u.node.path}:${u.prop.name}:${u.offset}`);
  }
  const local: { node: DtNode; prop: DtProperty; offset: number }[] = [];
  for (const n of walkNodes(tree.root))
    for (const p of n.properties)
      for (const r of refOffsets(p)) if (resolve(r.ref)) local.push({ node: n, prop: p, offset: r.offset });
  if (local.length) {
    const lfn = childNode(tree.root, '__local_fixups__');
    for (const l of local) {
      const chain: DtNode[] = [];
      for (let w: DtNode | undefined = l.node; w && w.parent; w = w.parent) chain.unshift(w);
      let wn = lfn;
      for (const c of chain) wn = childNode(wn, c.fullName);
      appendCell(wn, l.prop.name, l.offset);
    }
  }
}
