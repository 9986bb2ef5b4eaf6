/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The indexed debug registers: DBGBVR<n>_EL1, DBGBCR<n>_EL1, DBGWVR<n>_EL1 and DBGWCR<n>_EL1, n 0-15. An
 * instruction names its system register, so reaching one by number takes a branch into a table of
 * accessors, one instruction and a return each: 1 KiB for all 64 registers, read and write, where a switch
 * in C took twice that.
 *
 * u64 arch_debug_reg_read(u64 index);
 * void arch_debug_reg_write(u64 index, u64 value);
 *
 * index is kind * 16 + n, kind 0 for DBGBVR, 1 DBGBCR, 2 DBGWVR, 3 DBGWCR. The caller keeps n below the
 * number of breakpoints or watchpoints the CPU has: the others are UNDEFINED.
 */

/* An accessor is 8 bytes: the table is indexed by index << 3. */
#define READ(reg)		mrs x0, reg; ret
#define WRITE(reg)		msr reg, x1; ret
#define SIXTEEN(op, reg)	op(reg##0_el1); op(reg##1_el1); op(reg##2_el1); op(reg##3_el1);		\
				op(reg##4_el1); op(reg##5_el1); op(reg##6_el1); op(reg##7_el1);		\
				op(reg##8_el1); op(reg##9_el1); op(reg##10_el1); op(reg##11_el1);	\
				op(reg##12_el1); op(reg##13_el1); op(reg##14_el1); op(reg##15_el1)
#define ACCESSORS(op)		SIXTEEN(op, dbgbvr); SIXTEEN(op, dbgbcr); SIXTEEN(op, dbgwvr); SIXTEEN(op, dbgwcr)

	.section .text.arch_debug_regs, "ax"

	.global arch_debug_reg_read
arch_debug_reg_read:
	and	x0, x0, #63
	adr	x2, 1f
	add	x2, x2, x0, lsl #3
	br	x2
1:	ACCESSORS(READ)

	.global arch_debug_reg_write
arch_debug_reg_write:
	and	x0, x0, #63
	adr	x2, 1f
	add	x2, x2, x0, lsl #3
	br	x2
1:	ACCESSORS(WRITE)
