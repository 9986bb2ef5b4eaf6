// SPDX-License-Identifier: Apache-2.0
/*
 * pmu: tries to watch the hypervisor through its vCPU's performance monitors and debug registers.
 *
 * The PMU's event filters have an EL2 bit (PMEVTYPER<n>_EL0.NSH, PMCCFILTR_EL0.NSH): set, the counters
 * also count while EL2 runs. So the guest counts cycles across 1,000 HVC calls (PSCI_VERSION) twice, with
 * the EL2 bit set and clear, on the cycle counter and on event counter 0 (CPU_CYCLES), keeping the smallest
 * of 5 rounds of each; the difference is what the hypervisor spent handling them. It also reads its filters back, sets the EL2 match bit (HMC)
 * in a breakpoint and a watchpoint control register and reads them back, and reads MDRAR_EL1 (the
 * physical address of the debug ROM table). Every figure is printed: "pmu: <what> = <value>".
 */
#include "guest.h"

#define msr(reg, v)	asm volatile("msr " #reg ", %0; isb" : : "r"((uint64_t)(v)) : "memory")
#define mrs(reg)	({ uint64_t __v; asm volatile("isb; mrs %0, " #reg : "=r"(__v) : : "memory"); __v; })

#define PMCR_E		(1UL << 0)
#define PMCR_P		(1UL << 1)
#define PMCR_C		(1UL << 2)
#define FILTER_NSH	(1UL << 27)	/* count at EL2 */
#define EVENT_CPU_CYCLES 0x11
#define CYCLE_COUNTER	(1UL << 31)
#define HVC_CALLS	1000
#define ROUNDS		5

#define DBGxCR_E	(1UL << 0)
#define DBGxCR_PMC_ALL	(3UL << 1)	/* PMC/PAC: EL1 and EL0 */
#define DBGBCR_BAS	(0xfUL << 5)
#define DBGWCR_BAS	(0xffUL << 5)
#define DBGWCR_LSC	(3UL << 3)	/* loads and stores */
#define DBGxCR_HMC	(1UL << 13)	/* higher mode control: also match at EL2 */
#define DBGxCR_SSC	(1UL << 14)	/* SSC = 0b01: Non-secure only */

static void report(const char *what, uint64_t value)
{
	puts("pmu: ");
	puts(what);
	puts(" = ");
	put_dec(value);
	puts("\n");
}

static void report_hex(const char *what, uint64_t value)
{
	puts("pmu: ");
	puts(what);
	puts(" = ");
	put_hex(value);
	puts("\n");
}

static void set_filters(uint64_t filter)
{
	msr(pmccfiltr_el0, filter);
	msr(pmevtyper0_el0, filter | EVENT_CPU_CYCLES);
}

/* Cycles (cycle counter, event counter 0) over HVC_CALLS hypercalls. */
static void measure(uint64_t *cycles, uint64_t *events)
{
	uint64_t c0, e0;

	msr(pmcr_el0, PMCR_E | PMCR_P | PMCR_C);	/* enable, reset both counters */
	c0 = mrs(pmccntr_el0);
	e0 = mrs(pmevcntr0_el0);
	for (int i = 0; i < HVC_CALLS; i++)
		psci_call(PSCI_VERSION, 0, 0, 0);
	*cycles = mrs(pmccntr_el0) - c0;
	*events = (mrs(pmevcntr0_el0) - e0) & 0xffffffff;
}

int main(void)
{
	uint64_t with_c, with_e, without_c, without_e;

	puts("pmu: counting the hypervisor\n");
	report("PMCR_EL0.N (event counters)", (mrs(pmcr_el0) >> 11) & 0x1f);
	msr(pmcntenset_el0, CYCLE_COUNTER | 1);

	set_filters(FILTER_NSH);
	report_hex("PMCCFILTR_EL0 after writing NSH", mrs(pmccfiltr_el0));
	report_hex("PMEVTYPER0_EL0 after writing NSH", mrs(pmevtyper0_el0));
	msr(pmselr_el0, 31);
	msr(pmxevtyper_el0, FILTER_NSH);
	report_hex("PMXEVTYPER_EL0 (PMSELR 31) after writing NSH", mrs(pmxevtyper_el0));
	msr(pmselr_el0, 0);
	msr(pmxevtyper_el0, FILTER_NSH | EVENT_CPU_CYCLES);
	report_hex("PMXEVTYPER_EL0 (PMSELR 0) after writing NSH", mrs(pmxevtyper_el0));

	/*
	 * The smallest of several rounds, alternating, so that neither measurement pays for a first touch nor
	 * for the host preempting the emulator mid-round (QEMU's cycle counter follows the host's clock).
	 */
	with_c = with_e = without_c = without_e = ~0UL;
	for (int round = 0; round < ROUNDS; round++) {
		uint64_t c, e;

		set_filters(FILTER_NSH);
		measure(&c, &e);
		with_c = c < with_c ? c : with_c;
		with_e = e < with_e ? e : with_e;
		set_filters(0);
		measure(&c, &e);
		without_c = c < without_c ? c : without_c;
		without_e = e < without_e ? e : without_e;
	}
	report("cycles over 1000 HVCs, EL2 counted (cycle counter)", with_c);
	report("cycles over 1000 HVCs, EL2 not counted (cycle counter)", without_c);
	report("cycles over 1000 HVCs, EL2 counted (event counter 0)", with_e);
	report("cycles over 1000 HVCs, EL2 not counted (event counter 0)", without_e);
	report("EL2 cycles seen (cycle counter)", with_c > without_c ? with_c - without_c : 0);
	report("EL2 cycles seen (event counter 0)", with_e > without_e ? with_e - without_e : 0);

	/* Debug: ask breakpoint 0 and watchpoint 0 to match at EL2 too, and read what stuck. */
	msr(dbgbvr0_el1, (uint64_t)main);
	msr(dbgbcr0_el1, DBGxCR_SSC | DBGxCR_HMC | DBGBCR_BAS | DBGxCR_PMC_ALL);
	report_hex("DBGBCR0_EL1 after writing HMC", mrs(dbgbcr0_el1));
	msr(dbgwvr0_el1, 0x40000000);
	msr(dbgwcr0_el1, DBGxCR_SSC | DBGxCR_HMC | DBGWCR_BAS | DBGWCR_LSC | DBGxCR_PMC_ALL);
	report_hex("DBGWCR0_EL1 after writing HMC", mrs(dbgwcr0_el1));
	report_hex("MDRAR_EL1", mrs(mdrar_el1));
	report_hex("MDSCR_EL1", mrs(mdscr_el1));
	report_hex("OSLSR_EL1", mrs(oslsr_el1));
	/* The OS double lock, which a guest's CPU power-down code writes. */
	msr(osdlr_el1, 0);
	report_hex("OSDLR_EL1", mrs(osdlr_el1));
	msr(oslar_el1, 0);
	msr(dbgbcr0_el1, 0);
	msr(dbgwcr0_el1, 0);
	puts("pmu: done\n");
	return 0;
}

void secondary_main(void)
{
}
