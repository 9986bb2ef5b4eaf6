// SPDX-License-Identifier: Apache-2.0
/*
 * vCPU state in the system registers. A vCPU that owns its pCPU has its EL2 controls written once, in
 * arch_vcpu_init(), and left alone; arch_vcpu_reset() puts the EL1 side back to its power-on state. Under a
 * scheduler a vCPU's whole state moves in and out of the pCPU it runs on: arch_vcpu_load()/arch_vcpu_put().
 */
#include <hv/arch.h>
#include <arch/context.h>
#include <arch/regs.h>
#include <arch/sysreg.h>
#include "internal.h"

void arch_guest_enter(struct arch_regs *frame) __noreturn;

#define HCR_GUEST	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | HCR_TWI | \
			 HCR_TSC | HCR_RW)

#define MPIDR_RES1	BIT(31)

u64 arch_vcpu_reg(struct hv_vcpu *vcpu, unsigned int n)
{
	/* Register 31 is XZR in the instructions that name registers here (loads, stores, SMCCC). */
	return n < 31 ? vcpu->regs->x[n] : 0;
}

void arch_vcpu_set_reg(struct hv_vcpu *vcpu, unsigned int n, u64 value)
{
	if (n < 31)
		vcpu->regs->x[n] = value;
}

/* The EL2 controls of a vCPU. */
static void el2_controls(struct hv_vcpu *vcpu, struct arch_el2_regs *el2)
{
	const struct hv_guest_config *g = vcpu->guest->cfg;
	const struct hv_vcpu_config *v = &g->vcpus[vcpu->index];
	u64 parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	u64 evnti = 0;

	if (parange > PARANGE_48)
		parange = PARANGE_48;
	/*
	 * An event stream of about 10 kHz: without a host interrupt controller this pCPU waits with WFE, and
	 * the stream bounds that wait, so the hypervisor's timers are looked at in it (hv/timer.h).
	 */
	while (evnti < 15 && (2UL << evnti) < arch_counter_freq() / 10000)
		evnti++;

	/*
	 * Physical interrupts are routed to EL2 (IMO/FMO/AMO) so a guest can never take or acknowledge a host
	 * interrupt. SMC and WFI trap: SMC for PSCI, WFI so an idling vCPU still notices a stop or a reset of
	 * its guest (a pinned vCPU with a virtual GIC stops WFI trapping: its guest's WFI wakes on interrupts).
	 */
	el2->hcr_el2 = HCR_GUEST;
	el2->vtcr_el2 = g->arch.vtcr_el2 | (parange << VTCR_PS_SHIFT);
	el2->vttbr_el2 = (g->vmid << 48) | (u64)(uintptr_t)g->s2_root;
	el2->vpidr_el2 = read_sysreg(midr_el1);
	el2->vmpidr_el2 = v->hwid | MPIDR_RES1;
	el2->cptr_el2 = CPTR_EL2_RES1;
	el2->cnthctl_el2 = CNTHCTL_EL1_PHYS | CNTHCTL_EVNTEN | evnti << CNTHCTL_EVNTI_SHIFT;
	/* Guest debug and PMU accesses are not trapped; the guest sees all the PMU's counters. */
	el2->mdcr_el2 = (read_sysreg(pmcr_el0) >> 11) & 0x1f;
}

#define EL2_WRITE(r)	write_sysreg(r, el2->r);

static void el2_controls_write(const struct arch_el2_regs *el2)
{
	ARCH_EL2_REGS(EL2_WRITE)
	write_sysreg(cntvoff_el2, 0);
	isb();
}

void arch_vcpu_init(struct hv_vcpu *vcpu)
{
	struct arch_el2_regs el2;

	el2_controls(vcpu, &el2);
	el2_controls_write(&el2);
	/* The hypervisor's own timer: off until something is armed on this pCPU (core/src/timer.c). */
	write_sysreg(cnthp_ctl_el2, 0);
	isb();
	/* This VMID may have been used before (a previous boot): no stale translations. */
	asm volatile("tlbi vmalls12e1is" ::: "memory");
	dsb(ish);
	isb();
}

