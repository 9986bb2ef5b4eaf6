// SPDX-License-Identifier: Apache-2.0
/*
 * reset: checks that its firmware interface's reset (PSCI SYSTEM_RESET, SBI SRST reboot) resets only this
 * guest and restores its image. On the first boot it changes its .data and .bss, leaves a mark in RAM outside
 * its image and resets. On the second boot (the mark is there) it checks .data and .bss are back to their
 * initial values, then powers off.
 */
#include "guest.h"

#define MARK_ADDR	(RAM_BASE + 0x800000)	/* guest RAM beyond the image: not reloaded by a reset */
#define MARK		0x5245534554UL	/* "RESET" */

static volatile uint64_t data_word = 0x1122334455667788UL;
static volatile uint64_t bss_word;

int main(void)
{
	volatile uint64_t *mark = (volatile uint64_t *)MARK_ADDR;

	if (*mark != MARK) {
		puts("reset: first boot, changing .data and .bss, then ");
		puts(firmware_reset);
		puts("\n");
		data_word = 0;
		bss_word = 0xbad;
		*mark = MARK;
		system_reset();
		puts("reset: ERROR: the reset returned\n");
		return 0;
	}
	*mark = 0;
	puts("reset: second boot after ");
	puts(firmware_reset);
	puts("\n");
	if (data_word == 0x1122334455667788UL && bss_word == 0)
		puts("reset: image restored (.data intact, .bss zero)\n");
	else
		puts("reset: ERROR: image not restored by the reset\n");
	return 0;
}

void secondary_main(void)
{
}
