// SPDX-License-Identifier: Apache-2.0
/*
 * rtc-alarm: uses the PL031 real-time clock the hypervisor emulates (examples/rtc-emulated) with a virtual
 * GICv3: reads its IDs and counter, sets the match register two seconds ahead, waits for the match
 * interrupt in WFI (interrupts masked, acknowledged with ICC_IAR1_EL1 as in irq.c), clears it, checks that
 * a load through LR sets the counter, and powers off. Every result is printed; a mismatch prints "ERROR".
 */
#include "guest.h"

#define GICD		0x08000000UL
#define GICR		0x080a0000UL	/* vCPU 0's redistributor */
#define GICD_CTLR	0x0000
#define GICD_ISENABLER	0x0100
#define GICD_IROUTER	0x6000
#define GICR_WAKER	0x0014

#define RTC		0x09010000UL
#define RTCDR		0x000
#define RTCMR		0x004
#define RTCLR		0x008
#define RTCCR		0x00c
#define RTCIMSC		0x010
#define RTCRIS		0x014
#define RTCMIS		0x018
#define RTCICR		0x01c
#define RTC_ID		0xfe0

#define RTC_INTID	34		/* SPI 2, as its node says */
#define INTID_SPURIOUS	1023

static inline void w32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint32_t r32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void w64(uint64_t addr, uint64_t v)
{
	*(volatile uint64_t *)addr = v;
}

#define msr(reg, v)	asm volatile("msr " #reg ", %0; isb" : : "r"((uint64_t)(v)) : "memory")
#define mrs(reg)	({ uint64_t __v; asm volatile("isb; mrs %0, " #reg : "=r"(__v) : : "memory"); __v; })

static void check(const char *what, uint64_t got, uint64_t want)
{
	puts("rtc-alarm: ");
	puts(what);
	puts(" = ");
	put_dec(got);
	puts(got == want ? " ok\n" : " ERROR: unexpected\n");
}

/* The four ID bytes at RTC + off, as one word (PeriphID3..0 or PCellID3..0). */
static uint32_t id_word(unsigned long off)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = v << 8 | (r32(RTC + off + 4 * i) & 0xff);
	return v;
}

/* Waits (WFI, interrupts masked) for an interrupt and acknowledges it. */
static uint64_t wait_irq(void)
{
	for (;;) {
		uint64_t intid = mrs(S3_0_C12_C12_0) & 0xffffff;	/* ICC_IAR1_EL1 */

		if (intid != INTID_SPURIOUS)
			return intid;
		asm volatile("wfi" ::: "memory");
	}
}

int main(void)
{
	uint64_t freq = mrs(cntfrq_el0);
	uint64_t start, waited_ms, intid;
	uint32_t now, then;

	puts("rtc-alarm: emulated PL031\n");
	puts("rtc-alarm: PeriphID ");
	put_hex(id_word(RTC_ID));
	puts(", PCellID ");
	put_hex(id_word(RTC_ID + 0x10));
	puts("\n");
	check("CR (counter running)", r32(RTC + RTCCR), 1);

	/* The GIC: distributor on, vCPU 0's redistributor awake, the RTC's SPI routed to vCPU 0 and enabled. */
	w32(GICD + GICD_CTLR, (1U << 4) | (1U << 1));	/* ARE, EnableGrp1 */
	w32(GICR + GICR_WAKER, r32(GICR + GICR_WAKER) & ~2U);
	while (r32(GICR + GICR_WAKER) & 4U)
		;
	msr(S3_0_C4_C6_0, 0xff);	/* ICC_PMR_EL1 */
	msr(S3_0_C12_C12_7, 1);		/* ICC_IGRPEN1_EL1 */
	w64(GICD + GICD_IROUTER + RTC_INTID * 8, 0);
	w32(GICD + GICD_ISENABLER + 4 * (RTC_INTID / 32), 1U << (RTC_INTID % 32));

	/* Two seconds ahead: the match comes when the counter ticks twice, 1 to 2 s from now. */
	now = r32(RTC + RTCDR);
	puts("rtc-alarm: DR ");
	put_dec(now);
	puts(", match set 2 s ahead\n");
	w32(RTC + RTCMR, now + 2);
	w32(RTC + RTCIMSC, 1);
	start = mrs(cntvct_el0);
	intid = wait_irq();
	waited_ms = (mrs(cntvct_el0) - start) * 1000 / freq;
	then = r32(RTC + RTCDR);
	check("match interrupt", intid, RTC_INTID);
	check("MIS at the interrupt", r32(RTC + RTCMIS), 1);
	check("DR at the interrupt - DR before", then - now, 2);
	puts("rtc-alarm: the interrupt arrived after ");
	put_dec(waited_ms);
	puts(waited_ms >= 1000 && waited_ms <= 2500 ? " ms ok\n" : " ms ERROR: not between 1 and 2 s\n");

	w32(RTC + RTCICR, 1);
	check("RIS after ICR", r32(RTC + RTCRIS), 0);
	msr(S3_0_C12_C12_1, intid);	/* ICC_EOIR1_EL1 */
	check("nothing pending after the clear", mrs(S3_0_C12_C12_0) & 0xffffff, INTID_SPURIOUS);

	w32(RTC + RTCLR, 1000000);
	now = r32(RTC + RTCDR);
	check("DR after loading 1000000", now, 1000000);
	puts("rtc-alarm: done\n");
	return 0;
}

void secondary_main(void)
{
}
