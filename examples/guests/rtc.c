// SPDX-License-Identifier: Apache-2.0
/*
 * rtc: reads the board's PL031 real-time clock, which the description passes through to this guest, so
 * the accesses go straight to the device (no trap). Prints the PrimeCell ID and the time, then powers off.
 */
#include "guest.h"

#define PL031_BASE	0x09010000UL
#define RTCDR		0x000	/* data register: seconds since the epoch */
#define PERIPH_ID0	0xfe0

static uint32_t rtc_read(unsigned long offset)
{
	return *(volatile uint32_t *)(PL031_BASE + offset);
}

int main(void)
{
	puts("rtc: PL031 PeriphID0 ");
	put_hex(rtc_read(PERIPH_ID0));
	puts(", time ");
	put_dec(rtc_read(RTCDR));
	puts(" s since 1970\n");
	return 0;
}

void secondary_main(void)
{
}
