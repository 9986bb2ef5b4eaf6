// SPDX-License-Identifier: Apache-2.0
/*
 * vCPU state in the hypervisor CSRs. Each vCPU owns its hart, so the delegation and translation CSRs are
 * written once in arch_vcpu_init(); arch_vcpu_reset() puts the VS-level CSRs back to their power-on state.
 * What another hart asks of a vCPU (a virtual software interrupt, a fence) is left in struct riscv_vcpu and
 * done by the vCPU's own hart before it enters the guest, since hvip and the fences act on one hart only.
 */
#include <hv/arch.h>
#include <hv/power.h>
#include <hv/trap.h>
#include <arch/csr.h>
#include <arch/regs.h>
#include "internal.h"

void arch_guest_enter(struct arch_regs *frame) __noreturn;

struct riscv_vcpu riscv_vcpus[CONFIG_HV_MAX_CPUS];

/*
 * Exceptions the guest handles itself: misaligned fetches, illegal instructions, breakpoints, system calls
 * from its U-mode and its own page faults. Guest-page faults, VS-mode ecalls (SBI) and virtual-instruction
 * exceptions come to the hypervisor, and so does everything not listed (access faults are PMP faults,
 * which only firmware's memory causes).
 */
#define HEDELEG_GUEST	(BIT(EXC_INST_MISALIGNED) | BIT(EXC_ILLEGAL_INSN) | BIT(EXC_BREAKPOINT) | \
			 BIT(EXC_U_ECALL) | BIT(EXC_INST_PAGE_FAULT) | BIT(EXC_LOAD_PAGE_FAULT) | \
			 BIT(EXC_STORE_PAGE_FAULT) | BIT(EXC_LOAD_MISALIGNED) | BIT(EXC_STORE_MISALIGNED))
/* The VS-level interrupts are the guest's: its software, timer and external interrupts. */
#define HIDELEG_GUEST	(HVIP_VSSIP | HVIP_VSTIP | HVIP_VSEIP)

/*
 * Without Sstc a guest's timer is one of the hypervisor's own (hv/timer.h), armed by its SBI set_timer on
 * its own pCPU, where the callback runs too: it raises the virtual timer interrupt just before the vCPU
 * next enters its guest. With a host interrupt controller driver the hypervisor timer's interrupt ends a
 * WFI in the guest, so a guest idling in WFI still wakes on time; without one it is seen at the next trap.
 */
static void guest_timer_fired(struct hv_timer *timer)
{
	(void)timer;	/* this pCPU's vCPU's, and hvip is this hart's */
	csr_set(hvip, HVIP_VSTIP);
}

u64 arch_vcpu_reg(struct hv_vcpu *vcpu, unsigned int n)
{
	return n && n < 32 ? vcpu->regs->x[n] : 0;
}

void arch_vcpu_set_reg(struct hv_vcpu *vcpu, unsigned int n, u64 value)
{
	if (n && n < 32)
		vcpu->regs->x[n] = value;
}

static struct riscv_vcpu *rv(const struct hv_vcpu *vcpu)
{
	return &riscv_vcpus[vcpu->pcpu];
}

void arch_vcpu_init(struct hv_vcpu *vcpu)
{
	const struct hv_guest_config *g = vcpu->guest->cfg;

	csr_write(hedeleg, HEDELEG_GUEST);
	csr_write(hideleg, HIDELEG_GUEST);
	csr_write(hvip, 0);
	csr_write(hcounteren, HCOUNTEREN_CY | HCOUNTEREN_TM | HCOUNTEREN_IR);
	csr_write(htimedelta, 0);
	/* With Sstc the guest's timer is vstimecmp, compared in hardware: SBI set_timer writes it too. */
	csr_write(henvcfg, riscv_sstc ? ENVCFG_STCE : 0);
	csr_write(hgatp, g->arch.hgatp_mode << HGATP_MODE_SHIFT | g->vmid << HGATP_VMID_SHIFT |
				 (u64)(uintptr_t)g->s2_root >> PAGE_SHIFT);
	/* This VMID may have been used before (a previous boot): no stale translations. */
	hfence_gvma_all();
	rv(vcpu)->timer_deadline = ~0UL;
	rv(vcpu)->trap_wfi = true;
	hv_timer_init(&rv(vcpu)->timer, guest_timer_fired);
}

/*
 * Power-on state as SBI HSM and the Linux boot protocol give it: pc = entry, a0 = the hart ID, a1 = the
 * argument (the device tree, or hart_start's opaque), VS-mode with interrupts off and translation bare.
 */
void arch_vcpu_reset(struct hv_vcpu *vcpu, u64 entry, u64 arg)
{
	struct arch_regs *r = vcpu->regs;
	struct riscv_vcpu *s = rv(vcpu);
	u64 pcpu = r->x[0];

	memset(r, 0, sizeof(*r));
	r->x[0] = pcpu;
	r->x[10] = vcpu->guest->cfg->vcpus[vcpu->index].hwid;
	r->x[11] = arg;
	r->sepc = entry;
	r->sstatus = (csr_read(sstatus) & ~(SSTATUS_SIE | SSTATUS_SPIE)) | SSTATUS_SPP;
	r->hstatus = HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VSXL_64 | (s->trap_wfi ? HSTATUS_VTW : 0);

	csr_write(vsstatus, csr_read(vsstatus) & ~(SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP | SSTATUS_FS_MASK));
	csr_write(vsie, 0);
	csr_write(vstvec, 0);
	csr_write(vsscratch, 0);
	csr_write(vsepc, 0);
	csr_write(vscause, 0);
	csr_write(vstval, 0);
	csr_write(vsatp, 0);
	csr_write(hvip, 0);
	if (riscv_sstc)
		csr_write(CSR_VSTIMECMP, ~0UL);
	s->timer_deadline = ~0UL;
	hv_timer_cancel(&s->timer);
	__atomic_store_n(&s->ipi_pending, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->fence_pending, 0, __ATOMIC_RELAXED);
	/* Whatever the guest's stage 1 cached under this VMID, and its old code, are gone. */
	hfence_vvma_all();
	asm volatile("fence.i" ::: "memory");
}

