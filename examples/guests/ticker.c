// SPDX-License-Identifier: Apache-2.0
/*
 * ticker: checks that it was loaded into clean memory, then counts for ever, a line every COUNT_DELAY_MS
 * milliseconds ("count: N"), or as fast as it can without a delay. The management terminal's tests
 * pause it (the count holds), resume it (it goes on from where it was), and stop and start it again: the
 * checks at the start then say whether the restart was a clean one (.data as in the image, .bss zero,
 * and no trace of the previous run in RAM beyond the image, where it leaves a mark).
 */
#include "guest.h"

#define MARK_ADDR	0x40800000UL	/* guest RAM beyond the image: only a cold start clears it */
#define MARK		0x434f554e54UL	/* "COUNT" */

static volatile uint64_t data_word = 0x0123456789abcdefUL;
static volatile uint64_t bss_words[32];

#ifdef COUNT_DELAY_MS
static void delay_ms(uint64_t ms)
{
	uint64_t freq, start, now;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(start));
	do
		asm volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
	while (now - start < freq / 1000 * ms);
}
#endif

int main(void)
{
	volatile uint64_t *mark = (volatile uint64_t *)MARK_ADDR;
	int clean = data_word == 0x0123456789abcdefUL && *mark == 0;

	for (unsigned int i = 0; i < sizeof(bss_words) / sizeof(bss_words[0]); i++)
		if (bss_words[i])
			clean = 0;
	puts("Hello from count!\n");
	puts(clean ? "count: image check ok (.data intact, .bss zero, RAM clear)\n"
		   : "count: ERROR: leftovers of an earlier run (.data, .bss or RAM)\n");
	/* Leftovers for a restart that is not clean to find. */
	data_word = 0;
	*mark = MARK;
	for (uint64_t n = 1;; n++) {
		bss_words[n % 32] = n;
		puts("count: ");
		put_dec(n);
		puts("\n");
#ifdef COUNT_DELAY_MS
		delay_ms(COUNT_DELAY_MS);
#endif
	}
}

void secondary_main(void)
{
}
