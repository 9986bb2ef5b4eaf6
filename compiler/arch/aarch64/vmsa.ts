import type { Mapping, TableFormat } from '../backend.js';

/**
 * VMSAv8-64 translation tables with the 4 KiB granule: the EL2 stage-1 regime (the hypervisor's identity
 * map) and stage 2 (each guest). Both start at level 1 with a 39-bit input range: one 4 KiB root table, no
 * concatenation. The runtime loads TCR_EL2, MAIR_EL2 and VTCR_EL2 from the generated config, so these
 * constants are the only place they are defined.
 */

const DESC_BLOCK = 0b01n;
const DESC_TABLE_OR_PAGE = 0b11n;
const AF = 1n << 10n;
const SH_INNER = 3n << 8n;
const OUTPUT_MASK = (1n << 48n) - 1n;

export const INPUT_BITS = 39;
const START_LEVEL = 1;

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

const T0SZ = BigInt(64 - INPUT_BITS);
const WBWA = 1n; /* inner/outer write-back read/write-allocate walks */
/** TCR_EL2 (non-VHE) without PS: T0SZ, walk cacheability/shareability, 4 KiB granule, RES1 bits 23 and 31. */
export const EL2_TCR = T0SZ | (WBWA << 8n) | (WBWA << 10n) | (3n << 12n) | (1n << 23n) | (1n << 31n);
/** VTCR_EL2 without PS: T0SZ, SL0 = 1 (start at level 1), walk attributes, 4 KiB granule, RES1 bit 31. */
export const VTCR = T0SZ | (1n << 6n) | (WBWA << 8n) | (WBWA << 10n) | (3n << 12n) | (1n << 31n);

function vmsaFormat(name: string, attributes: (m: Mapping) => bigint): TableFormat {
  return {
    name,
    granule: 4096n,
    inputBits: INPUT_BITS,
    startLevel: START_LEVEL,
    lastLevel: 3,
    entries: () => 512,
    entrySize: (level) => 1n << BigInt(12 + 9 * (3 - level)),
    leafAllowed: (level) => level >= 1,
    leaf: (pa, level, m) => pa | attributes(m) | (level === 3 ? DESC_TABLE_OR_PAGE : DESC_BLOCK),
    tableBits: DESC_TABLE_OR_PAGE,
    decodeLeaf: (descriptor, level) => {
      const mask = OUTPUT_MASK & ~((1n << BigInt(12 + 9 * (3 - level))) - 1n);
      return { pa: descriptor & mask, attributes: descriptor & ~mask & ~0b11n };
    },
  };
}

/** The EL2 stage-1 regime: the hypervisor's own view of RAM and of the devices its drivers use. */
export const el2Format = vmsaFormat('VMSAv8-64 EL2 stage 1, 4 KiB granule', (m) => (m.kind === 'ram' ? EL2_NORMAL | (m.readOnly ? EL2_READ_ONLY : 0n) : EL2_DEVICE));

/** Stage 2: a guest's guest-physical space. */
export const stage2Format = vmsaFormat('VMSAv8-64 stage 2, 4 KiB granule', (m) => (m.kind === 'ram' ? (m.readOnly ? S2_NORMAL & ~S2AP_WRITE : S2_NORMAL) : S2_DEVICE));
