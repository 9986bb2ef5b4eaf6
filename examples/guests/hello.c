// SPDX-License-Identifier: Apache-2.0
/*
 * hello: prints a greeting and a count through the PL011, checks that the hypervisor loaded it correctly
 * (.data initialised, .bss zeroed, running at EL1 with the MPIDR it was given, or in S-mode as the hart
 * it was given), then powers off. The same source builds for aarch64 and riscv64.
 * Built as hello-alpha and hello-beta, and as hello-steady, whose lines are LINE_DELAY_MS apart (the
 * containment example needs a guest that is still printing when its neighbour is stopped).
 */
#include "guest.h"

#ifndef GUEST_NAME
#define GUEST_NAME "hello"
#endif
#ifndef LINES
#define LINES 5
#endif

#ifdef LINE_DELAY_MS
/* Busy-waits on the counter, so the guest's lines are spread over real time. */
static void delay_ms(uint64_t ms)
{
	uint64_t freq = counter_freq(), start = counter_read();

	while (counter_read() - start < freq / 1000 * ms)
		;
}
#endif

static volatile uint64_t data_word = 0x1234567890abcdefUL;	/* .data: must arrive intact */
static volatile uint64_t bss_words[64];				/* .bss: must arrive zeroed */

int main(void)
{
	int bad = 0;

	puts("Hello from " GUEST_NAME "!\n");
	print_cpu(GUEST_NAME);

	if (data_word != 0x1234567890abcdefUL) {
		puts(GUEST_NAME ": ERROR: .data was not loaded correctly\n");
		bad = 1;
	}
	for (unsigned int i = 0; i < sizeof(bss_words) / sizeof(bss_words[0]); i++) {
		if (bss_words[i]) {
			puts(GUEST_NAME ": ERROR: .bss is not zero\n");
			bad = 1;
			break;
		}
	}
	if (!bad)
		puts(GUEST_NAME ": image check ok (.data intact, .bss zero)\n");
	/* A restart that does not reload the image (a stop and start from the terminal must) would show these. */
	data_word = 0;
	bss_words[0] = 1;

	for (int i = 1; i <= LINES; i++) {
		puts(GUEST_NAME ": line ");
		put_dec((uint64_t)i);
		puts(" of ");
		put_dec(LINES);
		puts("\n");
#ifdef LINE_DELAY_MS
		delay_ms(LINE_DELAY_MS);
#endif
	}
	puts("Goodbye from " GUEST_NAME ", powering off\n");
	return 0;
}

void secondary_main(void)
{
}
