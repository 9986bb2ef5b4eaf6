/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry of the bare-metal example guests on riscv64, in (V)S-mode with translation off: a0 = hart ID,
 * a1 = the device tree. Set the stack, zero .bss, run main(), then shut down through SBI SRST. Secondary
 * harts (SBI HSM hart_start) arrive at secondary_start with their stack top in a1 (the opaque value).
 */
	.section .text.start, "ax"
	.global _start
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	sp, __stack_top
	la	t0, boot_hartid
	sd	a0, 0(t0)
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	call	main
	call	system_off
3:	wfi
	j	3b

	.global secondary_start
secondary_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	mv	sp, a1
	call	secondary_main
	j	3b

	.data
	.balign	8
	.global boot_hartid
boot_hartid:
	.dword	0
