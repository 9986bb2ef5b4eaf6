// SPDX-License-Identifier: Apache-2.0
/*
 * exits: the per-exit benchmark's guest (test/bench/exits.ts). One vCPU with a virtual GICv3 makes, in
 * turn, exits of one kind each, so a TCG plugin counting the hypervisor's instructions per exit can report
 * them by kind:
 *
 *   1. WRITES PL011 data-register writes, never a flag-register read in between (the emulated UART is
 *      never full): each is one data abort the PL011 emulator handles;
 *   2. SGIS ICC_SGI1R_EL1 writes (an SGI to itself, interrupts masked): each traps to the virtual GIC;
 *   3. TIMERS virtual timer interrupts, each armed a little ahead while the guest spins (no WFI), taken
 *      by the hypervisor and injected, then acknowledged through the virtual CPU interface (no exit);
 *   4. one write outside its RAM: the stage-2 fault the hypervisor reports, stopping the guest.
 *
 * Only the data register is touched, also for the lines around each phase (no puts: it reads the flag
 * register first), so that every PL011 exit is a data-register write.
 */
#include "guest.h"

#define WRITES	512
#define SGIS	256
#define TIMERS	64

#define GICD		0x08000000UL
#define GICR		0x080a0000UL
#define GICR_SGI	(GICR + 0x10000UL)
#define GICD_CTLR	0x0000
#define GICR_WAKER	0x0014
#define GICR_IGROUPR0	0x0080
#define GICR_ISENABLER0	0x0100
#define INTID_SPURIOUS	1023

#define msr(reg, v)	asm volatile("msr " #reg ", %0; isb" : : "r"((uint64_t)(v)) : "memory")
#define mrs(reg)	({ uint64_t __v; asm volatile("isb; mrs %0, " #reg : "=r"(__v) : : "memory"); __v; })

static inline void w32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint32_t r32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static void dr_puts(const char *s)
{
	while (*s)
		w32(UART_BASE, (uint32_t)*s++);
}

void secondary_main(void)
{
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
}

int main(void)
{
	uint64_t freq = mrs(cntfrq_el0);

	dr_puts("exits: 1. PL011 data-register writes\n");
	for (int i = 0; i < WRITES; i++)
		w32(UART_BASE, (i % 64 == 63) ? '\n' : (uint32_t)('a' + i % 26));

	w32(GICD + GICD_CTLR, (1U << 4) | (1U << 1));	/* ARE, EnableGrp1 */
	w32(GICR + GICR_WAKER, r32(GICR + GICR_WAKER) & ~2U);
	while (r32(GICR + GICR_WAKER) & 4U)
		;
	w32(GICR_SGI + GICR_IGROUPR0, 0xffffffff);
	w32(GICR_SGI + GICR_ISENABLER0, (1U << 1) | (1U << 27));
	msr(S3_0_C4_C6_0, 0xff);			/* ICC_PMR_EL1 */
	msr(S3_0_C12_C12_7, 1);				/* ICC_IGRPEN1_EL1 */

	dr_puts("exits: 2. SGIs through ICC_SGI1R_EL1\n");
	for (int i = 0; i < SGIS; i++)
		msr(S3_0_C12_C11_5, (1UL << 24) | 1);	/* SGI 1 to Aff0 0: this vCPU */
	for (int i = 0; i < 1000; i++) {		/* the SGI, pending since the first write */
		uint64_t intid = mrs(S3_0_C12_C12_0) & 0xffffff;
		if (intid != INTID_SPURIOUS) {
			msr(S3_0_C12_C12_1, intid);
			break;
		}
	}

	dr_puts("exits: 3. virtual timer interrupts\n");
	for (int i = 0; i < TIMERS; i++) {
		msr(cntv_tval_el0, freq / 20000);	/* 50 us ahead */
		msr(cntv_ctl_el0, 1);
		for (;;) {
			uint64_t intid = mrs(S3_0_C12_C12_0) & 0xffffff;	/* ICC_IAR1_EL1 */
			if (intid == 27) {
				msr(cntv_ctl_el0, 0);
				msr(S3_0_C12_C12_1, intid);	/* ICC_EOIR1_EL1 */
				break;
			}
			if (intid != INTID_SPURIOUS)
				msr(S3_0_C12_C12_1, intid);
			/* no WFI: the interrupt must arrive while the guest runs, as an exit of its own */
		}
	}

	dr_puts("exits: 4. a stage-2 fault\n");
	w32(OUTSIDE_RAM, 1);
	dr_puts("exits: ERROR: the write outside RAM went through\n");
	return 0;
}
