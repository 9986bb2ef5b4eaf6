// SPDX-License-Identifier: Apache-2.0
/*
 * count: spins with every interrupt masked, counting loop iterations for DURATION_MS of wall-clock time (the
 * virtual counter, which runs on while the vCPU waits for its CPU), prints the count and powers off. It never
 * traps while it counts, so on a CPU it shares only the hypervisor's own timer can take the CPU from it, and
 * its count is its share of the CPU. Built as count (3 s) and count-long (6 s).
 */
#include "guest.h"

#ifndef DURATION_MS
#define DURATION_MS 3000
#endif

#define mrs(reg)	({ uint64_t __v; asm volatile("isb; mrs %0, " #reg : "=r"(__v) : : "memory"); __v; })

int main(void)
{
	uint64_t freq = mrs(cntfrq_el0);
	uint64_t start, end, now;
	uint64_t n = 0;

	asm volatile("msr daifset, #0xf" ::: "memory");
	puts("count: counting for ");
	put_dec(DURATION_MS);
	puts(" ms with interrupts masked\n");
	start = mrs(cntvct_el0);
	end = start + freq / 1000 * DURATION_MS;
	do {
		/* The counter is read only now and then: the loop is the work. */
		for (unsigned int i = 0; i < 4096; i++) {
			n++;
			asm volatile("" : "+r"(n));	/* one step at a time, not folded into one addition */
		}
		now = mrs(cntvct_el0);
	} while (now < end);
	puts("count: ");
	put_dec(n);
	puts(" iterations in ");
	put_dec((now - start) * 1000 / freq);
	puts(" ms\n");
	return 0;
}

void secondary_main(void)
{
}
