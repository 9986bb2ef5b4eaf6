// SPDX-License-Identifier: Apache-2.0
/*
 * ctxcheck: puts values of its own (from the counter at start, so that two of them differ) into its FP/SIMD
 * registers, FPCR, the EL1 system registers a guest owns, its virtual timer's compare value, and (through the
 * hypervisor's traps) PMU counters and a breakpoint and a watchpoint value, then computes
 * for ROUNDS rounds, long enough each to be switched out and in many times on a CPU it shares, and after each
 * round checks every register still holds its value. Prints what differs, or that all rounds were clean.
 * The guest is built -mgeneral-regs-only: the compiler leaves the vector registers alone, only the asm here
 * touches them.
 */
#include "guest.h"

#ifndef ROUNDS
#define ROUNDS 20
#endif

#define msr(reg, v)	asm volatile("msr " #reg ", %0; isb" : : "r"((uint64_t)(v)) : "memory")
#define mrs(reg)	({ uint64_t __v; asm volatile("isb; mrs %0, " #reg : "=r"(__v) : : "memory"); __v; })

static uint64_t vregs[64] __attribute__((aligned(16)));	/* q0-q31 as they were put */
static uint64_t seen[64] __attribute__((aligned(16)));
static uint64_t errors;

#define V_ALL(op)							\
	asm volatile(op " q0, q1, [%0, #0]\n\t"  op " q2, q3, [%0, #32]\n\t"	\
		     op " q4, q5, [%0, #64]\n\t" op " q6, q7, [%0, #96]\n\t"	\
		     op " q8, q9, [%0, #128]\n\t" op " q10, q11, [%0, #160]\n\t" \
		     op " q12, q13, [%0, #192]\n\t" op " q14, q15, [%0, #224]\n\t" \
		     op " q16, q17, [%0, #256]\n\t" op " q18, q19, [%0, #288]\n\t" \
		     op " q20, q21, [%0, #320]\n\t" op " q22, q23, [%0, #352]\n\t" \
		     op " q24, q25, [%0, #384]\n\t" op " q26, q27, [%0, #416]\n\t" \
		     op " q28, q29, [%0, #448]\n\t" op " q30, q31, [%0, #480]"	\
		     : : "r"(op[0] == 'l' ? vregs : seen) : "memory")

/* The EL1 registers checked, each with a value the architecture keeps as written (MMU off throughout). */
struct sysreg_value {
	const char *name;
	uint64_t want;
};

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void check(const char *name, uint64_t got, uint64_t want, int round)
{
	if (got == want)
		return;
	errors++;
	puts("ctxcheck: ERROR: round ");
	put_dec((uint64_t)round);
	puts(", ");
	puts(name);
	puts(" is ");
	put_hex(got);
	puts(", not ");
	put_hex(want);
	puts("\n");
}