void arch_vcpu_trap_wfi(struct hv_vcpu *vcpu, bool trap)
{
	rv(vcpu)->trap_wfi = trap;
	if (trap)
		vcpu->regs->hstatus |= HSTATUS_VTW;
	else
		vcpu->regs->hstatus &= ~HSTATUS_VTW;
}

void arch_vcpu_enter(struct hv_vcpu *vcpu)
{
	riscv_vcpu_before_entry(vcpu);
	arch_guest_enter(vcpu->regs);
}

/* Without Sstc the guest's timer is the hypervisor's timer queue: it is polled at each trap and wait, and raises VSTIP. */
static void soft_timer_check(struct riscv_vcpu *s)
{
	if (s->timer_deadline != ~0UL && arch_counter_read() >= s->timer_deadline)
		csr_set(hvip, HVIP_VSTIP);
}

void riscv_vcpu_before_entry(struct hv_vcpu *vcpu)
{
	struct riscv_vcpu *s = rv(vcpu);
	u64 fences;

	if (__atomic_exchange_n(&s->ipi_pending, 0, __ATOMIC_ACQUIRE))
		csr_set(hvip, HVIP_VSSIP);
	fences = __atomic_exchange_n(&s->fence_pending, 0, __ATOMIC_ACQUIRE);
	if (fences & RFENCE_VVMA)
		hfence_vvma_all();
	if (fences & RFENCE_I)
		asm volatile("fence.i" ::: "memory");
	if (!riscv_sstc)
		soft_timer_check(s);
}

void riscv_vcpu_set_timer(struct hv_vcpu *vcpu, u64 when)
{
	struct riscv_vcpu *s = rv(vcpu);

	/* Setting the timer clears its pending interrupt until `when` (SBI TIME). */
	if (riscv_sstc) {
		csr_write(CSR_VSTIMECMP, when);
		return;
	}
	s->timer_deadline = when;
	csr_clear(hvip, HVIP_VSTIP);
	hv_timer_cancel(&s->timer);
	if (when != ~0UL) {
		/* time ticks to hv_time_ns(): 128 bits, since a far deadline times 10^9 does not fit in 64. */
		unsigned __int128 ns = (unsigned __int128)when * HV_NS_PER_SEC / arch_counter_freq();

		hv_timer_arm(&s->timer, ns > ~0UL ? ~0UL : (u64)ns);
	}
	soft_timer_check(s);
}

/*
 * Remote fences: each target vCPU's hart fences itself before it next enters its guest (hfence.vvma and
 * fence.i act on the executing hart only). The caller waits until each target has, or is off (it fences on
 * power-on anyway): SBI's remote fences are complete when the call returns. While waiting it takes care of
 * its own pending fences, so two vCPUs fencing each other do not wait for each other for ever.
 */
void riscv_remote_fence(struct hv_vcpu *vcpu, u64 mask, u64 what)
{
	struct hv_guest *guest = vcpu->guest;

	for (u64 i = 0; i < guest->cfg->vcpu_count; i++) {
		struct hv_vcpu *t = guest->vcpus[i];

		if (!(mask & BIT(i)))
			continue;
		if (t == vcpu) {
			if (what & RFENCE_VVMA)
				hfence_vvma_all();
			if (what & RFENCE_I)
				asm volatile("fence.i" ::: "memory");
			continue;
		}
		__atomic_fetch_or(&rv(t)->fence_pending, what, __ATOMIC_RELEASE);
		riscv_kick_pcpu(t->pcpu);
	}
	for (u64 i = 0; i < guest->cfg->vcpu_count; i++) {
		struct hv_vcpu *t = guest->vcpus[i];

		if (!(mask & BIT(i)) || t == vcpu)
			continue;
		while (__atomic_load_n(&rv(t)->fence_pending, __ATOMIC_ACQUIRE) &&
		       hv_vcpu_power_state(t) == HV_VCPU_ON && !hv_vcpu_must_yield(vcpu)) {
			u64 mine = __atomic_exchange_n(&rv(vcpu)->fence_pending, 0, __ATOMIC_ACQUIRE);

			if (mine & RFENCE_VVMA)
				hfence_vvma_all();
			if (mine & RFENCE_I)
				asm volatile("fence.i" ::: "memory");
		}
	}
}

/* Marks a virtual software interrupt for the vCPU and makes its hart enter the hypervisor to deliver it. */
void riscv_vcpu_send_ipi(struct hv_vcpu *target)
{
	__atomic_store_n(&rv(target)->ipi_pending, 1, __ATOMIC_RELEASE);
	if (target->pcpu == arch_cpu_id())
		return;		/* delivered before this trap returns */
	riscv_kick_pcpu(target->pcpu);
}

/*
 * Stopping or resetting a guest reaches its vCPUs on other harts by IPI: the HS-level software interrupt
 * traps out of VS-mode at once, and the trap sees the guest stopped or being reset. The G-stage tables are
 * left as they are.
 */
void arch_guest_block(struct hv_guest *guest)
{
	for (u64 i = 0; i < guest->cfg->vcpu_count; i++)
		if (guest->vcpus[i]->pcpu != arch_cpu_id())
			riscv_kick_pcpu(guest->vcpus[i]->pcpu);
}

void arch_guest_unblock(struct hv_guest *guest)
{
	(void)guest;
}
