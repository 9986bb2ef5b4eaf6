/**
 * Applying device-tree overlays to a base blob, as libfdt's fdt_overlay_apply() does (and so Debian's
 * fdtoverlay): the overlay's phandles are shifted past the base's, its __local_fixups__ follow them, its
 * __fixups__ are resolved through the base's __symbols__, each fragment's __overlay__ is merged into its
 * target, and the overlay's __symbols__ are added to the base's. It works on the blob as libfdt does —
 * new properties and subnodes go first in their node, new names are appended to the strings block unless
 * an existing string (or the tail of one) already spells them — so the result is byte-identical.
 */

import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_MAGIC, FDT_NOP, FDT_PROP } from './dtb.js';

interface Prop {
  name: string;
  nameoff: number;
  value: Uint8Array;
}

interface Node {
  name: string;
  props: Prop[];
  children: Node[];
}

interface Blob {
  root: Node;
  strings: number[];
  memreserve: Uint8Array;
  bootCpuidPhys: number;
}

export class OverlayError extends Error {}

function cstring(bytes: Uint8Array, at: number): string {
  let end = at;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.subarray(at, end)).toString('latin1');
}

function parse(bytes: Uint8Array, what: string): Blob {
  if (bytes.length < 40) throw new OverlayError(`${what}: too short to be a device-tree blob`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== FDT_MAGIC) throw new OverlayError(`${what}: not a device-tree blob (bad magic)`);
  const total = view.getUint32(4);
  const offStruct = view.getUint32(8);
  const offStrings = view.getUint32(12);
  const offRsv = view.getUint32(16);
  const version = view.getUint32(20);
  const sizeStrings = view.getUint32(32);
  if (version < 17 || total > bytes.length || offStrings + sizeStrings > total) throw new OverlayError(`${what}: unsupported or truncated blob`);
  const strings = [...bytes.subarray(offStrings, offStrings + sizeStrings)];
  let rsvEnd = offRsv;
  for (;;) {
    if (rsvEnd + 16 > total) throw new OverlayError(`${what}: truncated memory reservations`);
    const a = view.getBigUint64(rsvEnd);
    const s = view.getBigUint64(rsvEnd + 8);
    rsvEnd += 16;
    if (a === 0n && s === 0n) break;
  }
  let p = offStruct;
  const next = () => {
    const tag = view.getUint32(p);
    p += 4;
    return tag;
  };
  const readNode = (): Node => {
    const name = cstring(bytes, p);
    p += (name.length + 1 + 3) & ~3;
    const node: Node = { name, props: [], children: [] };
    for (;;) {
      const tag = next();
      if (tag === FDT_NOP) continue;
      if (tag === FDT_PROP) {
        const len = view.getUint32(p);
        const nameoff = view.getUint32(p + 4);
        const value = bytes.slice(p + 8, p + 8 + len);
        p += 8 + ((len + 3) & ~3);
        node.props.push({ name: cstring(Uint8Array.from(strings), nameoff), nameoff, value });
      } else if (tag === FDT_BEGIN_NODE) node.children.push(readNode());
      else if (tag === FDT_END_NODE) return node;
      else throw new OverlayError(`${what}: bad structure tag ${tag}`);
    }
  };
  while (view.getUint32(p) === FDT_NOP) p += 4;
  if (next() !== FDT_BEGIN_NODE) throw new OverlayError(`${what}: the structure block does not start with a node`);
  const root = readNode();
  return { root, strings, memreserve: bytes.slice(offRsv, rsvEnd), bootCpuidPhys: view.getUint32(28) };
}

/** libfdt's fdt_find_add_string_(): an existing occurrence anywhere in the block (even a tail), else appended. */
function findAddString(blob: Blob, name: string): number {
  const want = [...Buffer.from(name + '\0', 'latin1')];
  for (let i = 0; i + want.length <= blob.strings.length; i++) {
    if (want.every((b, k) => blob.strings[i + k] === b)) return i;
  }
  const at = blob.strings.length;
  blob.strings.push(...want);
  return at;
}

function getProp(node: Node, name: string): Prop | undefined {
  return node.props.find((p) => p.name === name);
}

/** fdt_setprop(): replace in place, or insert a new property first in the node. */
function setProp(blob: Blob, node: Node, name: string, value: Uint8Array): void {
  const existing = getProp(node, name);
  if (existing) existing.value = value;
  else node.props.unshift({ name, nameoff: findAddString(blob, name), value });
}

