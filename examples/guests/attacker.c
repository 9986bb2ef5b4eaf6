// SPDX-License-Identifier: Apache-2.0
/*
 * attacker: prints a line, then writes outside its RAM (IPA 0x80000000 on aarch64, 0x40000000 on riscv64). The hypervisor must stop this guest
 * alone, with a line naming it, the IPA and the PC; the other guests keep running.
 * Built with -DATTACK_MMIO (attacker-mmio) it instead writes to its PL011's read-only PeriphID0 register,
 * an MMIO access no emulator accepts, which must be contained the same way.
 */
#include "guest.h"

#ifdef ATTACK_MMIO
#define OUTSIDE	(UART_BASE + 0xfe0)
#else
#define OUTSIDE	OUTSIDE_RAM
#endif

int main(void)
{
	puts("attacker: about to write to ");
	put_hex(OUTSIDE);
#ifdef ATTACK_MMIO
	puts(", a read-only PL011 register\n");
#else
	puts(", outside my RAM\n");
#endif

	*(volatile uint32_t *)OUTSIDE = 0xdeadbeef;

	puts("attacker: ERROR: the hypervisor did not stop me\n");
	return 0;
}

void secondary_main(void)
{
}
