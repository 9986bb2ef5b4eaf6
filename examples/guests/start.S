/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry of the bare-metal example guests, at EL1 with the MMU off: set the stack, zero .bss, run main(),
 * then power off through PSCI. Secondary vCPUs (PSCI CPU_ON) arrive at secondary_start with their stack
 * top in x0 (the context id).
 */
	.section .text.start, "ax"
	.global _start
_start:
	ldr	x1, =__stack_top
	mov	sp, x1
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	bl	main
	bl	psci_system_off
3:	wfi
	b	3b

	.global secondary_start
secondary_start:
	mov	sp, x0
	bl	secondary_main
	b	3b
