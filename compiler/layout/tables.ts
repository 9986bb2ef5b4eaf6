import type { Mapping, TableFormat } from '../arch/backend.js';
import { end, hex, isAligned } from '../util/ranges.js';

export type { Mapping, MemoryKind, TableFormat } from '../arch/backend.js';

/**
 * Multi-level translation tables built at compile time by one generic builder; the architecture says how
 * they are shaped and how descriptors are encoded (a TableFormat, from compiler/arch/<arch>/). The largest
 * leaf that fits is used at every step, so a 64 MiB guest on a 4 KiB-granule format with 2 MiB blocks costs
 * one table per level above the blocks.
 */

export type TableEntry =
  | { kind: 'invalid' }
  /** A leaf (block or page) descriptor, complete. */
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
  format: TableFormat;
  tables: TranslationTable[];
}

export class TableConflictError extends Error {}

function newTable(set: TableSet, level: number): TranslationTable {
  const count = set.format.entries(level);
  const t: TranslationTable = { id: set.tables.length, level, entries: Array.from({ length: count }, () => ({ kind: 'invalid' as const })) };
  set.tables.push(t);
  return t;
}

function mapInto(set: TableSet, table: TranslationTable, va: bigint, pa: bigint, size: bigint, m: Mapping): void {
  const { format } = set;
  const bs = format.entrySize(table.level);
  let offset = 0n;
  while (offset < size) {
    const cur = va + offset;
    const index = Number((cur / bs) % BigInt(table.entries.length));
    const entryBase = (cur / bs) * bs;
    const chunk = (entryBase + bs < va + size ? entryBase + bs : va + size) - cur;
    const entry = table.entries[index]!;
    const wholeBlock = cur === entryBase && chunk === bs && isAligned(pa + offset, bs);
    if (wholeBlock && format.leafAllowed(table.level) && entry.kind === 'invalid') {
      table.entries[index] = { kind: 'leaf', descriptor: format.leaf(pa + offset, table.level, m) };
    } else {
      if (table.level === format.lastLevel) throw new TableConflictError(`${m.label}: ${hex(cur)} is mapped twice`);
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

/**
 * Builds the tables for `mappings`. Addresses and sizes must be granule-aligned and below 2^inputBits. When
 * the format can be narrowed, the tables cover the smallest input range that holds every mapping and
 * [0, `reach`) (addresses the tables leave unmapped but whose faults must still report them, such as
 * emulated device windows); the set's format says which range that is.
 */
export function buildTables(mappings: readonly Mapping[], wide: TableFormat, reach = 0n): TableSet {
  for (const m of mappings) {
    if (!isAligned(m.base, wide.granule) || !isAligned(m.size, wide.granule) || !isAligned(m.pa, wide.granule)) {
      throw new TableConflictError(`${m.label}: ${hex(m.base)}+${hex(m.size)} -> ${hex(m.pa)} is not ${wide.granule / 1024n} KiB aligned`);
    }
    if (end(m) > 1n << BigInt(wide.inputBits)) throw new TableConflictError(`${m.label}: ${hex(end(m))} is beyond the ${wide.inputBits}-bit input range`);
  }
  const top = mappings.reduce((a, m) => (end(m) > a ? end(m) : a), reach);
  const format = wide.narrow ? wide.narrow(top) : wide;
  const set: TableSet = { format, tables: [] };
  const root = newTable(set, format.startLevel);
  for (const m of mappings) mapInto(set, root, m.base, m.pa, m.size, m);
  return set;
}

/** Walks the tables like the MMU does; for tests and for `hvcc map`. Returns undefined for a fault. */
export function translate(set: TableSet, address: bigint): { pa: bigint; attributes: bigint; level: number } | undefined {
  // Beyond the input range the walk does not start: a translation fault.
  if (address < 0n || address >= 1n << BigInt(set.format.inputBits)) return undefined;
  let table = set.tables[0]!;
  for (;;) {
    const bs = set.format.entrySize(table.level);
    const entry = table.entries[Number((address / bs) % BigInt(table.entries.length))]!;
    if (entry.kind === 'invalid') return undefined;
    if (entry.kind === 'table') {
      table = set.tables[entry.table]!;
      continue;
    }
    const { pa, attributes } = set.format.decodeLeaf(entry.descriptor, table.level);
    return { pa: pa + (address % bs), attributes, level: table.level };
  }
}
