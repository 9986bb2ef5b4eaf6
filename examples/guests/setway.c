// SPDX-License-Identifier: Apache-2.0
/*
 * setway: cache maintenance by set/way, the way firmware cleans its caches before turning them off.
 *
 * DC ISW/CSW/CISW name a cache line by its position in the cache, not by address, so a guest running them
 * on the real caches would clean or drop lines of every guest that shares that cache (an invalidate without
 * clean loses their data). The hypervisor must trap them and do something safe instead. The guest walks
 * every data/unified cache level CLIDR_EL1 reports, all sets and ways, once with each instruction, and
 * prints how many operations that was and how many cycles (PMCCNTR_EL0, EL1 only) they took. Then it does
 * what firmware does around such a walk: turns its MMU and caches on (an identity map, RAM write-back
 * cacheable), writes a pattern, cleans by set/way, turns them off and checks the pattern in memory.
 */
#include "guest.h"

#define msr(reg, v)	asm volatile("msr " #reg ", %0; isb" : : "r"((uint64_t)(v)) : "memory")
#define mrs(reg)	({ uint64_t __v; asm volatile("isb; mrs %0, " #reg : "=r"(__v) : : "memory"); __v; })

#define SCTLR_M		(1UL << 0)
#define SCTLR_C		(1UL << 2)
#define SCTLR_I		(1UL << 12)

/* Stage 1: 4 KiB granule, 32-bit VAs, level 1 blocks of 1 GiB: devices below 1 GiB, RAM above. */
#define TCR_IDENTITY	(32UL | 1UL << 8 | 1UL << 10 | 3UL << 12)	/* T0SZ 32, WB WA inner/outer, inner shareable */
#define MAIR_IDENTITY	(0xffUL << 8)					/* attr 0 Device-nGnRnE, attr 1 Normal WB */
#define BLOCK_DEVICE	(0x1UL | 1UL << 10 | 0UL << 2)			/* block, AF, attr 0 */
#define BLOCK_RAM	(0x1UL | 1UL << 10 | 1UL << 2 | 3UL << 8)	/* block, AF, attr 1, inner shareable */

static uint64_t level1[4] __attribute__((aligned(4096)));

enum op { ISW, CSW, CISW };

static volatile uint64_t pattern[512] __attribute__((aligned(64)));

static void dc_sw(enum op op, uint64_t v)
{
	switch (op) {
	case ISW:
		asm volatile("dc isw, %0" : : "r"(v) : "memory");
		break;
	case CSW:
		asm volatile("dc csw, %0" : : "r"(v) : "memory");
		break;
	case CISW:
		asm volatile("dc cisw, %0" : : "r"(v) : "memory");
		break;
	}
}

static uint64_t log2_up(uint64_t v)
{
	uint64_t n = 0;

	while ((1UL << n) < v)
		n++;
	return n;
}

/* Every set and way of every data or unified cache level, as firmware does it. Returns the count. */
static uint64_t walk(enum op op)
{
	uint64_t clidr = mrs(clidr_el1), ops = 0;
	uint64_t loc = (clidr >> 24) & 7;

	for (uint64_t level = 0; level < loc; level++) {
		uint64_t type = (clidr >> (level * 3)) & 7;

		if (type < 2)
			continue;	/* no cache, or instruction only */
		msr(csselr_el1, level << 1);
		uint64_t ccsidr = mrs(ccsidr_el1);
		uint64_t line_shift = (ccsidr & 7) + 4;
		uint64_t ways = ((ccsidr >> 3) & 0x3ff) + 1;
		uint64_t sets = ((ccsidr >> 13) & 0x7fff) + 1;
		uint64_t way_shift = 32 - log2_up(ways);

		for (uint64_t way = 0; way < ways; way++)
			for (uint64_t set = 0; set < sets; set++, ops++)
				dc_sw(op, (way << way_shift) | (set << line_shift) | (level << 1));
	}
	asm volatile("dsb sy" ::: "memory");
	return ops;
}

static void timed_walk(const char *name, enum op op)
{
	uint64_t c0 = mrs(pmccntr_el0);
	uint64_t ops = walk(op);
	uint64_t cycles = mrs(pmccntr_el0) - c0;

	puts("setway: DC ");
	puts(name);
	puts(": ");
	put_dec(ops);
	puts(" operations, ");
	put_dec(cycles);
	puts(" cycles\n");
}

int main(void)
{
	uint64_t bad = 0;

	puts("setway: cache maintenance by set/way\n");
	msr(pmcr_el0, 1 | 4);			/* enable, reset the cycle counter */
	msr(pmccfiltr_el0, 0);			/* EL1 only */
	msr(pmcntenset_el0, 1UL << 31);

	timed_walk("ISW", ISW);
	timed_walk("CSW", CSW);
	timed_walk("CISW", CISW);

	/* MMU and caches on, data written through the cache, a set/way clean, MMU and caches off. */
	level1[0] = 0x00000000UL | BLOCK_DEVICE;
	level1[1] = 0x40000000UL | BLOCK_RAM;
	asm volatile("dsb sy" ::: "memory");
	msr(mair_el1, MAIR_IDENTITY);
	msr(tcr_el1, TCR_IDENTITY);
	msr(ttbr0_el1, (uint64_t)level1);
	asm volatile("tlbi vmalle1; dsb sy; isb" ::: "memory");
	msr(sctlr_el1, mrs(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I);
	puts("setway: MMU and caches on\n");
	for (int i = 0; i < 512; i++)
		pattern[i] = 0x5e7a0000UL + (uint64_t)i;
	walk(CISW);
	msr(sctlr_el1, mrs(sctlr_el1) & ~(SCTLR_M | SCTLR_C | SCTLR_I));
	asm volatile("ic iallu; dsb sy; isb" ::: "memory");
	for (int i = 0; i < 512; i++)
		bad += pattern[i] != 0x5e7a0000UL + (uint64_t)i;
	puts(bad ? "setway: ERROR: data lost across a set/way clean\n" : "setway: data intact after MMU and caches off\n");
	timed_walk("CISW again", CISW);
	puts("setway: done\n");
	return 0;
}

void secondary_main(void)
{
}