/** fdt_add_subnode(): an existing one, or a new node first among the children. */
function addSubnode(node: Node, name: string): Node {
  const existing = node.children.find((c) => c.name === name);
  if (existing) return existing;
  const child: Node = { name, props: [], children: [] };
  node.children.unshift(child);
  return child;
}

function walk(node: Node, f: (n: Node) => void): void {
  f(node);
  node.children.forEach((c) => walk(c, f));
}

function u32(v: Uint8Array, at = 0): number {
  return new DataView(v.buffer, v.byteOffset, v.byteLength).getUint32(at);
}

function setU32(v: Uint8Array, at: number, value: number): void {
  new DataView(v.buffer, v.byteOffset, v.byteLength).setUint32(at, value >>> 0);
}

function phandleOf(node: Node): number {
  const p = getProp(node, 'phandle') ?? getProp(node, 'linux,phandle');
  return p && p.value.length === 4 ? u32(p.value) : 0;
}

/** fdt_path_offset(): components must match names exactly (or without unit address when none is given). */
function byPath(root: Node, path: string): Node | undefined {
  let node: Node | undefined = root;
  for (const part of path.split('/').filter((x) => x.length > 0)) {
    node = node.children.find((c) => c.name === part) ?? (part.includes('@') ? undefined : node.children.find((c) => c.name.split('@')[0] === part));
    if (!node) return undefined;
  }
  return node;
}

function pathOf(root: Node, target: Node): string | undefined {
  const search = (node: Node, prefix: string): string | undefined => {
    if (node === target) return prefix || '/';
    for (const c of node.children) {
      const found = search(c, `${prefix}/${c.name}`);
      if (found) return found;
    }
    return undefined;
  };
  return search(root, '');
}

function stringsOf(v: Uint8Array): string[] {
  return Buffer.from(v).toString('latin1').split('\0').slice(0, -1);
}

function target(base: Blob, fragment: Node): { node: Node; path?: string } {
  const t = getProp(fragment, 'target');
  if (t) {
    const ph = t.value.length === 4 ? u32(t.value) : 0;
    let found: Node | undefined;
    walk(base.root, (n) => {
      if (!found && ph !== 0 && phandleOf(n) === ph) found = n;
    });
    if (!found) throw new OverlayError(`fragment ${fragment.name}: no node of the base has phandle ${ph}`);
    return { node: found };
  }
  const tp = getProp(fragment, 'target-path');
  if (!tp) throw new OverlayError(`fragment ${fragment.name}: neither target nor target-path`);
  const path = stringsOf(tp.value)[0] ?? '';
  const node = byPath(base.root, path);
  if (!node) throw new OverlayError(`fragment ${fragment.name}: the base has no node ${path}`);
  return { node, path };
}

