import { end, hex, isAligned, type Range } from './ranges.js';

/**
 * VMSAv8-64 translation tables with the 4 KiB granule, built at compile time. The same builder serves the
 * hypervisor's own (EL2 stage-1) tables and each guest's stage-2 tables; only the leaf attributes differ.
 * The largest block that fits is used at every step (1 GiB, 2 MiB, then 4 KiB pages), so a 64 MiB guest
 * costs one level-1 and one level-2 table.
 */

export type TableEntry =
  | { kind: 'invalid' }
  /** A block (levels 1-2) or page (level 3) descriptor, complete. */
  | { kind: 'leaf'; descriptor: bigint }
  /** A table descriptor: the next-level table's address is only known at link time. */
  | { kind: 'table'; table: number };

export interface TranslationTable {
  /** Index in TableSet.tables; 0 is the root. */
  id: number;
  level: number;
  entries: TableEntry[];
}

export interface TableSet {
  startLevel: number;
  /** Input address bits the tables cover (T0SZ = 64 - inputBits). */
  inputBits: number;
  tables: TranslationTable[];
}

export interface Mapping extends Range {
  /** Output address. */
  pa: bigint;
  /** Leaf attribute bits (everything but the address and the descriptor type bits). */
  attributes: bigint;
  label: string;
}

export const GRANULE = 4096n;
const ENTRIES = 512;
const DESC_BLOCK = 0b01n;
const DESC_TABLE_OR_PAGE = 0b11n;

export function blockSize(level: number): bigint {
  return 1n << BigInt(12 + 9 * (3 - level));
}

export class TableConflictError extends Error {}

function newTable(set: TableSet, level: number): TranslationTable {
  const t: TranslationTable = { id: set.tables.length, level, entries: Array.from({ length: ENTRIES }, () => ({ kind: 'invalid' as const })) };
  set.tables.push(t);
  return t;
}

function mapInto(set: TableSet, table: TranslationTable, va: bigint, pa: bigint, size: bigint, m: Mapping): void {
  const bs = blockSize(table.level);
  let offset = 0n;
  while (offset < size) {
    const cur = va + offset;
    const index = Number((cur / bs) % BigInt(ENTRIES));
    const entryBase = (cur / bs) * bs;
    const chunk = (entryBase + bs < va + size ? entryBase + bs : va + size) - cur;
    const entry = table.entries[index]!;
    const wholeBlock = cur === entryBase && chunk === bs && isAligned(pa + offset, bs);
    if (wholeBlock && table.level >= 1 && entry.kind === 'invalid') {
      const type = table.level === 3 ? DESC_TABLE_OR_PAGE : DESC_BLOCK;
      table.entries[index] = { kind: 'leaf', descriptor: (pa + offset) | m.attributes | type };
    } else {
      if (table.level === 3) throw new TableConflictError(`${m.label}: ${hex(cur)} is mapped twice`);
      let child: TranslationTable;
      if (entry.kind === 'table') child = set.tables[entry.table]!;
      else if (entry.kind === 'invalid') {
        child = newTable(set, table.level + 1);
        table.entries[index] = { kind: 'table', table: child.id };
      } else throw new TableConflictError(`${m.label}: ${hex(cur)} is already covered by a block mapping`);
      mapInto(set, child, cur, pa + offset, chunk, m);
    }
    offset += chunk;
  }
}

/** Builds the tables for `mappings`. Addresses and sizes must be 4 KiB aligned and below 2^inputBits. */
export function buildTables(mappings: readonly Mapping[], inputBits: number, startLevel: number): TableSet {
  const set: TableSet = { startLevel, inputBits, tables: [] };
  const root = newTable(set, startLevel);
  for (const m of mappings) {
    if (!isAligned(m.base, GRANULE) || !isAligned(m.size, GRANULE) || !isAligned(m.pa, GRANULE)) {
      throw new TableConflictError(`${m.label}: ${hex(m.base)}+${hex(m.size)} -> ${hex(m.pa)} is not 4 KiB aligned`);
    }
    if (end(m) > 1n << BigInt(inputBits)) throw new TableConflictError(`${m.label}: ${hex(end(m))} is beyond the ${inputBits}-bit input range`);
    mapInto(set, root, m.base, m.pa, m.size, m);
  }
  return set;
}

/** Walks the tables like the MMU does; for tests and for `hvcc map`. Returns undefined for a fault. */
export function translate(set: TableSet, address: bigint): { pa: bigint; attributes: bigint; level: number } | undefined {
  let table = set.tables[0]!;
  for (;;) {
    const bs = blockSize(table.level);
    const entry = table.entries[Number((address / bs) % BigInt(ENTRIES))]!;
    if (entry.kind === 'invalid') return undefined;
    if (entry.kind === 'table') {
      table = set.tables[entry.table]!;
      continue;
    }
    const outputMask = ((1n << 48n) - 1n) & ~(bs - 1n);
    const base = entry.descriptor & outputMask;
    const attributes = entry.descriptor & ~outputMask & ~0b11n;
    return { pa: base + (address % bs), attributes, level: table.level };
  }
}

/*
 * Attribute encodings. The runtime loads MAIR_EL2, TCR_EL2 and VTCR_EL2 from the generated config, so these
 * constants are the only place they are defined.
 */
const AF = 1n << 10n;
const SH_INNER = 3n << 8n;

/** MAIR_EL2: attribute index 0 = Device-nGnRnE, index 1 = Normal write-back read/write-allocate. */
export const EL2_MAIR = 0xffn << 8n;
export const EL2_NORMAL = (1n << 2n) | SH_INNER | AF;
export const EL2_DEVICE = (0n << 2n) | AF | (1n << 54n); /* XN */

/** Stage 2: MemAttr Normal inner/outer write-back, S2AP read/write. */
export const S2_NORMAL = (0xfn << 2n) | (3n << 6n) | SH_INNER | AF;
/** Stage 2: MemAttr Device-nGnRE, read/write, execute-never. */
export const S2_DEVICE = (0x1n << 2n) | (3n << 6n) | AF | (2n << 53n);

/** 39-bit address spaces starting at level 1: one 4 KiB root table, no concatenation. */
export const INPUT_BITS = 39;
export const START_LEVEL = 1;

const T0SZ = BigInt(64 - INPUT_BITS);
const WBWA = 1n; /* inner/outer write-back read/write-allocate walks */
/** TCR_EL2 (non-VHE) without PS: T0SZ, walk cacheability/shareability, 4 KiB granule, RES1 bits 23 and 31. */
export const EL2_TCR = T0SZ | (WBWA << 8n) | (WBWA << 10n) | (3n << 12n) | (1n << 23n) | (1n << 31n);
/** VTCR_EL2 without PS: T0SZ, SL0 = 1 (start at level 1), walk attributes, 4 KiB granule, RES1 bit 31. */
export const VTCR = T0SZ | (1n << 6n) | (WBWA << 8n) | (WBWA << 10n) | (3n << 12n) | (1n << 31n);
