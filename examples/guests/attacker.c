// SPDX-License-Identifier: Apache-2.0
/*
 * attacker: prints a line, then writes outside its RAM (IPA 0x80000000). The hypervisor must stop this guest
 * alone, with a line naming it, the IPA and the PC; the other guests keep running.
 */
#include "guest.h"

#define OUTSIDE	0x80000000UL

int main(void)
{
	puts("attacker: about to write to ");
	put_hex(OUTSIDE);
	puts(", outside my RAM\n");

	*(volatile uint32_t *)OUTSIDE = 0xdeadbeef;

	puts("attacker: ERROR: the write outside my RAM did not stop me\n");
	return 0;
}

void secondary_main(void)
{
}
