import type { Mapping, TableFormat } from '../backend.js';

/**
 * VMSAv8-64 translation tables with the 4 KiB granule: the EL2 stage-1 regime (the hypervisor's identity
 * map) and stage 2 (each guest). Each is sized to its address space (`narrow`): the input range is the
 * smallest power of two holding the highest address mapped (at least 25 bits, at most 39), and the walk
 * starts where the Arm ARM puts it for that range. 31 to 39 bits start at level 1 with a root of 2 to 512
 * entries; 25 to 30 bits start at level 2 with 16 to 512. (Stage 2 could also start at level 2 for 31 to 34
 * bits with concatenated roots, but that root alone is 8 KiB or more; stage 1 has no choice.) A root of
 * fewer than 512 entries is aligned to its own size (D8.2.5.2; 64 bytes at least, which a table of fewer
 * than eight entries needs with an output size above 48 bits: the runtime programs at most 48, but the
 * rule costs nothing to follow). The runtime loads TCR_EL2, MAIR_EL2 and VTCR_EL2 from the generated
 * config, so the functions below are the only place their values are made.
 */

const DESC_BLOCK = 0b01n;
const DESC_TABLE_OR_PAGE = 0b11n;
const AF = 1n << 10n;
const SH_INNER = 3n << 8n;
const OUTPUT_MASK = (1n << 48n) - 1n;

/** The largest input range: a level-1 root of one whole table, no concatenation. */
export const INPUT_BITS = 39;
/** The smallest: TnSZ at most 39 (without FEAT_TTST). */
export const MIN_INPUT_BITS = 25;

/** The level a walk of a `bits`-bit input range starts at (stage 1 fixes it; stage 2 is set to the same). */
export function startLevel(bits: number): number {
  return bits > 30 ? 1 : 2;
}

/** Bytes one entry at `level` maps. */
const entrySize = (level: number) => 1n << BigInt(12 + 9 * (3 - level));

/** MAIR_EL2: attribute index 0 = Device-nGnRnE, index 1 = Normal write-back read/write-allocate. */
export const EL2_MAIR = 0xffn << 8n;
export const EL2_NORMAL = (1n << 2n) | SH_INNER | AF;
/** Device memory, execute-never. */
export const EL2_DEVICE = (0n << 2n) | AF | (1n << 54n);
const EL2_READ_ONLY = 2n << 6n; /* AP[2:1] = 0b10 */

/** Stage 2: MemAttr Normal inner/outer write-back, S2AP read/write. */
export const S2_NORMAL = (0xfn << 2n) | (3n << 6n) | SH_INNER | AF;
/** Stage 2: MemAttr Device-nGnRE, read/write, execute-never. */
export const S2_DEVICE = (0x1n << 2n) | (3n << 6n) | AF | (2n << 53n);
const S2AP_WRITE = 2n << 6n;

const WBWA = 1n; /* inner/outer write-back read/write-allocate walks */

/**
 * TCR_EL2 (non-VHE) without PS, for tables in `format`: T0SZ, walk cacheability/shareability, 4 KiB granule,
 * RES1 bits 23 and 31. The starting level follows from T0SZ.
 */
export function el2Tcr(format: TableFormat): bigint {
  return BigInt(64 - format.inputBits) | (WBWA << 8n) | (WBWA << 10n) | (3n << 12n) | (1n << 23n) | (1n << 31n);
}

/** VTCR_EL2 without PS, for tables in `format`: T0SZ, SL0 (0 starts at level 2, 1 at level 1), walk attributes, 4 KiB granule, RES1 bit 31. */
export function vtcr(format: TableFormat): bigint {
  return BigInt(64 - format.inputBits) | (BigInt(2 - format.startLevel) << 6n) | (WBWA << 8n) | (WBWA << 10n) | (3n << 12n) | (1n << 31n);
}

/** The number of input bits a range ending at `end` needs (within the format's limits). */
export function inputBitsFor(end: bigint): number {
  let bits = MIN_INPUT_BITS;
  while (bits < INPUT_BITS && 1n << BigInt(bits) < end) bits++;
  return bits;
}

function vmsaFormat(name: string, attributes: (m: Mapping) => bigint, bits = INPUT_BITS): TableFormat {
  const start = startLevel(bits);
  return {
    name,
    granule: 4096n,
    inputBits: bits,
    startLevel: start,
    lastLevel: 3,
    entries: (level) => (level === start ? Number((1n << BigInt(bits)) / entrySize(start)) : 512),
    entrySize,
    leafAllowed: (level) => level >= 1,
    leaf: (pa, level, m) => pa | attributes(m) | (level === 3 ? DESC_TABLE_OR_PAGE : DESC_BLOCK),
    tableBits: DESC_TABLE_OR_PAGE,
    decodeLeaf: (descriptor, level) => {
      const mask = OUTPUT_MASK & ~(entrySize(level) - 1n);
      return { pa: descriptor & mask, attributes: descriptor & ~mask & ~0b11n };
    },
    narrow: (end) => vmsaFormat(name, attributes, inputBitsFor(end)),
  };
}

/** The EL2 stage-1 regime: the hypervisor's own view of RAM and of the devices its drivers use. */
export const el2Format = vmsaFormat('VMSAv8-64 EL2 stage 1, 4 KiB granule', (m) => (m.kind === 'ram' ? EL2_NORMAL | (m.readOnly ? EL2_READ_ONLY : 0n) : EL2_DEVICE));

/** Stage 2: a guest's guest-physical space. */
export const stage2Format = vmsaFormat('VMSAv8-64 stage 2, 4 KiB granule', (m) => (m.kind === 'ram' ? (m.readOnly ? S2_NORMAL & ~S2AP_WRITE : S2_NORMAL) : S2_DEVICE));