/* Power-on state: PC = entry, x0 = arg, every other register zero, EL1h with DAIF masked, MMU off. */
void arch_vcpu_reset(struct hv_vcpu *vcpu, u64 entry, u64 arg)
{
	struct arch_regs *r = vcpu->regs;

	memset(r, 0, sizeof(*r));
	r->x[0] = arg;
	r->elr = entry;
	r->spsr = SPSR_EL1H_DAIF;

	write_sysreg(sctlr_el1, SCTLR_EL1_RESET);
	write_sysreg(vbar_el1, 0);
	write_sysreg(sp_el1, 0);
	write_sysreg(cntkctl_el1, 0);
	write_sysreg(cntp_ctl_el0, 0);
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	/* Whatever the guest's stage 1 cached under this VMID before the reset is gone. */
	asm volatile("tlbi vmalle1" ::: "memory");
	dsb(nsh);
	isb();
}

/* --- context switching, for a scheduler --- */

/* The vCPU of each guest (by guest index) that ran last on each pCPU: its stage-1 TLB entries are there. */
static struct hv_vcpu *last_ran[CONFIG_HV_MAX_CPUS][CONFIG_HV_MAX_VCPUS];

void arch_vcpu_context_init(struct hv_vcpu *vcpu, struct arch_vcpu_context *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	el2_controls(vcpu, &ctx->el2);
	/* Waits trap, so that the vCPU gives way: WFI until it has an interrupt, WFE until others had a turn. */
	ctx->el2.hcr_el2 |= HCR_TWI | HCR_TWE;
	ctx->el1.sctlr_el1 = SCTLR_EL1_RESET;
	ctx->fresh = true;
}

/*
 * No clobbers are named for the vector registers: the hypervisor is built with -mgeneral-regs-only, so the
 * compiler keeps nothing of its own in them. The offsets are those of struct arch_vcpu_context.v.
 */
static void fp_save(struct arch_vcpu_context *ctx)
{
	asm volatile("stp q0, q1, [%0, #0]\n\t"
		     "stp q2, q3, [%0, #32]\n\t"
		     "stp q4, q5, [%0, #64]\n\t"
		     "stp q6, q7, [%0, #96]\n\t"
		     "stp q8, q9, [%0, #128]\n\t"
		     "stp q10, q11, [%0, #160]\n\t"
		     "stp q12, q13, [%0, #192]\n\t"
		     "stp q14, q15, [%0, #224]\n\t"
		     "stp q16, q17, [%0, #256]\n\t"
		     "stp q18, q19, [%0, #288]\n\t"
		     "stp q20, q21, [%0, #320]\n\t"
		     "stp q22, q23, [%0, #352]\n\t"
		     "stp q24, q25, [%0, #384]\n\t"
		     "stp q26, q27, [%0, #416]\n\t"
		     "stp q28, q29, [%0, #448]\n\t"
		     "stp q30, q31, [%0, #480]"
		     : : "r"(ctx->v) : "memory");
	ctx->fpsr = read_sysreg(fpsr);
	ctx->fpcr = read_sysreg(fpcr);
}

static void fp_restore(const struct arch_vcpu_context *ctx)
{
	asm volatile("ldp q0, q1, [%0, #0]\n\t"
		     "ldp q2, q3, [%0, #32]\n\t"
		     "ldp q4, q5, [%0, #64]\n\t"
		     "ldp q6, q7, [%0, #96]\n\t"
		     "ldp q8, q9, [%0, #128]\n\t"
		     "ldp q10, q11, [%0, #160]\n\t"
		     "ldp q12, q13, [%0, #192]\n\t"
		     "ldp q14, q15, [%0, #224]\n\t"
		     "ldp q16, q17, [%0, #256]\n\t"
		     "ldp q18, q19, [%0, #288]\n\t"
		     "ldp q20, q21, [%0, #320]\n\t"
		     "ldp q22, q23, [%0, #352]\n\t"
		     "ldp q24, q25, [%0, #384]\n\t"
		     "ldp q26, q27, [%0, #416]\n\t"
		     "ldp q28, q29, [%0, #448]\n\t"
		     "ldp q30, q31, [%0, #480]"
		     : : "r"(ctx->v) : "memory");
	write_sysreg(fpsr, ctx->fpsr);
	write_sysreg(fpcr, ctx->fpcr);
}

