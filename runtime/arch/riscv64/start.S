/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry in HS-mode from SBI firmware (OpenSBI), the trap vector, and the way into and out of a guest.
 *
 * OpenSBI enters _start on one hart (its boot lottery's winner) with a0 = hart ID, a1 = the board's DTB,
 * translation off and interrupts disabled. The others wait in OpenSBI until SBI HSM hart_start names them;
 * they arrive at _secondary_entry with a0 = hart ID (a1 = the opaque hv_main() passed, which is not relied
 * on: see below), or at _start itself.
 *
 * OpenSBI before v1.3 (QEMU 7.2 ships v1.1) publishes a hart's START_PENDING state in hart_start before it
 * stores the hart's start address and argument, and the waiting hart polls that state (its WFI returns at
 * once while an IPI from the cold boot is still pending). A hart that sees the state in between leaves with
 * the address and argument it was last given: for a hart started for the first time that is the cold boot's,
 * _start with the DTB, and even a new address may come with the old argument. So a secondary hart can arrive
 * at _start, and at either entry only a0 is sure: the pCPU is found by its hart ID. (Such a hart used to
 * take itself for the lottery's winner and stop for good: its pCPU never ran, though hart_start had reported
 * success. OpenSBI fixed it in commit e8e9ed37, "Set the state of a hart to START_PENDING after the hart is
 * ready"; test/e2e/riscv64-hart-start-race.test.ts makes it happen on demand.)
 *
 * Per-hart layout: pCPU n's stack is __hv_stacks + n * CONFIG_HV_STACK_SIZE .. + CONFIG_HV_STACK_SIZE. The top
 * ARCH_REGS_SIZE bytes are the register frame of the vCPU pinned there; C runs below it. sscratch always
 * holds that frame's address and tp the pCPU index while the hypervisor runs (the guest owns tp, so the
 * trap vector reloads it from the frame).
 */
#include <hv/kconfig.h>
#include <arch/defs.h>

	.section .text.boot, "ax"
	.option norvc

	.global _start
_start:
	csrw	sie, zero
	/*
	 * pCPU 0 is the board's first hart, which need not be the one OpenSBI picked. The wrong one starts
	 * the right one here and stops itself (HSM lets it be started again later as a secondary), before
	 * either touches a stack: they would share pCPU 0's. But once pCPU 0 has booted, a hart here is a
	 * secondary that firmware sent to the wrong entry (above): it joins as one.
	 */
	la	t0, hv_config
	ld	t0, HV_CONFIG_PCPUS(t0)
	ld	t0, 0(t0)			/* pcpus[0].hwid */
	beq	a0, t0, 1f
	/* Orders this load after firmware's load of the START_PENDING that pCPU 0's hart_start stored after the flag. */
	fence	r, r
	la	t1, boot_started
	ld	t1, 0(t1)
	bnez	t1, _secondary_entry
	mv	a0, t0
	la	a1, _start
	li	a2, 0
	li	a6, SBI_HSM_HART_START
	li	a7, SBI_EXT_HSM
	ecall
	li	a6, SBI_HSM_HART_STOP
	li	a7, SBI_EXT_HSM
	ecall
	j	park
1:
	/* Any hart that comes to _start from now on is a secondary; published before hv_main() starts one. */
	la	t0, boot_started
	li	t1, 1
	sd	t1, 0(t0)
	fence	rw, rw
	/* .bss: both ends 16-byte aligned by the linker script. */
	la	t0, __bss_start
	la	t1, __bss_end
2:	bgeu	t0, t1, 3f
	sd	zero, 0(t0)
	sd	zero, 8(t0)
	addi	t0, t0, 16
	j	2b
3:
	/*
	 * The page tables in .bss get their entries from hv_table_writes: runs of (first slot's address, its
	 * entry, slots in the run, what each next entry adds); a zero slot ends.
	 */
	la	t0, hv_table_writes
4:	ld	t1, 0(t0)
	beqz	t1, 5f
	ld	t2, 8(t0)
	ld	t3, 16(t0)
	ld	t4, 24(t0)
6:	sd	t2, 0(t1)
	add	t2, t2, t4
	addi	t1, t1, 8
	addi	t3, t3, -1
	bnez	t3, 6b
	addi	t0, t0, 32
	j	4b
5:
	li	a1, 0
	call	hart_setup
	mv	a0, s1				/* hart ID */
	call	arch_boot
	j	park

	.global _secondary_entry
_secondary_entry:
	csrw	sie, zero
	/* a1 = the pCPU whose hwid is a0, among pcpus[1..]; a hart the system does not name parks. */
	la	t0, hv_config
	ld	t1, HV_CONFIG_PCPU_COUNT(t0)
	ld	t0, HV_CONFIG_PCPUS(t0)
	li	a1, 1
