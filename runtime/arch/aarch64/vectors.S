/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EL2 exception vectors.
 *
 * From a lower EL, SP_EL2 always points at the running vCPU's register frame (see start.S), so the guest's
 * x0-x30, ELR_EL2 and SPSR_EL2 are saved there, C handles the trap on the stack below it, and the frame is
 * restored on the way back. Exceptions taken from EL2 itself are hypervisor bugs: they are saved the same
 * way below the current SP and reported by arch_handle_el2_fault(), which does not return.
 *
 * One trap has a shorter way: a data abort with a valid syndrome (an MMIO access to an emulated device,
 * nearly always). Only the registers a C call may clobber, x0-x18 and x30, are saved; the guest's x19-x29
 * stay in their registers, which every C function preserves, and ELR_EL2/SPSR_EL2 in theirs, which nothing
 * at EL2 changes but arch_handle_lower_mmio() itself, stepping ELR_EL2 over the access: the hypervisor takes
 * no exception while it runs, and nothing an emulator's mmio can call gives up the pCPU to another vCPU
 * (only the core's hv_cpu_wait() does, under a scheduler, and the short path settles without it).
 * Whenever it needs more than that (a vCPU that must settle, an access it does not handle, a fault to
 * report), it says so before it reads or writes anything else of the frame, and the rest of the frame is
 * saved then (lower_mmio_slow).
 */
#include <arch/defs.h>

.macro save_x2_to_x17
	stp	x2, x3, [sp, #ARCH_REGS_X(2)]
	stp	x4, x5, [sp, #ARCH_REGS_X(4)]
	stp	x6, x7, [sp, #ARCH_REGS_X(6)]
	stp	x8, x9, [sp, #ARCH_REGS_X(8)]
	stp	x10, x11, [sp, #ARCH_REGS_X(10)]
	stp	x12, x13, [sp, #ARCH_REGS_X(12)]
	stp	x14, x15, [sp, #ARCH_REGS_X(14)]
	stp	x16, x17, [sp, #ARCH_REGS_X(16)]
.endm

.macro restore_x2_to_x17
	ldp	x2, x3, [sp, #ARCH_REGS_X(2)]
	ldp	x4, x5, [sp, #ARCH_REGS_X(4)]
	ldp	x6, x7, [sp, #ARCH_REGS_X(6)]
	ldp	x8, x9, [sp, #ARCH_REGS_X(8)]
	ldp	x10, x11, [sp, #ARCH_REGS_X(10)]
	ldp	x12, x13, [sp, #ARCH_REGS_X(12)]
	ldp	x14, x15, [sp, #ARCH_REGS_X(14)]
	ldp	x16, x17, [sp, #ARCH_REGS_X(16)]
.endm

/* x20-x29: callee-saved, so the C handlers preserve them; only the general paths save them (x19 goes with x18, or alone). */
.macro save_x20_to_x29
	stp	x20, x21, [sp, #ARCH_REGS_X(20)]
	stp	x22, x23, [sp, #ARCH_REGS_X(22)]
	stp	x24, x25, [sp, #ARCH_REGS_X(24)]
	stp	x26, x27, [sp, #ARCH_REGS_X(26)]
	stp	x28, x29, [sp, #ARCH_REGS_X(28)]
.endm

.macro restore_x20_to_x29
	ldp	x20, x21, [sp, #ARCH_REGS_X(20)]
	ldp	x22, x23, [sp, #ARCH_REGS_X(22)]
	ldp	x24, x25, [sp, #ARCH_REGS_X(24)]
	ldp	x26, x27, [sp, #ARCH_REGS_X(26)]
	ldp	x28, x29, [sp, #ARCH_REGS_X(28)]
.endm

.macro save_x2_to_x30_elr_spsr
	save_x2_to_x17
	stp	x18, x19, [sp, #ARCH_REGS_X(18)]
	save_x20_to_x29
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x30, x2, [sp, #ARCH_REGS_X(30)]
	str	x3, [sp, #ARCH_REGS_SPSR]
.endm

/*
 * The table's layout. The image starts with it (the linker script), and its first four slots, taken at EL2
 * with SP_EL0 selected, never are: _start selects SP_EL2 in its second instruction, with every exception
 * masked, and nothing selects SP_EL0 again. Those 512 bytes hold the boot code (start.S, .text.boot). The
 * twelve slots here each begin with their entry; the rest of a slot's 128 bytes holds one of the exception
 * paths, so that the table wastes nothing. `slot` places an entry: the assembler refuses to move back, so
 * a path that outgrew its slot fails the build.
 */
.macro slot n
	.org	(\n - 4) * 128
.endm

/* An entry from EL2 itself: a frame below the current SP, x0/x1 saved, the kind in x1. */
.macro el2_entry kind
	sub	sp, sp, #ARCH_REGS_SIZE
	stp	x0, x1, [sp, #ARCH_REGS_X(0)]
	mov	x1, #(\kind)
.endm

/* An entry from a lower EL: x0/x1 saved in the vCPU's frame at SP, the kind in x1. */
.macro lower_entry kind
	stp	x0, x1, [sp, #ARCH_REGS_X(0)]
	mov	x1, #(\kind)
.endm

	.section .text.vectors, "ax"
	.balign	128

	/* Current EL with SP_EL2: hypervisor bugs. */
	slot	4
	el2_entry EXC_SYNC
	b	el2_exception
	slot	5
	el2_entry EXC_IRQ
	b	el2_exception
	slot	6
	el2_entry EXC_FIQ
	b	el2_exception
	slot	7
	el2_entry EXC_SERROR
el2_exception:
	save_x2_to_x30_elr_spsr
	mov	x0, sp
	bl	arch_handle_el2_fault
1:	wfe
	b	1b

	/* Lower EL, AArch64. A data abort whose syndrome is valid (EC 0x24, IL 1, ISV 1) takes lower_mmio. */
	slot	8
	stp	x0, x1, [sp, #ARCH_REGS_X(0)]
	mrs	x0, esr_el2
	ubfx	x1, x0, #24, #8
	cmp	x1, #0x93
	b.eq	lower_mmio
	mov	x1, #EXC_SYNC
	b	lower_exception

/* The rest of the frame, then the general handling arch_handle_lower_mmio()'s answer in x0 asks for. */
lower_mmio_slow:
	str	x19, [sp, #ARCH_REGS_X(19)]
	save_x20_to_x29
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	str	x2, [sp, #ARCH_REGS_ELR]
	str	x3, [sp, #ARCH_REGS_SPSR]
	mov	x1, x0
	mov	x0, sp
	bl	arch_handle_lower_mmio_slow
	b	guest_return

	slot	9
	lower_entry EXC_IRQ
	b	lower_exception

/*
 * x0 = ESR_EL2, x0/x1 saved. x2-x17, x18 and x30 are saved, not x19-x29, ELR_EL2 or SPSR_EL2 (see the top).
 * The restores mirror the saves, so that every register arch_handle_lower_mmio() did not write for a read
 * is the guest's again.
 */
lower_mmio:
	save_x2_to_x17
	str	x18, [sp, #ARCH_REGS_X(18)]
	str	x30, [sp, #ARCH_REGS_X(30)]
	mov	x1, sp
	bl	arch_handle_lower_mmio
	cbnz	x0, lower_mmio_slow		/* 0: emulated, and the vCPU goes on */
	restore_x2_to_x17
	ldr	x18, [sp, #ARCH_REGS_X(18)]
	ldr	x30, [sp, #ARCH_REGS_X(30)]
	ldp	x0, x1, [sp, #ARCH_REGS_X(0)]
	eret
	dsb	nsh
	isb

	slot	10
	lower_entry EXC_FIQ
lower_exception:
	save_x2_to_x30_elr_spsr
	mov	x0, sp
	bl	arch_handle_lower_trap
	/* SP is back at the frame. */
	b	guest_return

	slot	11
	lower_entry EXC_SERROR
	b	lower_exception

/* Restores the guest frame at SP and returns to the guest. SP stays at the frame for the next trap. */
guest_return:
	ldr	x3, [sp, #ARCH_REGS_SPSR]
	ldp	x30, x2, [sp, #ARCH_REGS_X(30)]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	restore_x2_to_x17
	ldp	x18, x19, [sp, #ARCH_REGS_X(18)]
	restore_x20_to_x29
	ldp	x0, x1, [sp, #ARCH_REGS_X(0)]
	eret
	/* No speculation past the eret. */
	dsb	nsh
	isb

	/* Lower EL, AArch32 (guest EL0 in AArch32): not supported, reported as unexpected. */
	slot	12
	lower_entry (EXC_AARCH32 | EXC_SYNC)
	b	lower_exception

/*
 * void arch_guest_enter(struct arch_regs *frame): first entry into a guest. The frame is the one at the top
 * of this pCPU's stack, so moving SP there abandons the C call chain, which is never returned to.
 */
	.global arch_guest_enter
arch_guest_enter:
	mov	sp, x0
	b	guest_return

	slot	13
	lower_entry (EXC_AARCH32 | EXC_IRQ)
	b	lower_exception
	slot	14
	lower_entry (EXC_AARCH32 | EXC_FIQ)
	b	lower_exception
	slot	15
	lower_entry (EXC_AARCH32 | EXC_SERROR)
	b	lower_exception
