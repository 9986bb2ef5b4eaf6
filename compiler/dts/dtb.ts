import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import { M } from './messages.js';
import type { DtNode, DtProperty, DtTree } from './tree.js';
import { propertyBytes } from './values.js';

/** The flattened device tree's magic and structure-block tokens (also used by overlay.ts). */
export const FDT_MAGIC = 0xd00dfeed;
export const FDT_BEGIN_NODE = 1;
export const FDT_END_NODE = 2;
export const FDT_PROP = 3;
export const FDT_NOP = 4;
export const FDT_END = 9;

export interface EncodeDtbOptions {
  /** dtc -b: boot_cpuid_phys (default: the tree's, else 0). */
  bootCpuidPhys?: number;
  /** dtc -R: extra empty memreserve entries. */
  reserve?: number;
  /** dtc -p: padding bytes after the blob. */
  pad?: number;
  /** dtc -S: minimum blob size. */
  minSize?: number;
  /** dtc -a: align the blob size to this many bytes. */
  align?: number;
}

class ByteBuf {
  buf = new Uint8Array(1024);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }
  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    const o = this.len;
    b[o] = (v >>> 24) & 0xff;
    b[o + 1] = (v >>> 16) & 0xff;
    b[o + 2] = (v >>> 8) & 0xff;
    b[o + 3] = v & 0xff;
    this.len += 4;
  }
  bytes(d: Uint8Array): void {
    this.ensure(d.length);
    this.buf.set(d, this.len);
    this.len += d.length;
  }
  str(s: string): void {
    this.ensure(s.length + 1);
    for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i) & 0xff;
    this.buf[this.len++] = 0;
  }
  align4(): void {
    const pad = (4 - (this.len % 4)) % 4;
    this.ensure(pad);
    for (let i = 0; i < pad; i++) this.buf[this.len++] = 0;
  }
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** dtc's string table: a name is reused if it equals any existing entry's tail (suffix sharing), first match wins. */
class StringTable {
  readonly buf = new ByteBuf();
  private readonly index = new Map<string, number>();
  insert(s: string): number {
    const hit = this.index.get(s);
    if (hit !== undefined) return hit;
    const off = this.buf.len;
    this.buf.str(s);
    for (let j = 0; j <= s.length; j++) {
      const tail = s.slice(j);
      if (!this.index.has(tail)) this.index.set(tail, off + j);
    }
    return off;
  }
}

/** Encodes the tree as dtc -O dtb does (version 17), byte for byte. */
export function encodeDtb(tree: DtTree, options: EncodeDtbOptions = {}): Uint8Array {
  const dt = new ByteBuf();
  const strings = new StringTable();
  const flatten = (n: DtNode) => {
    dt.u32(FDT_BEGIN_NODE);
    dt.str(n.fullName);
    dt.align4();
    for (const p of n.properties) {
      const nameoff = strings.insert(p.name);
      const val = propertyBytes(p);
      dt.u32(FDT_PROP);
      dt.u32(val.length);
      dt.u32(nameoff);
      dt.bytes(val);
      dt.align4();
    }
    for (const c of n.children) flatten(c);
    dt.u32(FDT_END_NODE);
  };
  flatten(tree.root);
  dt.u32(FDT_END);

  const rsv = new ByteBuf();
  const u64 = (v: bigint) => {
    rsv.u32(Number((v >> 32n) & 0xffffffffn));
    rsv.u32(Number(v & 0xffffffffn));
  };
  for (const m of tree.memreserves) {
    u64(m.address);
    u64(m.size);
  }
  for (let i = 0; i < (options.reserve ?? 0); i++) (u64(0n), u64(0n));
  u64(0n);
  u64(0n);

  const hdrSize = 40;
  const reserveOff = hdrSize; // ALIGN(40, 8)
  const dtOff = reserveOff + rsv.len;
  const strOff = dtOff + dt.len;
  let total = strOff + strings.buf.len;
  let padlen = 0;
  if (options.minSize && options.minSize > 0) padlen = Math.max(0, options.minSize - total);
  if (options.pad && options.pad > 0) padlen = options.pad;
  if (options.align && options.align > 0) padlen = Math.ceil((total + padlen) / options.align) * options.align - total;
  if (padlen > 0) total += padlen;

  const out = new Uint8Array(total);
  const hv = new DataView(out.buffer);
  hv.setUint32(0, FDT_MAGIC);
  hv.setUint32(4, total);
  hv.setUint32(8, dtOff);
  hv.setUint32(12, strOff);
  hv.setUint32(16, reserveOff);
  hv.setUint32(20, 17);
  hv.setUint32(24, 16);
  hv.setUint32(28, (options.bootCpuidPhys ?? tree.bootCpuidPhys ?? 0) >>> 0);
  hv.setUint32(32, strings.buf.len);
  hv.setUint32(36, dt.len);
  out.set(rsv.view(), reserveOff);
  out.set(dt.view(), dtOff);
  out.set(strings.buf.view(), strOff);
  return out;
}

