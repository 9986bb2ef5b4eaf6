// SPDX-License-Identifier: Apache-2.0
/*
 * vCPU state in the EL2 system registers. Each vCPU owns its pCPU, so these are written once in
 * arch_vcpu_init() and left alone; arch_vcpu_reset() puts the EL1 side back to its power-on state.
 */
#include <hv/arch.h>
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

void arch_vcpu_init(struct hv_vcpu *vcpu)
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
	 * its guest (a virtual GIC stops WFI trapping: its guest's WFI wakes on interrupts).
	 */
	write_sysreg(hcr_el2, HCR_GUEST);
	write_sysreg(vtcr_el2, g->arch.vtcr_el2 | (parange << VTCR_PS_SHIFT));
	write_sysreg(vttbr_el2, (g->vmid << 48) | (u64)(uintptr_t)g->s2_root);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, v->hwid | MPIDR_RES1);
	write_sysreg(cptr_el2, CPTR_EL2_RES1);
	write_sysreg(cnthctl_el2, CNTHCTL_EL1_PHYS | CNTHCTL_EVNTEN | evnti << CNTHCTL_EVNTI_SHIFT);
	/* The hypervisor's own timer: off until something is armed on this pCPU (core/src/timer.c). */
	write_sysreg(cnthp_ctl_el2, 0);
	write_sysreg(cntvoff_el2, 0);
	/* Guest debug and PMU accesses are not trapped; the guest sees all the PMU's counters. */
	write_sysreg(mdcr_el2, (read_sysreg(pmcr_el0) >> 11) & 0x1f);
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
