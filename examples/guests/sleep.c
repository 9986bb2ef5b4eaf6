// SPDX-License-Identifier: Apache-2.0
/*
 * sleep: sleeps SLEEPS times for SLEEP_MS each in WFI with its virtual timer armed and interrupts masked,
 * and prints how late each wake-up was (by the virtual counter), then the worst, and powers off. Built as
 * sleep, for a guest without an interrupt controller (the wait ends when the timer's condition holds), and as
 * sleep-gic, with a virtual GICv3 (it ends on the timer's PPI 27, which is acknowledged and EOI'd; GIC at
 * 0x08000000, redistributor at 0x080a0000).
 */
#include "guest.h"

#ifndef SLEEPS
#define SLEEPS 10
#endif
#ifndef SLEEP_MS
#define SLEEP_MS 50
#endif

#define CNT_ENABLE	1U
#define CNT_ISTATUS	4U

#define msr(reg, v)	asm volatile("msr " #reg ", %0; isb" : : "r"((uint64_t)(v)) : "memory")
#define mrs(reg)	({ uint64_t __v; asm volatile("isb; mrs %0, " #reg : "=r"(__v) : : "memory"); __v; })

#ifdef WITH_GIC
#define GICD		0x08000000UL
#define GICR		0x080a0000UL
#define GICR_SGI	(GICR + 0x10000UL)
#define INTID_VTIMER	27
#define INTID_SPURIOUS	1023

static void gic_init(void)
{
	*(volatile uint32_t *)(GICD + 0x0000) = (1U << 4) | (1U << 1);	/* GICD_CTLR: ARE, EnableGrp1 */
	*(volatile uint32_t *)(GICR + 0x0014) &= ~2U;			/* GICR_WAKER: awake */
	while (*(volatile uint32_t *)(GICR + 0x0014) & 4U)
		;
	*(volatile uint32_t *)(GICR_SGI + 0x0100) = 1U << INTID_VTIMER;	/* GICR_ISENABLER0 */
	msr(S3_0_C4_C6_0, 0xff);	/* ICC_PMR_EL1 */
	msr(S3_0_C12_C12_7, 1);		/* ICC_IGRPEN1_EL1 */
}

/* Waits for the timer's interrupt: WFI ends when it is pending, though PSTATE.I masks it. */
static void wait_timer(void)
{
	for (;;) {
		uint64_t intid = mrs(S3_0_C12_C12_0) & 0xffffff;	/* ICC_IAR1_EL1 */

		if (intid == INTID_VTIMER) {
			msr(cntv_ctl_el0, 0);
			msr(S3_0_C12_C12_1, intid);			/* ICC_EOIR1_EL1 */
			return;
		}
		if (intid != INTID_SPURIOUS) {
			puts("sleep: ERROR: unexpected interrupt ");
			put_dec(intid);
			puts("\n");
			msr(S3_0_C12_C12_1, intid);
		}
		asm volatile("wfi" ::: "memory");
	}
}
#else
/* Waits for the timer's condition: a WFI may end early, so it is checked each time. */
static void wait_timer(void)
{
	while (!(mrs(cntv_ctl_el0) & CNT_ISTATUS))
		asm volatile("wfi" ::: "memory");
	msr(cntv_ctl_el0, 0);
}
#endif

int main(void)
{
	uint64_t freq = mrs(cntfrq_el0);
	uint64_t worst = 0;

#ifdef WITH_GIC
	gic_init();
	puts("sleep: timer interrupts through the virtual GIC\n");
#else
	puts("sleep: timer condition, no interrupt controller\n");
#endif
	for (int i = 0; i < SLEEPS; i++) {
		uint64_t deadline = mrs(cntvct_el0) + freq / 1000 * SLEEP_MS;
		uint64_t late_us;

		msr(cntv_cval_el0, deadline);
		msr(cntv_ctl_el0, CNT_ENABLE);
		wait_timer();
		late_us = (mrs(cntvct_el0) - deadline) * 1000000 / freq;
		if (late_us > worst)
			worst = late_us;
		puts("sleep: ");
		put_dec(SLEEP_MS);
		puts(" ms, woke ");
		put_dec(late_us);
		puts(" us late\n");
	}
	puts("sleep: worst wake-up ");
	put_dec(worst);
	puts(" us late\n");
	return 0;
}

void secondary_main(void)
{
}