#define EL1_SAVE(r)	ctx->el1.r = read_sysreg(r);
#define EL1_RESTORE(r)	write_sysreg(r, ctx->el1.r);

void arch_vcpu_load(struct hv_vcpu *vcpu, struct arch_vcpu_context *ctx)
{
	struct hv_vcpu **last = &last_ran[arch_cpu_id()][vcpu->guest->index];
	const struct arch_el2_regs *el2 = &ctx->el2;

	/* CPTR_EL2 first: it must not trap the FP/SIMD accesses below. */
	el2_controls_write(el2);
	if (ctx->fresh) {
		asm volatile("tlbi vmalls12e1is" ::: "memory");
		dsb(ish);
		ctx->fresh = false;
	} else if (*last != vcpu) {
		/*
		 * Another vCPU of this guest ran here since: its stage-1 entries share the VMID, and this one's
		 * invalidations, done locally where it ran, never reached this pCPU.
		 */
		asm volatile("tlbi vmalle1" ::: "memory");
		dsb(nsh);
	}
	*last = vcpu;
	ARCH_EL1_REGS(EL1_RESTORE)
	fp_restore(ctx);
	write_sysreg(cntv_cval_el0, ctx->cntv_cval);
	write_sysreg(cntp_cval_el0, ctx->cntp_cval);
	write_sysreg(cntv_ctl_el0, ctx->cntv_ctl);
	write_sysreg(cntp_ctl_el0, ctx->cntp_ctl);
	isb();
}

void arch_vcpu_put(struct hv_vcpu *vcpu, struct arch_vcpu_context *ctx)
{
	(void)vcpu;	/* everything is in this pCPU's registers */
	ctx->cntv_ctl = read_sysreg(cntv_ctl_el0);
	ctx->cntv_cval = read_sysreg(cntv_cval_el0);
	ctx->cntp_ctl = read_sysreg(cntp_ctl_el0);
	ctx->cntp_cval = read_sysreg(cntp_cval_el0);
	/* Its timers must not fire here for whoever runs next; the scheduler watches the virtual one. */
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	ARCH_EL1_REGS(EL1_SAVE)
	fp_save(ctx);
	isb();
}

u64 arch_vcpu_timer_deadline(const struct arch_vcpu_context *ctx)
{
	/* CNTVOFF_EL2 is 0: the virtual counter is the physical one. */
	if ((ctx->cntv_ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) != CNT_CTL_ENABLE)
		return ~0UL;
	return ctx->cntv_cval;
}

enum arch_vtimer arch_vcpu_timer_state(void)
{
	u64 ctl = read_sysreg(cntv_ctl_el0);

	if ((ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) != CNT_CTL_ENABLE)
		return ARCH_VTIMER_OFF;
	return (ctl & CNT_CTL_ISTATUS) ? ARCH_VTIMER_FIRED : ARCH_VTIMER_COUNTING;
}

_Static_assert(__builtin_offsetof(struct arch_thread, fp) == 80 && __builtin_offsetof(struct arch_thread, sp) == 96,
	       "arch_thread_switch() offsets");

/* A new thread's first return lands here, with its function in x19 and the argument in x20. */
static __attribute__((naked, noreturn)) void thread_start(void)
{
	asm volatile("mov x0, x20\n\t"
		     "blr x19\n\t"
		     "b .");
}

struct arch_regs *arch_thread_init(struct arch_thread *thread, u8 *stack_top, void (*fn)(void *), void *arg)
{
	struct arch_regs *frame = (struct arch_regs *)(stack_top - ARCH_REGS_SIZE);