int main(void)
{
	uint64_t seed = mrs(cntvct_el0) | 1;
	uint64_t x = seed;
	uint64_t tpidr0, tpidrro, tpidr1, ctxid, vbar, sp0, mair, elr, far, cval, fpcr;
	uint64_t evtyper, evcntr, ccntr, userenr, bvr, wvr;
	volatile uint64_t sink = 0;

	/* FP/SIMD on for EL1 (CPACR_EL1.FPEN): the hypervisor must keep that too. */
	msr(cpacr_el1, 3UL << 20);
	for (int i = 0; i < 64; i++)
		vregs[i] = next(&x);
	V_ALL("ldp");
	/* Round towards zero and flush-to-zero: FPCR's RMode and FZ bits. */
	fpcr = (3UL << 22) | (1UL << 24);
	msr(fpcr, fpcr);
	tpidr0 = next(&x);
	tpidrro = next(&x);
	tpidr1 = next(&x);
	ctxid = next(&x) & 0xffffffff;
	vbar = 0x40000000UL + (next(&x) & 0x3f) * 0x800;	/* 2 KiB aligned, never used: no exception is taken */
	sp0 = next(&x) & ~0xfUL;
	mair = next(&x);
	elr = next(&x) & ~3UL;
	far = next(&x);
	cval = next(&x) >> 1;					/* the timer stays disabled: only the value is kept */
	msr(tpidr_el0, tpidr0);
	msr(tpidrro_el0, tpidrro);
	msr(tpidr_el1, tpidr1);
	msr(contextidr_el1, ctxid);
	msr(vbar_el1, vbar);
	msr(sp_el0, sp0);
	msr(mair_el1, mair);
	msr(elr_el1, elr);
	msr(far_el1, far);
	msr(cntv_ctl_el0, 0);
	msr(cntv_cval_el0, cval);
	/*
	 * PMU and debug registers trap to the hypervisor, which performs them on the real ones. Counting stays
	 * off (PMCR_EL0.E and every enable bit clear) and the breakpoint and watchpoint disabled, so only the
	 * values must survive; left in the CPU, another guest sharing it would see (and overwrite) them.
	 */
	evtyper = 0x11 + (next(&x) & 3);			/* an event number, no filter bits */
	evcntr = next(&x) & 0xffffffff;
	ccntr = next(&x);
	userenr = next(&x) & 0xf;
	bvr = 0x40000000UL + (next(&x) & 0xfffffc);
	wvr = 0x40000000UL + (next(&x) & 0xfffff8);
	msr(pmcr_el0, 0);
	msr(pmselr_el0, 0);
	msr(pmxevtyper_el0, evtyper);
	msr(pmxevcntr_el0, evcntr);
	msr(pmccntr_el0, ccntr);
	msr(pmuserenr_el0, userenr);
	msr(dbgbcr0_el1, 0);
	msr(dbgbvr0_el1, bvr);
	msr(dbgwcr0_el1, 0);
	msr(dbgwvr0_el1, wvr);
	puts("ctxcheck: registers set, seed ");
	put_hex(seed);
	puts("\n");

	for (int round = 1; round <= ROUNDS; round++) {
		/* Integer work only, long enough to be preempted many times. */
		for (uint64_t i = 0; i < 4000000; i++)
			sink += i ^ (sink >> 3);
		V_ALL("stp");
		for (int i = 0; i < 64; i++)
			check("a vector register", seen[i], vregs[i], round);
		check("FPCR", mrs(fpcr), fpcr, round);
		check("CPACR_EL1", mrs(cpacr_el1), 3UL << 20, round);
		check("TPIDR_EL0", mrs(tpidr_el0), tpidr0, round);
		check("TPIDRRO_EL0", mrs(tpidrro_el0), tpidrro, round);
		check("TPIDR_EL1", mrs(tpidr_el1), tpidr1, round);
		check("CONTEXTIDR_EL1", mrs(contextidr_el1), ctxid, round);
		check("VBAR_EL1", mrs(vbar_el1), vbar, round);
		check("SP_EL0", mrs(sp_el0), sp0, round);
		check("MAIR_EL1", mrs(mair_el1), mair, round);
		check("ELR_EL1", mrs(elr_el1), elr, round);
		check("FAR_EL1", mrs(far_el1), far, round);
		check("CNTV_CVAL_EL0", mrs(cntv_cval_el0), cval, round);
		msr(pmselr_el0, 0);
		check("PMEVTYPER0_EL0", mrs(pmxevtyper_el0), evtyper, round);
		check("PMEVCNTR0_EL0", mrs(pmxevcntr_el0), evcntr, round);
		check("PMCCNTR_EL0", mrs(pmccntr_el0), ccntr, round);
		check("PMUSERENR_EL0", mrs(pmuserenr_el0), userenr, round);
		check("DBGBVR0_EL1", mrs(dbgbvr0_el1), bvr, round);
		check("DBGWVR0_EL1", mrs(dbgwvr0_el1), wvr, round);
		if (errors > 8)
			break;
	}
	if (errors) {
		puts("ctxcheck: ERROR: ");
		put_dec(errors);
		puts(" registers changed\n");
	} else {
		puts("ctxcheck: all ");
		put_dec(ROUNDS);
		puts(" rounds kept every register (32 vector registers, FPCR, 11 system registers, 4 PMU and 2 debug registers)\n");
	}
	return 0;
}

void secondary_main(void)
{
}
