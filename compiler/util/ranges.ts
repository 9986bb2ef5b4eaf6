/** Half-open address ranges [base, base + size) on bigint addresses. */
export interface Range {
  base: bigint;
  size: bigint;
}

export const KiB = 1024n;
export const MiB = 1024n * KiB;
export const GiB = 1024n * MiB;

export function end(r: Range): bigint {
  return r.base + r.size;
}

export function overlaps(a: Range, b: Range): boolean {
  return a.base < end(b) && b.base < end(a);
}

export function contains(outer: Range, inner: Range): boolean {
  return inner.base >= outer.base && end(inner) <= end(outer);
}

export function alignUp(value: bigint, alignment: bigint): bigint {
  return ((value + alignment - 1n) / alignment) * alignment;
}

export function isAligned(value: bigint, alignment: bigint): boolean {
  return value % alignment === 0n;
}

export function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

export function formatRange(r: Range): string {
  return `[${hex(r.base)}, ${hex(end(r))})`;
}

export function formatSize(size: bigint): string {
  if (size % GiB === 0n) return `${size / GiB} GiB`;
  if (size % MiB === 0n) return `${size / MiB} MiB`;
  if (size % KiB === 0n) return `${size / KiB} KiB`;
  return `${size} bytes`;
}

/** `free` minus `taken`: the pieces of the free ranges no taken range touches, in address order. */
export function subtract(free: readonly Range[], taken: readonly Range[]): Range[] {
  let pieces = free.map((r) => ({ ...r }));
  for (const t of taken) {
    const next: Range[] = [];
    for (const p of pieces) {
      if (!overlaps(p, t)) {
        next.push(p);
        continue;
      }
      if (t.base > p.base) next.push({ base: p.base, size: t.base - p.base });
      if (end(t) < end(p)) next.push({ base: end(t), size: end(p) - end(t) });
    }
    pieces = next;
  }
  return pieces.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
}
