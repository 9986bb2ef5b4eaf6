// SPDX-License-Identifier: Apache-2.0
/*
 * cpuoff: a guest that ends by turning off its last vCPU with PSCI CPU_OFF instead of SYSTEM_OFF.
 * Nothing of it is left running, so the hypervisor must count it as stopped (and power the machine off
 * once the other guests are done too), and say so once.
 *
 * Built plain (cpuoff), vCPU 0 turns itself off. Built with -DTWO_VCPUS (cpuoff-smp), vCPU 0 starts
 * vCPU 1 and turns itself off; vCPU 1 waits until PSCI reports vCPU 0 off, then turns itself off.
 */
#include "guest.h"

#define AFF_OFF 1

extern char secondary_start[];

static uint8_t stack1[4096] __attribute__((aligned(16)));

static void cpu_off(const char *who)
{
	puts("cpuoff: ");
	puts(who);
	puts(" calls PSCI CPU_OFF\n");
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
	puts("cpuoff: ERROR: CPU_OFF returned\n");
	for (;;)
		asm volatile("wfi");
}

int main(void)
{
#ifdef TWO_VCPUS
	int64_t ret = psci_call(PSCI_CPU_ON, 1, (uint64_t)secondary_start, (uint64_t)(stack1 + sizeof(stack1)));

	if (ret != 0)
		puts("cpuoff: ERROR: CPU_ON of vCPU 1 failed\n");
	cpu_off("vCPU 0, leaving vCPU 1 on,");
#else
	(void)stack1;
	cpu_off("vCPU 0, my only vCPU,");
#endif
	return 0;
}

void secondary_main(void)
{
	while (psci_call(PSCI_AFFINITY_INFO, 0, 0, 0) != AFF_OFF)
		;
	cpu_off("vCPU 1, the last one on,");
}