6:	bgeu	a1, t1, park
	addi	t0, t0, HV_PCPU_CONFIG_SIZE
	ld	t2, 0(t0)
	beq	t2, a0, 7f
	addi	a1, a1, 1
	j	6b
7:
	call	hart_setup
	mv	a0, tp
	call	arch_secondary_boot
	j	park

/*
 * Stack, frame and tp for pCPU a1 on hart a0 (kept in s1); the C side then sets up translation and the trap
 * vector. Clobbers t0-t2.
 */
hart_setup:
	mv	s1, a0
	mv	tp, a1
	la	t0, __hv_stacks
	li	t1, CONFIG_HV_STACK_SIZE
	addi	t2, a1, 1
	mul	t1, t1, t2
	add	t0, t0, t1
	addi	sp, t0, -ARCH_REGS_SIZE
	sd	a1, ARCH_REGS_PCPU(sp)
	csrw	sscratch, sp
	ret

park:
	wfi
	j	park

/*
 * The trap vector (stvec, direct mode). From a guest (hstatus.SPV set) the frame receives the guest's
 * registers and C handles the trap on the stack below it; then the frame is restored and sret returns to
 * the guest. A trap from HS-mode itself is a hypervisor bug: it is saved the same way and reported by
 * arch_handle_hs_fault(), which does not return; it runs below the interrupted stack pointer, so the
 * interrupted call chain stays readable in a debugger.
 */
	.text
	.balign	4
	.global hv_trap_vector
hv_trap_vector:
	csrrw	sp, sscratch, sp		/* sp = frame, sscratch = interrupted sp */
	sd	x1, ARCH_REGS_X(1)(sp)
	sd	x3, ARCH_REGS_X(3)(sp)
	sd	x4, ARCH_REGS_X(4)(sp)
	sd	x5, ARCH_REGS_X(5)(sp)
	sd	x6, ARCH_REGS_X(6)(sp)
	sd	x7, ARCH_REGS_X(7)(sp)
	sd	x8, ARCH_REGS_X(8)(sp)
	sd	x9, ARCH_REGS_X(9)(sp)
	sd	x10, ARCH_REGS_X(10)(sp)
	sd	x11, ARCH_REGS_X(11)(sp)
	sd	x12, ARCH_REGS_X(12)(sp)
	sd	x13, ARCH_REGS_X(13)(sp)
	sd	x14, ARCH_REGS_X(14)(sp)
	sd	x15, ARCH_REGS_X(15)(sp)
	sd	x16, ARCH_REGS_X(16)(sp)
	sd	x17, ARCH_REGS_X(17)(sp)
	sd	x18, ARCH_REGS_X(18)(sp)
	sd	x19, ARCH_REGS_X(19)(sp)
	sd	x20, ARCH_REGS_X(20)(sp)
	sd	x21, ARCH_REGS_X(21)(sp)
	sd	x22, ARCH_REGS_X(22)(sp)
	sd	x23, ARCH_REGS_X(23)(sp)
	sd	x24, ARCH_REGS_X(24)(sp)
	sd	x25, ARCH_REGS_X(25)(sp)
	sd	x26, ARCH_REGS_X(26)(sp)
	sd	x27, ARCH_REGS_X(27)(sp)
	sd	x28, ARCH_REGS_X(28)(sp)
	sd	x29, ARCH_REGS_X(29)(sp)
	sd	x30, ARCH_REGS_X(30)(sp)
	sd	x31, ARCH_REGS_X(31)(sp)
	csrrw	t0, sscratch, sp		/* sscratch = frame again */
	sd	t0, ARCH_REGS_X(2)(sp)
	csrr	t0, sepc
	sd	t0, ARCH_REGS_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, ARCH_REGS_SSTATUS(sp)
	csrr	t0, hstatus
	sd	t0, ARCH_REGS_HSTATUS(sp)
	andi	t1, t0, (1 << HSTATUS_SPV_BIT)
	beqz	t1, hs_fault

	ld	tp, ARCH_REGS_PCPU(sp)
	mv	a0, sp
	call	arch_handle_guest_trap
	/* sp is back at the frame: fall through into the return path. */

