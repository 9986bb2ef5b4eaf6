import type { DtNode, DtProperty, DtTree, DtValueChunk } from './tree.js';

/** The FDT encoding of one chunk. */
export function chunkBytes(c: DtValueChunk): Uint8Array {
  switch (c.kind) {
    case 'string': {
      const out = new Uint8Array(c.bytes.length + 1);
      out.set(c.bytes);
      return out;
    }
    case 'bytes':
      return c.value;
    case 'path-ref': {
      const b = Buffer.from(c.path, 'latin1');
      const out = new Uint8Array(b.length + 1);
      out.set(b);
      return out;
    }
    case 'cells': {
      const w = c.bits / 8;
      const out = new Uint8Array(c.items.length * w);
      const dv = new DataView(out.buffer);
      c.items.forEach((it, i) => {
        const v = it.value;
        if (w === 1) dv.setUint8(i, Number(v & 0xffn));
        else if (w === 2) dv.setUint16(i * 2, Number(v & 0xffffn));
        else if (w === 4) dv.setUint32(i * 4, Number(v & 0xffffffffn));
        else dv.setBigUint64(i * 8, BigInt.asUintN(64, v));
      });
      return out;
    }
  }
}

export function chunkLength(c: DtValueChunk): number {
  switch (c.kind) {
    case 'string':
      return c.bytes.length + 1;
    case 'bytes':
      return c.value.length;
    case 'path-ref':
      return Buffer.byteLength(c.path, 'latin1') + 1;
    case 'cells':
      return (c.items.length * c.bits) / 8;
  }
}

/** The property value as dtc encodes it in a blob. */
export function propertyBytes(prop: DtProperty): Uint8Array {
  if (prop.chunks.length === 1) return chunkBytes(prop.chunks[0]!);
  const parts = prop.chunks.map(chunkBytes);
  const len = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function propertyLength(prop: DtProperty): number {
  let n = 0;
  for (const c of prop.chunks) n += chunkLength(c);
  return n;
}

export function isEmpty(prop: DtProperty): boolean {
  return propertyLength(prop) === 0;
}

/** The value as big-endian u32 cells (undefined when the length is not a multiple of 4). */
export function asU32Array(prop: DtProperty): number[] | undefined {
  const b = propertyBytes(prop);
  if (b.length % 4 !== 0) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 4) out.push(dv.getUint32(i));
  return out;
}

/** Groups the value's u32 cells into numbers of `cellsPerItem` cells each (1 or 2 usually; up to any count). */
export function asU64Cells(prop: DtProperty, cellsPerItem: number): bigint[] | undefined {
  const cells = asU32Array(prop);
  if (!cells || cellsPerItem <= 0 || cells.length % cellsPerItem !== 0) return undefined;
  const out: bigint[] = [];
  for (let i = 0; i < cells.length; i += cellsPerItem) {
    let v = 0n;
    for (let k = 0; k < cellsPerItem; k++) v = (v << 32n) | BigInt(cells[i + k]!);
    out.push(v);
  }
  return out;
}

/** NUL-separated strings (undefined unless the value is a non-empty list of NUL-terminated strings). */
export function asStringList(prop: DtProperty): string[] | undefined {
  const b = propertyBytes(prop);
  if (b.length === 0 || b[b.length - 1] !== 0) return undefined;
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0) {
      out.push(Buffer.from(b.subarray(start, i)).toString('utf8'));
      start = i + 1;
    }
  }
  return out;
}

export function asString(prop: DtProperty): string | undefined {
  const l = asStringList(prop);
  return l && l.length === 1 ? l[0] : undefined;
}

export function getProperty(node: DtNode, name: string): DtProperty | undefined {
  for (const p of node.properties) if (p.name === name) return p;
  return undefined;
}

/** dtc's get_node_by_path: exact names (with unit address) per component. */
export function findNode(tree: DtTree, path: string): DtNode | undefined {
  let node: DtNode | undefined = tree.root;
  for (const part of path.split('/')) {
    if (part === '') continue;
    node = node.children.find((c: DtNode) => c.fullName === part);
    if (!node) return undefined;
  }
  return node;
}

export function nodeByLabel(tree: DtTree, label: string): DtNode | undefined {
  const walk = (n: DtNode): DtNode | undefined => {
    if (n.labels.includes(label)) return n;
    for (const c of n.children) {
      const r = walk(c);
      if (r) return r;
    }
    return undefined;
  };
  return walk(tree.root);
}

/** A `&label` or `&{/path}` target. */
export function nodeByRef(tree: DtTree, ref: string): DtNode | undefined {
  if (ref === '/') return tree.root;
  return ref.startsWith('/') ? findNode(tree, ref) : nodeByLabel(tree, ref);
}

export function resolvePhandle(tree: DtTree, value: number): DtNode | undefined {
  if (value === 0 || value === 0xffffffff) return undefined;
  const walk = (n: DtNode): DtNode | undefined => {
    if (n.phandle === value) return n;
    for (const c of n.children) {
      const r = walk(c);
      if (r) return r;
    }
    return undefined;
  };
  return walk(tree.root);
}

function cellsProp(node: DtNode | undefined, name: string, dflt: number): number {
  if (!node) return dflt;
  const p = getProperty(node, name);
  const v = p ? asU32Array(p) : undefined;
  return v && v.length === 1 ? v[0]! : dflt;
}

/** #address-cells of a node (dtc's default 2 when absent). */
export function addressCells(node: DtNode | undefined): number {
  return cellsProp(node, '#address-cells', 2);
}

/** #size-cells of a node (dtc's default 1 when absent). */
export function sizeCells(node: DtNode | undefined): number {
  return cellsProp(node, '#size-cells', 1);
}

/** The node's reg entries decoded with its parent's #address-cells/#size-cells. */
export function regEntries(node: DtNode): { address: bigint; size: bigint }[] | undefined {
  const reg = getProperty(node, 'reg');
  if (!reg) return undefined;
  const ac = addressCells(node.parent);
  const sc = sizeCells(node.parent);
  const cells = asU32Array(reg);
  if (!cells || ac + sc === 0 || cells.length % (ac + sc) !== 0) return undefined;
  const out: { address: bigint; size: bigint }[] = [];
  for (let i = 0; i < cells.length; i += ac + sc) {
    let a = 0n;
    let s = 0n;
    for (let k = 0; k < ac; k++) a = (a << 32n) | BigInt(cells[i + k]!);
    for (let k = 0; k < sc; k++) s = (s << 32n) | BigInt(cells[i + ac + k]!);
    out.push({ address: a, size: s });
  }
  return out;
}

/** Depth-first, parents before children (dtc's traversal order). */
export function* walkNodes(node: DtNode): Generator<DtNode> {
  yield node;
  for (const c of node.children) yield* walkNodes(c);
}

/**
 * A `&ref` resolver for a tree that is not being restructured: labels are indexed once (first node in dtc's
 * pre-order wins, as get_node_by_label), paths are walked.
 */
export function refResolver(tree: DtTree): (ref: string) => DtNode | undefined {
  const byLabel = new Map<string, DtNode>();
  for (const n of walkNodes(tree.root)) for (const l of n.labels) if (!byLabel.has(l)) byLabel.set(l, n);
  return (ref) => (ref === '/' ? tree.root : ref.startsWith('/') ? findNode(tree, ref) : byLabel.get(ref));
}
