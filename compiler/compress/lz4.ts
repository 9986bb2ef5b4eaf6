/**
 * LZ4 block compression (lz4's block format, no frame), what the hypervisor image stores guest images in;
 * the runtime expands them with runtime/core/src/lz4.c. Hash chains looked up to `depth` candidates and one
 * step of lazy matching, as lz4's high-compression mode does: the images are small and compressed once per
 * build, so the ratio matters more than the speed. The output keeps the format's end rules (the last five
 * bytes are literals, no match starts in the last twelve), so any LZ4 block decoder reads it.
 *
 * A block may be made against a dictionary: bytes the expander has in front of the output (lz4's "external
 * dictionary"), which matches reach back into as if they preceded it. The hypervisor image stores a guest
 * piece against an earlier, similar piece (another guest's build of the same code, another device tree).
 *
 * Hand-written rather than a dependency: the npm LZ4 packages are native addons or unmaintained, and the
 * format is a page long.
 */

const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MATCH_FIND_LIMIT = 12;
const MAX_OFFSET = 0xffff;
const HASH_BITS = 16;
const WINDOW_MASK = 0xffff;

function read32(data: Uint8Array, i: number): number {
  return (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0;
}

const hash4 = (data: Uint8Array, i: number) => Math.imul(read32(data, i), 2654435761) >>> (32 - HASH_BITS);

class Writer {
  bytes: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }
  byte(b: number): void {
    this.bytes[this.length++] = b;
  }
  /** The part of a length over the nibble's 15, in bytes of 255 and a last smaller one. */
  extraLength(n: number): void {
    for (n -= 15; n >= 255; n -= 255) this.byte(255);
    this.byte(n);
  }
  sequence(data: Uint8Array, literalStart: number, literals: number, offset: number, match: number): void {
    const matchCode = match === 0 ? 0 : match - MIN_MATCH;
    this.byte((Math.min(literals, 15) << 4) | Math.min(matchCode, 15));
    if (literals >= 15) this.extraLength(literals);
    this.bytes.set(data.subarray(literalStart, literalStart + literals), this.length);
    this.length += literals;
    if (match === 0) return;
    this.byte(offset & 0xff);
    this.byte(offset >> 8);
    if (matchCode >= 15) this.extraLength(matchCode);
  }
}

/** Dictionaries longer than this are used by their last MAX_DICTIONARY bytes: no offset reaches further. */
export const MAX_DICTIONARY = MAX_OFFSET;

/**
 * The block that expands to `data` (it may be larger than `data`: incompressible input); made against
 * `dictionary` when one is given, so that only an expander given the same dictionary reads it.
 */
export function lz4Compress(input: Uint8Array, dictionary?: Uint8Array, depth = 64): Uint8Array {
  // The dictionary and the data as one buffer: positions below `base` are the dictionary's, never written.
  const dict = dictionary ? dictionary.subarray(Math.max(0, dictionary.length - MAX_DICTIONARY)) : new Uint8Array(0);
  const base = dict.length;
  const data = base ? new Uint8Array(base + input.length) : input;
  if (base) {
    data.set(dict);
    data.set(input, base);
  }
  const n = data.length;
  const out = new Writer(input.length + Math.ceil(input.length / 255) + 16);
  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const chain = new Int32Array(WINDOW_MASK + 1).fill(-1);
  const matchLimit = n - LAST_LITERALS; // a match ends before the last five bytes
  const startLimit = n - MATCH_FIND_LIMIT; // and starts before the last twelve
  let inserted = 0; // positions below this are in the hash chains

  const insertUpTo = (end: number) => {
    for (; inserted < end; inserted++) {
      const h = hash4(data, inserted);
      chain[inserted & WINDOW_MASK] = head[h]!;
      head[h] = inserted;
    }
  };
  /** The longest earlier match of the bytes at `i`: [length, offset], length 0 when none reaches MIN_MATCH. */
  const longest = (i: number): [number, number] => {
    insertUpTo(i);
    let best = 0;
    let bestOffset = 0;
    const first = read32(data, i);
    let candidate = head[hash4(data, i)]!;
    for (let tries = depth; candidate >= 0 && i - candidate <= MAX_OFFSET && tries > 0; tries--) {
      if (read32(data, candidate) === first && data[candidate + best] === data[i + best]) {
        let len = MIN_MATCH;
        while (i + len < matchLimit && data[candidate + len] === data[i + len]) len++;
        if (len > best) {
          best = len;
          bestOffset = i - candidate;
        }
      }
      const next = chain[candidate & WINDOW_MASK]!;
      if (next >= candidate) break; // the slot was reused by a newer position: the chain ends here
      candidate = next;
    }
    return best >= MIN_MATCH ? [best, bestOffset] : [0, 0];
  };

  let anchor = base; // first byte not yet written
  let i = base;
  while (i < startLimit) {
    let [len, offset] = longest(i);
    if (len === 0) {
      i++;
      continue;
    }
    // Lazy matching: a longer match one byte on is worth a literal more.
    if (i + 1 < startLimit) {
      const [nextLen, nextOffset] = longest(i + 1);
      if (nextLen > len + 1) {
        i++;
        len = nextLen;
        offset = nextOffset;
      }
    }
    out.sequence(data, anchor, i - anchor, offset, len);
    i += len;
    anchor = i;
  }
  out.sequence(data, anchor, n - anchor, 0, 0);
  return out.bytes.slice(0, out.length);
}