/* Restores the guest frame at sp and returns to the guest; sscratch keeps the frame for the next trap. */
guest_return:
	ld	t0, ARCH_REGS_SEPC(sp)
	csrw	sepc, t0
	ld	t0, ARCH_REGS_SSTATUS(sp)
	csrw	sstatus, t0
	ld	t0, ARCH_REGS_HSTATUS(sp)
	csrw	hstatus, t0
	ld	x1, ARCH_REGS_X(1)(sp)
	ld	x3, ARCH_REGS_X(3)(sp)
	ld	x4, ARCH_REGS_X(4)(sp)
	ld	x5, ARCH_REGS_X(5)(sp)
	ld	x6, ARCH_REGS_X(6)(sp)
	ld	x7, ARCH_REGS_X(7)(sp)
	ld	x8, ARCH_REGS_X(8)(sp)
	ld	x9, ARCH_REGS_X(9)(sp)
	ld	x10, ARCH_REGS_X(10)(sp)
	ld	x11, ARCH_REGS_X(11)(sp)
	ld	x12, ARCH_REGS_X(12)(sp)
	ld	x13, ARCH_REGS_X(13)(sp)
	ld	x14, ARCH_REGS_X(14)(sp)
	ld	x15, ARCH_REGS_X(15)(sp)
	ld	x16, ARCH_REGS_X(16)(sp)
	ld	x17, ARCH_REGS_X(17)(sp)
	ld	x18, ARCH_REGS_X(18)(sp)
	ld	x19, ARCH_REGS_X(19)(sp)
	ld	x20, ARCH_REGS_X(20)(sp)
	ld	x21, ARCH_REGS_X(21)(sp)
	ld	x22, ARCH_REGS_X(22)(sp)
	ld	x23, ARCH_REGS_X(23)(sp)
	ld	x24, ARCH_REGS_X(24)(sp)
	ld	x25, ARCH_REGS_X(25)(sp)
	ld	x26, ARCH_REGS_X(26)(sp)
	ld	x27, ARCH_REGS_X(27)(sp)
	ld	x28, ARCH_REGS_X(28)(sp)
	ld	x29, ARCH_REGS_X(29)(sp)
	ld	x30, ARCH_REGS_X(30)(sp)
	ld	x31, ARCH_REGS_X(31)(sp)
	ld	x2, ARCH_REGS_X(2)(sp)
	sret

/*
 * void arch_guest_enter(struct arch_regs *frame): first entry into a guest. The frame is the one at the top
 * of this pCPU's stack, so moving sp there abandons the C call chain, which is never returned to.
 */
	.global arch_guest_enter
arch_guest_enter:
	mv	sp, a0
	j	guest_return

hs_fault:
	mv	a0, sp
	ld	t0, ARCH_REGS_X(2)(sp)
	addi	t0, t0, -256
	andi	sp, t0, -16
	call	arch_handle_hs_fault
1:	wfi
	j	1b

/*
 * u64 arch_guest_load_insn16(u64 gva, u64 *cause): a halfword of guest instruction memory, read as the
 * guest would fetch it (HLVX.HU: through its vsatp and hgatp, with the privilege in hstatus.SPVP). A
 * fault while reading (the guest's page tables changed under it) lands in a local handler through a
 * temporary stvec: *cause = scause and 0 is returned; otherwise *cause = 0. The trap overwrites sepc,
 * sstatus.SPP and hstatus.SPV, which the return to the guest restores from its frame.
 */
	.global arch_guest_load_insn16
arch_guest_load_insn16:
	csrr	t1, stvec
	la	t0, 1f
	csrw	stvec, t0
	mv	t2, a0
	li	t3, 0
	.insn r 0x73, 4, 0x32, a0, t2, x3	/* hlvx.hu a0, (t2) */
	j	2f
	.balign	4
1:	csrr	t3, scause
	li	a0, 0
2:	csrw	stvec, t1
	sd	t3, 0(a1)
	ret

/*
 * bool arch_probe_stimecmp(void): whether HS-mode may use Sstc's stimecmp, which firmware allows through
 * menvcfg.STCE. Where it does not, the read is an illegal instruction, taken here through a temporary
 * stvec (before the trap vector is installed, on the boot hart).
 */
	.global arch_probe_stimecmp
arch_probe_stimecmp:
	csrr	t1, stvec
	la	t0, 1f
	csrw	stvec, t0
	li	a0, 1
	csrr	t2, stimecmp
	j	2f
	.balign	4
1:	li	a0, 0
2:	csrw	stvec, t1
	ret

	/*
	 * Set by pCPU 0's hart as it boots. In .data, not .bss: it is read before .bss is zeroed, and a hart
	 * that finds it clear at _start is the lottery's winner.
	 */
	.data
	.balign	8
boot_started:
	.dword	0

	/* Stacks: not part of the loaded image (NOLOAD in the linker script). */
	.section .hv_stacks, "aw", %nobits
	.balign	4096
	.global __hv_stacks
__hv_stacks:
	.space	CONFIG_HV_MAX_CPUS * CONFIG_HV_STACK_SIZE
	.global __hv_stacks_end
__hv_stacks_end:
