// SPDX-License-Identifier: Apache-2.0
/*
 * smp: a two-vCPU guest exercising guest PSCI: CPU_ON of vCPU 1 (MPIDR 1), AFFINITY_INFO while it runs and
 * after it calls CPU_OFF, the error returns of CPU_ON (already on, no such CPU), and a second CPU_ON of the
 * same vCPU. Every result is printed and checked; any mismatch prints "ERROR".
 */
#include "guest.h"

#define PSCI_ALREADY_ON			(-4)
#define PSCI_INVALID_PARAMETERS		(-2)
#define PSCI_INVALID_ADDRESS		(-9)
#define AFF_ON				0
#define AFF_OFF				1

extern char secondary_start[];

static uint8_t stack1[4096] __attribute__((aligned(16)));
static volatile uint64_t runs;	/* .bss: how often vCPU 1 has run secondary_main */

static void check(const char *what, int64_t got, int64_t want)
{
	puts("smp: ");
	puts(what);
	puts(" = ");
	put_dec((uint64_t)(got < 0 ? -got : got));
	if (got < 0)
		puts(" (negative)");
	puts(got == want ? " ok\n" : " ERROR: unexpected\n");
}

static int64_t affinity(uint64_t mpidr)
{
	return psci_call(PSCI_AFFINITY_INFO, mpidr, 0, 0);
}

static void start_and_wait(uint64_t expected_runs)
{
	int64_t ret = psci_call(PSCI_CPU_ON, 1, (uint64_t)secondary_start, (uint64_t)(stack1 + sizeof(stack1)));

	/*
	 * Print only once vCPU 1 is done printing: both vCPUs share one UART, so lines printed at the same
	 * time would mix, exactly as on hardware. WFI traps to the hypervisor and returns (no interrupts yet).
	 */
	if (ret == 0)
		while (runs != expected_runs)
			asm volatile("wfi");
	check("CPU_ON(vCPU 1)", ret, 0);
	/* vCPU 1 calls CPU_OFF right after counting; wait until PSCI says it is off. */
	while (affinity(1) != AFF_OFF)
		;
	check("AFFINITY_INFO(vCPU 1) after its CPU_OFF", affinity(1), AFF_OFF);
}

int main(void)
{
	register uint64_t x0 asm("x0") = PSCI_VERSION;

	puts("smp: vCPU 0 up\n");
	/* The same PSCI over SMC: the hypervisor traps SMC (HCR_EL2.TSC) and steps over it. */
	asm volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	check("PSCI_VERSION over SMC (0x10001)", (int64_t)x0, 0x10001);
	check("AFFINITY_INFO(vCPU 0)", affinity(0), AFF_ON);
	check("AFFINITY_INFO(vCPU 1) before CPU_ON", affinity(1), AFF_OFF);
	check("CPU_ON(vCPU 0, already on)", psci_call(PSCI_CPU_ON, 0, (uint64_t)secondary_start, 0), PSCI_ALREADY_ON);
	check("CPU_ON(MPIDR 7, no such vCPU)", psci_call(PSCI_CPU_ON, 7, (uint64_t)secondary_start, 0),
	      PSCI_INVALID_PARAMETERS);
	check("CPU_ON(vCPU 1, entry outside RAM)", psci_call(PSCI_CPU_ON, 1, 0x10000000, 0), PSCI_INVALID_ADDRESS);
	start_and_wait(1);
	start_and_wait(2);
	puts("smp: done, powering off\n");
	return 0;
}

void secondary_main(void)
{
	uint64_t mpidr;

	asm volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	puts("smp: vCPU 1 up, MPIDR ");
	put_hex(mpidr);
	puts(", run ");
	put_dec(runs + 1);
	puts("\n");
	runs = runs + 1;
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
	puts("smp: ERROR: CPU_OFF returned\n");
}
