// SPDX-License-Identifier: Apache-2.0
/*
 * rtc: reads the board's PL031 real-time clock, which the description passes through to this guest, so
 * the accesses go straight to the device (no trap). Prints the PrimeCell ID and the time, then powers off.
 *
 * Built with WITH_ALARM (rtc-irq), it then also sets the match register two seconds ahead and waits in WFI
 * for the device's own interrupt (SPI 2, INTID 34), which the hypervisor forwards from the host GIC to the
 * guest's virtual GICv3; it clears it at the device and completes it, and checks nothing is left pending.
 */
#include "guest.h"
#ifdef WITH_ALARM
#include "gic.h"
#endif

#define PL031_BASE	0x09010000UL
#define RTCDR		0x000	/* data register: seconds since the epoch */
#define RTCMR		0x004
#define RTCIMSC		0x010
#define RTCRIS		0x014
#define RTCMIS		0x018
#define RTCICR		0x01c
#define PERIPH_ID0	0xfe0
#define RTC_INTID	34

static uint32_t rtc_read(unsigned long offset)
{
	return *(volatile uint32_t *)(PL031_BASE + offset);
}

#ifdef WITH_ALARM
static void rtc_write(unsigned long offset, uint32_t v)
{
	*(volatile uint32_t *)(PL031_BASE + offset) = v;
}

static void check(const char *what, uint64_t got, uint64_t want)
{
	puts("rtc: ");
	puts(what);
	puts(" = ");
	put_dec(got);
	puts(got == want ? " ok\n" : " ERROR: unexpected\n");
}

static void alarm(void)
{
	uint64_t freq = mrs(cntfrq_el0), start, waited_ms, intid;
	uint32_t now;

	gic_init(RTC_INTID);
	now = rtc_read(RTCDR);
	rtc_write(RTCMR, now + 2);
	rtc_write(RTCIMSC, 1);
	puts("rtc: match set 2 s ahead, waiting for the device's interrupt\n");
	start = mrs(cntvct_el0);
	intid = gic_wait();
	waited_ms = (mrs(cntvct_el0) - start) * 1000 / freq;
	check("interrupt from the passed-through PL031", intid, RTC_INTID);
	check("its MIS at the interrupt", rtc_read(RTCMIS), 1);
	puts("rtc: the interrupt arrived after ");
	put_dec(waited_ms);
	puts(waited_ms >= 900 && waited_ms <= 2600 ? " ms ok\n" : " ms ERROR: not between 1 and 2 s\n");
	rtc_write(RTCICR, 1);
	rtc_write(RTCIMSC, 0);
	gic_eoi(intid);
	check("RIS after ICR", rtc_read(RTCRIS), 0);
	check("nothing pending after the clear", mrs(S3_0_C12_C12_0) & 0xffffff, INTID_SPURIOUS);
}
#endif

int main(void)
{
	puts("rtc: PL031 PeriphID0 ");
	put_hex(rtc_read(PERIPH_ID0));
	puts(", time ");
	put_dec(rtc_read(RTCDR));
	puts(" s since 1970\n");
#ifdef WITH_ALARM
	alarm();
#endif
	return 0;
}

void secondary_main(void)
{
}
