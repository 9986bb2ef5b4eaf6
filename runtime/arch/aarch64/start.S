/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry at EL2. The boot CPU arrives at _start from the loader (QEMU -kernel, firmware) with the MMU off, at
 * the load address: this code fills the vector table's first four slots, which are never taken (vectors.S).
 * Secondary CPUs arrive at _secondary_entry through host PSCI CPU_ON with their pCPU index in x0.
 *
 * Per-CPU layout: pCPU n's stack is __hv_stacks + n * CONFIG_HV_STACK_SIZE .. + CONFIG_HV_STACK_SIZE. The top
 * ARCH_REGS_SIZE bytes of it hold the guest register frame of the vCPU pinned there; C runs below it.
 * TPIDR_EL2 holds the pCPU index.
 */
#include <hv/kconfig.h>
#include <arch/defs.h>

	.section .text.boot, "ax"

	.global _start
_start:
	msr	daifset, #0xf
	msr	spsel, #1
	mrs	x0, CurrentEL
	lsr	x0, x0, #2
	cmp	x0, #2
	b.ne	wrong_el

	/*
	 * Zero .bss while the MMU is still off (all data accesses are Device memory): the linker script
	 * aligns both ends to 16 bytes, so these stores are aligned.
	 */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:
	/*
	 * The translation tables in .bss get their valid entries, still before any table is used, from
	 * hv_table_writes (the configuration module): runs of (first slot's address, its descriptor, slots in
	 * the run, what each next descriptor adds), ending with a zero slot.
	 */
	adrp	x0, hv_table_writes
	add	x0, x0, :lo12:hv_table_writes
3:	ldp	x1, x2, [x0], #16
	cbz	x1, 4f
	ldp	x3, x4, [x0], #16
5:	str	x2, [x1], #8
	add	x2, x2, x4
	subs	x3, x3, #1
	b.ne	5b
	b	3b
4:
	mov	x19, #0
	bl	el2_setup
	bl	hv_main
	b	park

	.global _secondary_entry
_secondary_entry:
	msr	daifset, #0xf
	msr	spsel, #1
	mov	x19, x0
	bl	el2_setup
	mov	x0, x19
	bl	hv_secondary_main
	b	park

/*
 * Per-CPU EL2 setup for pCPU x19: exception vectors, the EL2 identity map from hv_config (hv_root,
 * arch.tcr_el2, arch.mair_el2; the offsets are checked against config.h in src/cpu.c), then the stack.
 * Clobbers x0-x5. Returns with the MMU and caches on and SP at the pCPU's guest frame.
 */
el2_setup:
	msr	tpidr_el2, x19
	adr	x0, hv_vectors
	msr	vbar_el2, x0

	adrp	x0, hv_config
	add	x0, x0, :lo12:hv_config
	ldr	x1, [x0, #HV_CONFIG_ARCH_MAIR_EL2]
	msr	mair_el2, x1

	/* TCR_EL2.PS: the CPU's physical address size (ID_AA64MMFR0_EL1.PARange), at most 48 bits. */
	mrs	x2, id_aa64mmfr0_el1
	and	x2, x2, #0xf
	cmp	x2, #PARANGE_48
	mov	x3, #PARANGE_48
	csel	x2, x2, x3, ls
	ldr	x1, [x0, #HV_CONFIG_ARCH_TCR_EL2]
	orr	x1, x1, x2, lsl #TCR_PS_SHIFT
	msr	tcr_el2, x1

	ldr	x1, [x0, #HV_CONFIG_HV_ROOT]
	msr	ttbr0_el2, x1
	isb

	/* Nothing from before (firmware, a previous boot) may linger in the TLBs or the I-cache. */
	tlbi	alle2
	ic	iallu
	dsb	nsh
	isb

	ldr	x1, =(SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I)
	msr	sctlr_el2, x1
	isb

	/* SP = top of this pCPU's stack minus the guest frame. */
	adrp	x0, __hv_stacks
	add	x0, x0, :lo12:__hv_stacks
	ldr	x1, =CONFIG_HV_STACK_SIZE
	add	x2, x19, #1
	madd	x0, x1, x2, x0
	sub	sp, x0, #ARCH_REGS_SIZE
	ret

park:
	wfe
	b	park

/*
 * Started below EL2 (e.g. QEMU without virtualization=on): nothing here can work, but say so. With the MMU
 * off and .bss not zeroed, arch_boot_wrong_el() runs on pCPU 0's stack and touches only hv_config.
 */
wrong_el:
	adrp	x1, __hv_stacks
	add	x1, x1, :lo12:__hv_stacks
	ldr	x2, =CONFIG_HV_STACK_SIZE
	add	sp, x1, x2
	bl	arch_boot_wrong_el
	b	park

	/* Stacks: not part of the loaded image (NOLOAD in the linker script). */
	.section .hv_stacks, "aw", %nobits
	.balign	4096
	.global __hv_stacks
__hv_stacks:
	.space	CONFIG_HV_MAX_CPUS * CONFIG_HV_STACK_SIZE
	.global __hv_stacks_end
__hv_stacks_end:
