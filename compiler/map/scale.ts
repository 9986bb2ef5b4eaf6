import { end, type Range } from '../util/ranges.js';

/**
 * The picture's vertical scale. Address spaces mix 4 KiB device windows with gigabytes of RAM, so a linear
 * scale hides every window: instead each band's height grows with the logarithm of its size (a fixed step
 * per doubling) from a minimum that leaves room for a line of text, and address space nobody claims is cut
 * out and drawn as a break. The RAM bar (ramBar in render-svg.ts) is the linear view.
 */
export const SCALE = {
  /** Height of a band of MIN_SIZE bytes or less. */
  minHeight: 22,
  minSize: 4096n,
  /** Pixels added for each doubling of size above MIN_SIZE. */
  perDoubling: 8,
  /** Height of a break (unclaimed address space cut out). */
  breakHeight: 26,
} as const;

export const SCALE_NOTE =
  `Not to scale: a band's height grows with the logarithm of its size (+${SCALE.perDoubling} px per doubling above 4 KiB), ` +
  'so 4 KiB windows stay visible beside gigabytes of RAM; unused address space is cut out (≈). The RAM bar is to scale.';

function log2(n: bigint): number {
  // Exact enough for heights: the bit length plus the fraction from the top 52 bits.
  const bits = n.toString(2).length;
  if (bits <= 52) return Math.log2(Number(n));
  return bits - 52 + Math.log2(Number(n >> BigInt(bits - 52)));
}

export function bandHeight(size: bigint): number {
  if (size <= SCALE.minSize) return SCALE.minHeight;
  return Math.round(SCALE.minHeight + SCALE.perDoubling * (log2(size) - log2(SCALE.minSize)));
}

export type Row<T> = { kind: 'band'; item: T; y: number; height: number } | { kind: 'break'; from: bigint; to: bigint; y: number; height: number };

/** Rows for a column of ranges (sorted by base; overlaps already cut into pieces): bands, and breaks between non-adjacent ones. */
export function layoutColumn<T>(items: readonly T[], range: (t: T) => Range, y0 = 0): { rows: Row<T>[]; height: number } {
  const rows: Row<T>[] = [];
  let y = y0;
  let last: bigint | undefined;
  for (const item of items) {
    const r = range(item);
    if (last !== undefined && r.base > last) {
      rows.push({ kind: 'break', from: last, to: r.base, y, height: SCALE.breakHeight });
      y += SCALE.breakHeight;
    }
    const h = bandHeight(r.size);
    rows.push({ kind: 'band', item, y, height: h });
    y += h;
    last = last === undefined || end(r) > last ? end(r) : last;
  }
  return { rows, height: y - y0 };
}
