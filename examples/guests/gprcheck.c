// SPDX-License-Identifier: Apache-2.0
/*
 * gprcheck: every general-purpose register and the condition flags survive MMIO exits. Each round puts
 * values of its own into x0-x30 and NZCV, with x18 holding the UART's address, then writes the PL011's
 * data register from each of the other registers in turn (and from WZR), and reads its flag register into
 * WZR; then it checks that every register still holds its value. The low byte of each value is a letter, so
 * each round prints one line of them. The hypervisor takes the stores from x19-x29 on another path than the
 * rest (vectors.S), so both are checked.
 */
#include "guest.h"

#ifndef ROUNDS
#define ROUNDS 64
#endif

/* x0-x30 then NZCV, in and out. */
void gpr_mmio(const uint64_t in[32], uint64_t out[32]);

asm(
	"	.text\n"
	"	.global gpr_mmio\n"
	"gpr_mmio:\n"
	"	sub	sp, sp, #112\n"
	"	stp	x19, x20, [sp, #0]\n"
	"	stp	x21, x22, [sp, #16]\n"
	"	stp	x23, x24, [sp, #32]\n"
	"	stp	x25, x26, [sp, #48]\n"
	"	stp	x27, x28, [sp, #64]\n"
	"	stp	x29, x30, [sp, #80]\n"
	"	str	x1, [sp, #96]\n"
	"	ldr	x2, [x0, #248]\n"
	"	msr	nzcv, x2\n"
	"	ldp	x2, x3, [x0, #16]\n"
	"	ldp	x4, x5, [x0, #32]\n"
	"	ldp	x6, x7, [x0, #48]\n"
	"	ldp	x8, x9, [x0, #64]\n"
	"	ldp	x10, x11, [x0, #80]\n"
	"	ldp	x12, x13, [x0, #96]\n"
	"	ldp	x14, x15, [x0, #112]\n"
	"	ldp	x16, x17, [x0, #128]\n"
	"	ldp	x18, x19, [x0, #144]\n"
	"	ldp	x20, x21, [x0, #160]\n"
	"	ldp	x22, x23, [x0, #176]\n"
	"	ldp	x24, x25, [x0, #192]\n"
	"	ldp	x26, x27, [x0, #208]\n"
	"	ldp	x28, x29, [x0, #224]\n"
	"	ldr	x30, [x0, #240]\n"
	"	ldp	x0, x1, [x0]\n"
	"	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,19,20,21,22,23,24,25,26,27,28,29,30\n"
	"	str	w\\n, [x18]\n"
	"	.endr\n"
	"	str	wzr, [x18]\n"
	"	ldr	wzr, [x18, #0x18]\n"
	"	str	x0, [sp, #104]\n"
	"	ldr	x0, [sp, #96]\n"
	"	str	x1, [x0, #8]\n"
	"	mrs	x1, nzcv\n"
	"	str	x1, [x0, #248]\n"
	"	stp	x2, x3, [x0, #16]\n"
	"	stp	x4, x5, [x0, #32]\n"
	"	stp	x6, x7, [x0, #48]\n"
	"	stp	x8, x9, [x0, #64]\n"
	"	stp	x10, x11, [x0, #80]\n"
	"	stp	x12, x13, [x0, #96]\n"
	"	stp	x14, x15, [x0, #112]\n"
	"	stp	x16, x17, [x0, #128]\n"
	"	stp	x18, x19, [x0, #144]\n"
	"	stp	x20, x21, [x0, #160]\n"
	"	stp	x22, x23, [x0, #176]\n"
	"	stp	x24, x25, [x0, #192]\n"
	"	stp	x26, x27, [x0, #208]\n"
	"	stp	x28, x29, [x0, #224]\n"
	"	str	x30, [x0, #240]\n"
	"	ldr	x1, [sp, #104]\n"
	"	str	x1, [x0]\n"
	"	ldp	x19, x20, [sp, #0]\n"
	"	ldp	x21, x22, [sp, #16]\n"
	"	ldp	x23, x24, [sp, #32]\n"
	"	ldp	x25, x26, [sp, #48]\n"
	"	ldp	x27, x28, [sp, #64]\n"
	"	ldp	x29, x30, [sp, #80]\n"
	"	add	sp, sp, #112\n"
	"	ret\n");

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

void secondary_main(void)
{
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
}

int main(void)
{
	uint64_t seed, in[32], out[32], errors = 0;

	asm volatile("mrs %0, cntvct_el0" : "=r"(seed));
	seed |= 1;
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < 31; i++)
			in[i] = (next(&seed) & ~0xffUL) | (uint64_t)('a' + (i + round) % 26);
		in[18] = UART_BASE;
		in[31] = next(&seed) & 0xf0000000UL;	/* N, Z, C, V */
		gpr_mmio(in, out);
		puts("\n");
		for (int i = 0; i < 32; i++) {
			if (out[i] == in[i])
				continue;
			errors++;
			puts("gprcheck: ERROR: round ");
			put_dec((uint64_t)round);
			puts(i < 31 ? ", x" : ", NZCV");
			if (i < 31)
				put_dec((uint64_t)i);
			puts(" is ");
			put_hex(out[i]);
			puts(", not ");
			put_hex(in[i]);
			puts("\n");
		}
	}
	if (!errors) {
		puts("gprcheck: all ");
		put_dec(ROUNDS);
		puts(" rounds kept x0-x30 and NZCV over 31 MMIO writes and a read each\n");
	}
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	return 0;
}