export interface DecodeDtbResult {
  tree?: DtTree;
  diagnostics: Diagnostic[];
}

/** Decodes a flattened device tree (versions 16 and 17). Property values become 'bytes' chunks. */
export function decodeDtb(bytes: Uint8Array, fileName = '<dtb>'): DecodeDtbResult {
  const diagnostics: Diagnostic[] = [];
  const at = (off: number): Span => ({ file: fileName, start: { line: 1, column: off + 1, offset: off }, end: { line: 1, column: off + 1, offset: off } });
  const fail = (msg: string, off = 0): DecodeDtbResult => {
    diagnostics.push(diagnostic(M.badDtb, msg, at(off)));
    return { diagnostics };
  };
  if (bytes.length < 40) return fail('blob is too short for an FDT header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0) !== FDT_MAGIC) return fail('bad magic number (not a device tree blob)');
  const total = dv.getUint32(4);
  const offStruct = dv.getUint32(8);
  const offStrings = dv.getUint32(12);
  const offRsv = dv.getUint32(16);
  const version = dv.getUint32(20);
  const boot = dv.getUint32(28);
  const sizeStrings = version >= 3 ? dv.getUint32(32) : total - offStrings;
  const sizeStruct = version >= 17 ? dv.getUint32(36) : total - offStruct;
  if (total > bytes.length) return fail(`blob is truncated (totalsize ${total}, have ${bytes.length} bytes)`, 4);
  if (version < 16) return fail(`unsupported blob version ${version}`, 20);
  if (offStruct + sizeStruct > total || offStrings + sizeStrings > total || offRsv > total)
    return fail('blob block offsets are out of range', 8);
  const tree: DtTree = { root: undefined as unknown as DtNode, memreserves: [], plugin: false, bootCpuidPhys: boot, fromDtb: true };
  for (let o = offRsv; ; o += 16) {
    if (o + 16 > total) return fail('memory reserve map is not terminated', o);
    const a = dv.getBigUint64(o);
    const s = dv.getBigUint64(o + 8);
    if (a === 0n && s === 0n) break;
    tree.memreserves.push({ address: a, size: s, labels: [] });
  }
  const strAt = (o: number): string | undefined => {
    if (o >= sizeStrings) return undefined;
    const start = offStrings + o;
    const end = bytes.indexOf(0, start);
    if (end < 0 || end >= offStrings + sizeStrings) return undefined;
    return Buffer.from(bytes.subarray(start, end)).toString('latin1');
  };
  let p = offStruct;
  const end = offStruct + sizeStruct;
  const stack: DtNode[] = [];
  const span0 = at(0);
  while (p + 4 <= end) {
    const tag = dv.getUint32(p);
    const tagOff = p;
    p += 4;
    if (tag === FDT_BEGIN_NODE) {
      const z = bytes.indexOf(0, p);
      if (z < 0 || z >= end) return fail('unterminated node name', p);
      const full = Buffer.from(bytes.subarray(p, z)).toString('latin1');
      p = (z + 1 + 3) & ~3;
      const parent = stack[stack.length - 1];
      const atI = full.indexOf('@');
      const node: DtNode = {
        name: atI < 0 ? full : full.slice(0, atI),
        fullName: full,
        path: !parent ? '/' : parent.path === '/' ? '/' + full : parent.path + '/' + full,
        labels: [],
        properties: [],
        children: [],
        span: at(tagOff),
      };
      if (atI >= 0) node.unitAddress = full.slice(atI + 1);
      if (parent) {
        node.parent = parent;
        parent.children.push(node);
      } else if (tree.root) return fail('more than one root node', tagOff);
      else tree.root = node;
      stack.push(node);
    } else if (tag === FDT_END_NODE) {
      if (!stack.pop()) return fail('unbalanced FDT_END_NODE', tagOff);
    } else if (tag === FDT_PROP) {
      if (p + 8 > end) return fail('truncated property', tagOff);
      const len = dv.getUint32(p);
      const nameoff = dv.getUint32(p + 4);
      p += 8;
      if (p + len > end) return fail('property value runs past the structure block', tagOff);
      const name = strAt(nameoff);
      if (name === undefined) return fail('bad property name offset', tagOff + 8);
      const node = stack[stack.length - 1];
      if (!node) return fail('property outside a node', tagOff);
      const value = bytes.slice(p, p + len);
      p = (p + len + 3) & ~3;
      const prop: DtProperty = { name, labels: [], span: at(tagOff), chunks: len ? [{ kind: 'bytes', value, span: span0 }] : [] };
      node.properties.push(prop);
      if ((name === 'phandle' || (name === 'linux,phandle' && node.phandle === undefined)) && len === 4) {
        node.phandle = new DataView(value.buffer).getUint32(0);
      }
    } else if (tag === FDT_NOP) {
      continue;
    } else if (tag === FDT_END) {
      if (stack.length) return fail('FDT_END inside a node', tagOff);
      break;
    } else return fail(`bad structure block tag 0x${tag.toString(16)}`, tagOff);
  }
  if (!tree.root) return fail('no root node');
  if (stack.length) return fail('structure block ends inside a node', p);
  return { tree, diagnostics };
}

// ---------------------------------------------------------------------------------------------------------------
// dtc -O dts (treesource.c), with the value types guessed from the bytes as dtc does for blob input.

const isPrint = (c: number) => c >= 0x20 && c < 0x7f;
const isStringByte = (c: number) => isPrint(c) || c === 0 || c === 7 || c === 8 || c === 12 || c === 10 || c === 13 || c === 9 || c === 11;

function guessType(v: Uint8Array): 'string' | 'u32' | 'u8' {
  const len = v.length;
  let notString = 0;
  let nul = 0;
  for (let i = 0; i < len; i++) {
    if (!isStringByte(v[i]!)) notString++;
    if (v[i] === 0) nul++;
  }
  if (v[len - 1] === 0 && notString === 0 && nul <= len - nul) return 'string';
  if (len % 4 === 0) return 'u32';
  return 'u8';
}

function writeString(v: Uint8Array): string {
  let s = '"';
  for (let i = 0; i < v.length - 1; i++) {
    const c = v[i]!;
    switch (c) {
      case 7: s += '\\a'; break;
      case 8: s += '\\b'; break;
      case 9: s += '\\t'; break;
      case 10: s += '\\n'; break;
      case 11: s += '\\v'; break;
      case 12: s += '\\f'; break;
      case 13: s += '\\r'; break;
      case 92: s += '\\\\'; break;
      case 34: s += '\\"'; break;
      case 0: s += '\\0'; break;
      default:
        s += isPrint(c) ? String.fromCharCode(c) : '\\x' + c.toString(16).padStart(2, '0');
    }
  }
  return s + '"';
}

const hex = (v: number | bigint, w: number) => v.toString(16).padStart(w, '0');

function writeValue(v: Uint8Array): string {
  if (v.length === 0) return ';\n';
  const t = guessType(v);
  if (t === 'string') return ' = ' + writeString(v) + ';\n';
  if (t === 'u32') {
    const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
    const cells: string[] = [];
    for (let i = 0; i < v.length; i += 4) cells.push('0x' + hex(dv.getUint32(i), 2));
    return ' = <' + cells.join(' ') + '>;\n';
  }
  return ' = [' + Array.from(v, (b) => hex(b, 2)).join(' ') + '];\n';
}

/** Prints the tree as `dtc -I dtb -O dts` does. */
export function printDts(tree: DtTree): string {
  const out: string[] = ['/dts-v1/;\n\n'];
  for (const m of tree.memreserves) {
    out.push(m.labels.map((l) => `${l}: `).join('') + `/memreserve/\t0x${hex(m.address, 16)} 0x${hex(m.size, 16)};\n`);
  }
  const node = (n: DtNode, level: number) => {
    const ind = '\t'.repeat(level);
    out.push(ind + n.labels.map((l) => `${l}: `).join('') + (n.fullName ? `${n.fullName} {\n` : '/ {\n'));
    for (const p of n.properties) {
      out.push(ind + '\t' + p.labels.map((l) => `${l}: `).join('') + p.name + writeValue(propertyBytes(p)));
    }
    for (const c of n.children) {
      out.push('\n');
      node(c, level + 1);
    }
    out.push(ind + '};\n');
  };
  node(tree.root, 0);
  return out.join('');
}
