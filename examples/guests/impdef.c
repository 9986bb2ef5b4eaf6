// SPDX-License-Identifier: Apache-2.0
/*
 * impdef: IMPLEMENTATION DEFINED registers. ACTLR_EL1 and the Cortex-A57's S3_1_C15_* and S3_1_C11_*
 * registers control the core and its shared L2 (prefetching, coherency, cache behaviour, error records)
 * and CBAR_EL1 gives away the board's physical peripheral base: a guest must not reach the hardware's.
 *
 * It writes ACTLR_EL1 and reads it back, then touches the register ATTACK selects first:
 *   0  MRS CPUACTLR_EL1  (S3_1_C15_C2_0)     1  MSR CPUECTLR_EL1  (S3_1_C15_C2_1)
 *   2  MRS L2CTLR_EL1    (S3_1_C11_C0_2)     3  MRS CBAR_EL1      (S3_1_C15_C3_0)
 * then all the others, printing each value ("impdef: <register> = <value>"). Before that it times 1,000
 * reads of ACTLR_EL1 against 1,000 of TPIDR_EL1 (never trapped) on the virtual counter, which runs at every
 * exception level (the smallest of 5 rounds each): a trapped register costs a round trip to EL2 each time.
 */
#include "guest.h"

#ifndef ATTACK
#define ATTACK 0
#endif

#define msr(reg, v)	asm volatile("msr " #reg ", %0; isb" : : "r"((uint64_t)(v)) : "memory")
#define mrs(reg)	({ uint64_t __v; asm volatile("isb; mrs %0, " #reg : "=r"(__v) : : "memory"); __v; })

static void report(const char *what, uint64_t value)
{
	puts("impdef: ");
	puts(what);
	puts(" = ");
	put_hex(value);
	puts("\n");
}

static void touch(int which)
{
	switch (which) {
	case 0:
		report("CPUACTLR_EL1", mrs(S3_1_C15_C2_0));
		break;
	case 1: {
		uint64_t v = mrs(S3_1_C15_C2_1);

		/* SMPEN (bit 6) off takes the core out of coherency with the others. */
		msr(S3_1_C15_C2_1, v & ~(1UL << 6));
		report("CPUECTLR_EL1 after clearing SMPEN", mrs(S3_1_C15_C2_1));
		msr(S3_1_C15_C2_1, v);
		break;
	}
	case 2:
		report("L2CTLR_EL1", mrs(S3_1_C11_C0_2));
		break;
	case 3:
		report("CBAR_EL1", mrs(S3_1_C15_C3_0));
		break;
	}
}

#define READS 1000

static uint64_t ticks_actlr(void)
{
	uint64_t t0 = mrs(cntvct_el0), v = 0;

	for (int i = 0; i < READS; i++)
		v += mrs(actlr_el1);
	asm volatile("" : : "r"(v));
	return mrs(cntvct_el0) - t0;
}

static uint64_t ticks_tpidr(void)
{
	uint64_t t0 = mrs(cntvct_el0), v = 0;

	for (int i = 0; i < READS; i++)
		v += mrs(tpidr_el1);
	asm volatile("" : : "r"(v));
	return mrs(cntvct_el0) - t0;
}

int main(void)
{
	uint64_t actlr = mrs(actlr_el1);

	uint64_t t_actlr = ~0UL, t_tpidr = ~0UL;

	/* The smallest of 5 rounds: the host may preempt the emulator in any one of them. */
	for (int round = 0; round < 5; round++) {
		uint64_t a = ticks_actlr(), t = ticks_tpidr();

		t_actlr = a < t_actlr ? a : t_actlr;
		t_tpidr = t < t_tpidr ? t : t_tpidr;
	}
	puts("impdef: counter ticks for 1000 reads of ACTLR_EL1 = ");
	put_dec(t_actlr);
	puts("\nimpdef: counter ticks for 1000 reads of TPIDR_EL1 = ");
	put_dec(t_tpidr);
	puts("\n");

	report("ACTLR_EL1", actlr);
	msr(actlr_el1, ~0UL);
	report("ACTLR_EL1 after writing all ones", mrs(actlr_el1));
	msr(actlr_el1, actlr);

	puts("impdef: touching IMPLEMENTATION DEFINED register ");
	put_dec(ATTACK);
	puts("\n");
	touch(ATTACK);
	for (int i = 0; i < 4; i++)
		if (i != ATTACK)
			touch(i);
	puts("impdef: ERROR: the hypervisor let me use them\n");
	return 0;
}

void secondary_main(void)
{
}
