import type { Mapping, TableFormat } from '../backend.js';

/**
 * RISC-V page tables (privileged specification, "Supervisor-Level ISA": Sv39; "Hypervisor Extension":
 * Sv39x4): the hypervisor's own Sv39 identity map (satp) and each guest's Sv39x4 G-stage (hgatp). Both use
 * 4 KiB pages, 8-byte PTEs and three levels; Sv39x4 widens the guest-physical address to 41 bits by making
 * the root four times as large (2048 entries, 16 KiB, aligned to 16 KiB).
 *
 * Level numbering here is the generic builder's, root first: level 0 maps 1 GiB per entry (the spec's
 * level 2), level 1 maps 2 MiB, level 2 maps 4 KiB pages (the spec's level 0).
 *
 * A PTE holds the next table's (or the page's) physical page number at bit 10, not its address: a non-leaf
 * PTE is (PPN << 10) | V. No ELF relocation computes `symbol >> 2`, so the config module cannot leave table
 * addresses to the linker in that form. The compiler writes a non-leaf PTE as `address | V` (R = W = X = 0
 * marks it as a pointer to the next level) and the runtime rewrites each one to `(address >> 2) | V` once, on
 * the boot hart, before it turns on translation (runtime/arch/riscv64/src/pgtable.c). Leaves are complete
 * here: their output addresses are known now.
 */

export const PTE_V = 1n << 0n;
export const PTE_R = 1n << 1n;
export const PTE_W = 1n << 2n;
export const PTE_X = 1n << 3n;
export const PTE_U = 1n << 4n;
export const PTE_G = 1n << 5n;
export const PTE_A = 1n << 6n;
export const PTE_D = 1n << 7n;
const PPN_SHIFT = 10n;
const PPN_MASK = (1n << 44n) - 1n;

/** satp.MODE / hgatp.MODE: Sv39 and Sv39x4 are both 8. */
export const SATP_MODE_SV39 = 8n;
export const HGATP_MODE_SV39X4 = 8n;

/*
 * A and D are set in every leaf: an implementation may raise a page fault instead of setting them (and
 * these tables are constant data), so none is left for hardware to update.
 */
const LEAF_BITS = PTE_V | PTE_A | PTE_D;

/** The hypervisor's identity map: RAM read/write/execute (read-only where asked), devices read/write. Global: one address space. */
export const HS_RAM = LEAF_BITS | PTE_R | PTE_W | PTE_X | PTE_G;
export const HS_DEVICE = LEAF_BITS | PTE_R | PTE_W | PTE_G;

/** G-stage leaves must have U set (guest accesses count as U-mode for the G-stage) and G clear. */
export const G_RAM = LEAF_BITS | PTE_R | PTE_W | PTE_X | PTE_U;
export const G_DEVICE = LEAF_BITS | PTE_R | PTE_W | PTE_U;

function svFormat(name: string, inputBits: number, rootEntries: number, attributes: (m: Mapping) => bigint): TableFormat {
  const shift = (level: number) => BigInt(12 + 9 * (2 - level));
  return {
    name,
    granule: 4096n,
    inputBits,
    startLevel: 0,
    lastLevel: 2,
    entries: (level) => (level === 0 ? rootEntries : 512),
    entrySize: (level) => 1n << shift(level),
    leafAllowed: () => true,
    leaf: (pa, _level, m) => ((pa >> 12n) << PPN_SHIFT) | attributes(m),
    // `address | V`: rewritten to `(address >> 2) | V` at boot (see above).
    tableBits: PTE_V,
    decodeLeaf: (descriptor, level) => {
      const ppn = (descriptor >> PPN_SHIFT) & PPN_MASK;
      const pa = (ppn << 12n) & ~((1n << shift(level)) - 1n);
      return { pa, attributes: descriptor & 0x3ffn };
    },
  };
}

/** satp, Sv39: the hypervisor's own view of RAM and of the devices its drivers use. */
export const sv39Format = svFormat('RISC-V Sv39 (HS-mode)', 39, 512, (m) => (m.kind === 'ram' ? HS_RAM : HS_DEVICE) & ~(m.readOnly ? PTE_W : 0n));

/** hgatp, Sv39x4: a guest's guest-physical space. */
export const sv39x4Format = svFormat('RISC-V Sv39x4 (G-stage)', 41, 2048, (m) => (m.kind === 'ram' ? G_RAM : G_DEVICE) & ~(m.readOnly ? PTE_W : 0n));
