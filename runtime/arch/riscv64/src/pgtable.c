// SPDX-License-Identifier: Apache-2.0
/*
 * The compiler's page tables, made whole. A RISC-V non-leaf PTE holds the next table's physical page number
 * at bit 10 ((PA >> 12) << 10 | V), which no ELF relocation can compute from a symbol, so the config module
 * writes each as `PA | V` (with R = W = X = 0, which marks a pointer to the next level) and leaves the
 * linker to resolve PA. Here, once, on the boot hart and before any table is used, each such entry is
 * rewritten in place. Leaves are complete already (their output addresses are known at compile time).
 *
 * The alternative, giving every table an address the compiler knows, would tie the table layout to the
 * linker script's order; this costs one pass over the tables at boot (a few thousand loads).
 */
#include <hv/core.h>
#include <arch/csr.h>
#include "internal.h"

#define PTE_V		BIT(0)
#define PTE_RWX		(BIT(1) | BIT(2) | BIT(3))
#define PTE_FLAGS	0x3ffUL
#define ENTRIES		512

/* The tables are constant to C: the optimizer must not assume they never change, so they are read and written through volatile. */
static void fixup(volatile u64 *table, u64 entries, int depth)
{
	for (u64 i = 0; i < entries; i++) {
		u64 e = table[i];
		u64 next;

		if (!(e & PTE_V) || (e & PTE_RWX))
			continue;
		next = e & ~0xfffUL;
		table[i] = (next >> PAGE_SHIFT) << 10 | (e & PTE_FLAGS);
		/* Three levels: a pointer below the second is the compiler's mistake, and a walk would fault. */
		if (depth < 2)
			fixup((volatile u64 *)(uintptr_t)next, ENTRIES, depth + 1);
	}
}

void riscv_pgtable_fixup(const struct hv_system_config *c)
{
	fixup((volatile u64 *)(uintptr_t)c->hv_root, ENTRIES, 0);
	/* Sv39x4: a 2048-entry root. */
	for (u64 gi = 0; gi < c->guest_count; gi++)
		fixup((volatile u64 *)(uintptr_t)c->guests[gi].s2_root, 4 * ENTRIES, 0);
	asm volatile("fence rw, rw" ::: "memory");
}