	memset(thread, 0, sizeof(*thread));
	memset(frame, 0, sizeof(*frame));
	thread->x19_x28[0] = (u64)(uintptr_t)fn;
	thread->x19_x28[1] = (u64)(uintptr_t)arg;
	thread->lr = (u64)(uintptr_t)thread_start;
	/* Its C code runs below the frame, as on a pCPU's own stack. */
	thread->sp = (u64)(uintptr_t)frame;
	return frame;
}

__attribute__((naked)) void arch_thread_switch(struct arch_thread *prev, struct arch_thread *next)
{
	asm volatile("stp x19, x20, [x0, #0]\n\t"
		     "stp x21, x22, [x0, #16]\n\t"
		     "stp x23, x24, [x0, #32]\n\t"
		     "stp x25, x26, [x0, #48]\n\t"
		     "stp x27, x28, [x0, #64]\n\t"
		     "stp x29, x30, [x0, #80]\n\t"
		     "mov x9, sp\n\t"
		     "str x9, [x0, #96]\n\t"
		     "ldp x19, x20, [x1, #0]\n\t"
		     "ldp x21, x22, [x1, #16]\n\t"
		     "ldp x23, x24, [x1, #32]\n\t"
		     "ldp x25, x26, [x1, #48]\n\t"
		     "ldp x27, x28, [x1, #64]\n\t"
		     "ldp x29, x30, [x1, #80]\n\t"
		     "ldr x9, [x1, #96]\n\t"
		     "mov sp, x9\n\t"
		     "ret");
}

void arch_vcpu_trap_wfi(struct hv_vcpu *vcpu, bool trap)
{
	u64 hcr = read_sysreg(hcr_el2);

	(void)vcpu;	/* its pCPU's HCR_EL2 is this one */
	write_sysreg(hcr_el2, trap ? hcr | HCR_TWI : hcr & ~HCR_TWI);
	isb();
}

void arch_vcpu_enter(struct hv_vcpu *vcpu)
{
	arch_guest_enter(vcpu->regs);
}

static inline u64 table_read(const u64 *p)
{
	u64 v;

	asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(p) : "memory");
	return v;
}

static inline void table_write(const u64 *p, u64 v)
{
	asm volatile("str %0, [%1]" : : "r"(v), "r"(p) : "memory");
}

/*
 * How one pCPU stops a guest's vCPUs running on other pCPUs without an IPI: revoke the guest's stage-2 root
 * and flush its TLB entries on every CPU. Their next instruction fetch or memory access then faults into
 * EL2, where they find the guest stopped or being reset and park. The compiler's invalid entries are 0 and
 * its valid ones have bit 0 set, so clearing bit 0 revokes an entry and setting it again restores it. The
 * tables are constant data to C, so they are only accessed through inline assembly here: the optimizer
 * must not assume they never change.
 */
static void s2_root_set_valid(const struct hv_guest_config *g, bool valid)
{
	u64 n = arch_s2_root_entries(g->arch.vtcr_el2);
	u64 saved;

	for (u64 i = 0; i < n; i++) {
		u64 e = table_read(&g->s2_root[i]);

		if (e)
			table_write(&g->s2_root[i], valid ? e | 1 : e & ~1UL);
	}
	dsb(ishst);

	/* TLB maintenance by VMID acts on the VMID in VTTBR_EL2: borrow this guest's for a moment. */
	saved = read_sysreg(vttbr_el2);
	write_sysreg(vttbr_el2, (g->vmid << 48) | (u64)(uintptr_t)g->s2_root);
	isb();
	asm volatile("tlbi vmalls12e1is" ::: "memory");
	dsb(ish);
	write_sysreg(vttbr_el2, saved);
	isb();
}

void arch_guest_block(struct hv_guest *guest)
{
	s2_root_set_valid(guest->cfg, false);
}

void arch_guest_unblock(struct hv_guest *guest)
{
	s2_root_set_valid(guest->cfg, true);
}