function applyOne(base: Blob, overlay: Blob): void {
  // Shift the overlay's phandles past every phandle of the base.
  let delta = 0;
  walk(base.root, (n) => {
    delta = Math.max(delta, phandleOf(n));
  });
  walk(overlay.root, (n) => {
    for (const name of ['phandle', 'linux,phandle']) {
      const p = getProp(n, name);
      if (p && p.value.length === 4) setU32(p.value, 0, u32(p.value) + delta);
    }
  });
  const localFixups = overlay.root.children.find((c) => c.name === '__local_fixups__');
  const followLocal = (fixups: Node, node: Node) => {
    for (const f of fixups.props) {
      const prop = getProp(node, f.name);
      if (!prop) throw new OverlayError(`__local_fixups__ names ${f.name}, which the overlay node ${node.name} lacks`);
      for (let i = 0; i + 4 <= f.value.length; i += 4) {
        const at = u32(f.value, i);
        setU32(prop.value, at, u32(prop.value, at) + delta);
      }
    }
    for (const child of fixups.children) {
      const match = node.children.find((c) => c.name === child.name);
      if (!match) throw new OverlayError(`__local_fixups__ names ${child.name}, which the overlay lacks`);
      followLocal(child, match);
    }
  };
  if (localFixups) followLocal(localFixups, overlay.root);

  // Resolve references to the base's labels.
  const fixups = overlay.root.children.find((c) => c.name === '__fixups__');
  if (fixups) {
    const symbols = base.root.children.find((c) => c.name === '__symbols__');
    if (!symbols) throw new OverlayError('the overlay refers to labels, but the base blob has no __symbols__ (compile it with -@)');
    for (const f of fixups.props) {
      const symbol = getProp(symbols, f.name);
      if (!symbol) throw new OverlayError(`the base has no label '${f.name}'`);
      const node = byPath(base.root, stringsOf(symbol.value)[0] ?? '');
      const phandle = node ? phandleOf(node) : 0;
      if (!phandle) throw new OverlayError(`label '${f.name}' of the base has no phandle`);
      for (const where of stringsOf(f.value)) {
        const m = /^(.*):([^:]*):(\d+)$/.exec(where);
        if (!m) throw new OverlayError(`bad fixup '${where}'`);
        const prop = getProp(byPath(overlay.root, m[1]!) ?? { name: '', props: [], children: [] }, m[2]!);
        if (!prop) throw new OverlayError(`fixup '${where}' names a property the overlay lacks`);
        setU32(prop.value, Number(m[3]), phandle);
      }
    }
  }

  // Merge every fragment into its target.
  const merge = (into: Node, from: Node) => {
    for (const p of from.props) setProp(base, into, p.name, p.value.slice());
    for (const c of from.children) merge(addSubnode(into, c.name), c);
  };
  for (const fragment of overlay.root.children) {
    const content = fragment.children.find((c) => c.name === '__overlay__');
    if (!content) continue;
    merge(target(base, fragment).node, content);
  }

  // The overlay's labels, with paths in the base.
  const ovSymbols = overlay.root.children.find((c) => c.name === '__symbols__');
  if (ovSymbols) {
    const symbols = addSubnode(base.root, '__symbols__');
    for (const s of ovSymbols.props) {
      const path = Buffer.from(s.value).toString('latin1').replace(/\0$/, '');
      const m = /^\/([^/]+)(\/__overlay__(?:\/(.*))?)?$/.exec(path);
      if (!m || !m[2]) continue; // not inside a fragment's __overlay__: it does not reach the base
      const fragment = overlay.root.children.find((c) => c.name === m[1]);
      if (!fragment || !fragment.children.some((c) => c.name === '__overlay__')) throw new OverlayError(`symbol ${s.name} points into a missing fragment`);
      const t = target(base, fragment);
      const targetPath = t.path ?? pathOf(base.root, t.node)!;
      const rel = m[3] ?? '';
      const full = (targetPath.length > 1 ? `${targetPath}/` : targetPath) + rel;
      setProp(base, symbols, s.name, new Uint8Array(Buffer.from(full + '\0', 'latin1')));
    }
  }
}

function serialize(blob: Blob): Uint8Array {
  const struct: number[] = [];
  const word = (v: number) => struct.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  const pad = () => {
    while (struct.length % 4) struct.push(0);
  };
  const emit = (n: Node) => {
    word(FDT_BEGIN_NODE);
    struct.push(...Buffer.from(n.name + '\0', 'latin1'));
    pad();
    for (const p of n.props) {
      word(FDT_PROP);
      word(p.value.length);
      word(p.nameoff);
      for (const b of p.value) struct.push(b);
      pad();
    }
    n.children.forEach(emit);
    word(FDT_END_NODE);
  };
  emit(blob.root);
  word(FDT_END);
  const offRsv = 40;
  const offStruct = offRsv + blob.memreserve.length;
  const offStrings = offStruct + struct.length;
  const total = offStrings + blob.strings.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  [FDT_MAGIC, total, offStruct, offStrings, offRsv, 17, 16, blob.bootCpuidPhys, blob.strings.length, struct.length].forEach((v, i) => view.setUint32(i * 4, v));
  out.set(blob.memreserve, offRsv);
  out.set(struct, offStruct);
  out.set(blob.strings, offStrings);
  return out;
}

/** Applies overlays, in order, to a base blob; the result is what `fdtoverlay -i base -o out overlays...` writes. */
export function applyOverlays(base: Uint8Array, overlays: { name: string; bytes: Uint8Array }[]): Uint8Array {
  const tree = parse(base, 'base blob');
  for (const o of overlays) {
    try {
      applyOne(tree, parse(o.bytes, o.name));
    } catch (e) {
      if (e instanceof OverlayError) throw new OverlayError(`${o.name}: ${e.message}`);
      throw e;
    }
  }
  return serialize(tree);
}
