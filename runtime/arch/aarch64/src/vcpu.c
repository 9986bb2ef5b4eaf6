// SPDX-License-Identifier: Apache-2.0
/*
 * vCPU state in the system registers. A vCPU that owns its pCPU has its EL2 controls written once, in
 * arch_vcpu_init(), and left alone; arch_vcpu_reset() puts the EL1 side back to its power-on state. Under a
 * scheduler a vCPU's whole state moves in and out of the pCPU it runs on: arch_vcpu_load()/arch_vcpu_put().
 */
#include <hv/arch.h>
#include <arch/context.h>
#include <arch/defs.h>
#include <arch/regs.h>
#include <arch/sysreg.h>
#include "internal.h"

void arch_guest_enter(struct arch_regs *frame) __noreturn;

#define HCR_GUEST	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | HCR_TWI | \
			 HCR_TSC | HCR_TIDCP | HCR_TACR | HCR_TSW | HCR_RW)

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

/*
 * The guest owns its pCPU's PMU and breakpoints, but they must not see EL2: every access traps (TPM, TDA,
 * TDOSA, TDRA) and arch_vcpu_sysreg() performs it with the EL2 filter and match bits cleared. Debug
 * exceptions target the guest's EL1 (TDE clear), and an exception is never taken from EL2 to EL1, so no
 * breakpoint, watchpoint or step can fire while the hypervisor runs. The guest gets all event counters.
 * HPMD is the architecture's own "no counting at EL2" from PMUv3p1 on (the Cortex-A57 has PMUv3, which
 * lacks it; even there it leaves the cycle counter to PMCR_EL0.DP, which the guest controls).
 */
static u64 mdcr_guest(void)
{
	u64 pmuver = (read_sysreg(id_aa64dfr0_el1) >> 8) & 0xf;
	u64 mdcr = MDCR_HPMN(PMCR_N(read_sysreg(pmcr_el0))) | MDCR_TPM | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA;

	if (pmuver >= 4 && pmuver != 0xf)
		mdcr |= MDCR_HPMD;
	return mdcr;
}

/*
 * On the Cortex-A53, A57 and A72, ACTLR_EL2 bits 0, 1, 4, 5 and 6 let EL1 write CPUACTLR_EL1, CPUECTLR_EL1,
 * L2CTLR_EL1, L2ECTLR_EL1 and L2ACTLR_EL1. Firmware may have set them; 0 (their reset value) takes that
 * away even where HCR_EL2.TIDCP is not honoured. On other cores ACTLR_EL2 means something else: left alone.
 */
static bool arm_cortex_a5x_a72(void)
{
	u64 midr = read_sysreg(midr_el1);
	u64 part = (midr >> 4) & 0xfff;

	return (midr >> 24) == 0x41 && (part == 0xd03 || part == 0xd07 || part == 0xd08);
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
	 * Set/way cache maintenance, ACTLR_EL1 and the IMPLEMENTATION DEFINED registers trap too (see
	 * arch_vcpu_sysreg()).
	 */
	el2->hcr_el2 = HCR_GUEST;
	el2->vtcr_el2 = g->arch.vtcr_el2 | (parange << VTCR_PS_SHIFT);
	el2->vttbr_el2 = (g->vmid << 48) | (u64)(uintptr_t)g->s2_root;
	el2->vpidr_el2 = read_sysreg(midr_el1);
	el2->vmpidr_el2 = v->hwid | MPIDR_RES1;
	el2->cptr_el2 = CPTR_EL2_RES1;
	el2->cnthctl_el2 = CNTHCTL_EL1_PHYS | CNTHCTL_EVNTEN | evnti << CNTHCTL_EVNTI_SHIFT;
	el2->mdcr_el2 = mdcr_guest();
}

#define EL2_WRITE(r)	write_sysreg(r, el2->r);

static void el2_controls_write(const struct arch_el2_regs *el2)
{
	ARCH_EL2_REGS(EL2_WRITE)
	if (arm_cortex_a5x_a72())
		write_sysreg(actlr_el2, 0);
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

/* --- system registers the guest may use through a trap --- */

/*
 * Each vCPU owns its pCPU, so the registers a guest is allowed are simply the hardware's: an allowed access
 * is performed here, at EL2, on the guest's behalf, after whatever check or change makes it safe. Every
 * access of an indexed register (counter n, breakpoint n) is checked against what the CPU implements first:
 * at EL2 an access to one it does not implement would be UNDEFINED, a hypervisor panic.
 */

/*
 * Whether this pCPU's PMU and debug registers may hold what the vCPU running here set: true from the first
 * access the vCPU made to them through a trap, until a scheduler's arch_vcpu_put() saves and clears them.
 */
static bool pmu_debug_live[CONFIG_HV_MAX_CPUS];

/* One trapped access: the value written, or the value read (for the guest's register). */
struct sysreg_access {
	bool read;
	u64 value;
};

#define SYSREG_RW(reg)	do { if (a->read) a->value = read_sysreg(reg); else write_sysreg(reg, a->value); } while (0)
#define SYSREG_RO(reg)	do { if (!a->read) return false; a->value = read_sysreg(reg); } while (0)
#define SYSREG_WO(reg)	do { if (a->read) return false; write_sysreg(reg, a->value); } while (0)

/* PMU. */

static u64 pmu_counters(void)
{
	return PMCR_N(read_sysreg(pmcr_el0));
}

/* No counting at EL2, whatever filter the guest asks for (the NSH bit would count the hypervisor). */
static u64 pmu_filter_el1_only(u64 filter)
{
	return filter & ~PMU_FILTER_NSH;
}

/* PMEVCNTR<n>_EL0 and PMEVTYPER<n>_EL0 through the selector, which is the guest's and is put back. */
__cold_path static void pmu_indirect(struct sysreg_access *a, u64 n, bool type)
{
	u64 sel = read_sysreg(pmselr_el0);

	write_sysreg(pmselr_el0, n);
	isb();
	if (type)
		SYSREG_RW(pmxevtyper_el0);
	else
		SYSREG_RW(pmxevcntr_el0);
	write_sysreg(pmselr_el0, sel);
}

__cold_path static bool pmu_access(struct sysreg_access *a, u64 enc)
{
	u64 crm = ISS_SYSREG_CRM(enc), op2 = ISS_SYSREG_OP2(enc);
	u64 n, sel;

	if (ISS_SYSREG_CRN(enc) == 14 && ISS_SYSREG_OP1(enc) == 3) {
		n = (crm & 3) << 3 | op2;
		if (crm >= 12 && n == PMSELR_CYCLES) {		/* PMCCFILTR_EL0 */
			if (!a->read)
				a->value = pmu_filter_el1_only(a->value);
			SYSREG_RW(pmccfiltr_el0);
			return true;
		}
		if (n >= pmu_counters())
			return false;
		if (crm >= 12 && !a->read)
			a->value = pmu_filter_el1_only(a->value);
		pmu_indirect(a, n, crm >= 12);
		return true;
	}

	switch (enc) {
	case ISS_SYSREG(3, 3, 9, 12, 0): SYSREG_RW(pmcr_el0); break;
	case ISS_SYSREG(3, 3, 9, 12, 1): SYSREG_RW(pmcntenset_el0); break;
	case ISS_SYSREG(3, 3, 9, 12, 2): SYSREG_RW(pmcntenclr_el0); break;
	case ISS_SYSREG(3, 3, 9, 12, 3): SYSREG_RW(pmovsclr_el0); break;
	case ISS_SYSREG(3, 3, 9, 12, 4): SYSREG_WO(pmswinc_el0); break;
	case ISS_SYSREG(3, 3, 9, 12, 5): SYSREG_RW(pmselr_el0); break;
	case ISS_SYSREG(3, 3, 9, 12, 6): SYSREG_RO(pmceid0_el0); break;
	case ISS_SYSREG(3, 3, 9, 12, 7): SYSREG_RO(pmceid1_el0); break;
	case ISS_SYSREG(3, 3, 9, 13, 0): SYSREG_RW(pmccntr_el0); break;
	case ISS_SYSREG(3, 3, 9, 14, 0): SYSREG_RW(pmuserenr_el0); break;
	case ISS_SYSREG(3, 0, 9, 14, 1): SYSREG_RW(pmintenset_el1); break;
	case ISS_SYSREG(3, 0, 9, 14, 2): SYSREG_RW(pmintenclr_el1); break;
	case ISS_SYSREG(3, 3, 9, 14, 3): SYSREG_RW(pmovsset_el0); break;
	case ISS_SYSREG(3, 3, 9, 13, 1):	/* PMXEVTYPER_EL0: the counter PMSELR_EL0 selects */
		sel = read_sysreg(pmselr_el0) & 0x1f;
		if (sel != PMSELR_CYCLES && sel >= pmu_counters())
			return false;
		if (!a->read)
			a->value = pmu_filter_el1_only(a->value);
		SYSREG_RW(pmxevtyper_el0);
		break;
	case ISS_SYSREG(3, 3, 9, 13, 2):	/* PMXEVCNTR_EL0 */
		if ((read_sysreg(pmselr_el0) & 0x1f) >= pmu_counters())
			return false;
		SYSREG_RW(pmxevcntr_el0);
		break;
	default:
		return false;
	}
	return true;
}

/* Everything off, every filter EL1 and EL0 only: no count of a previous boot, nor of EL2, survives a reset. */
static void pmu_reset(void)
{
	u64 n = pmu_counters();

	write_sysreg(pmcr_el0, PMCR_P | PMCR_C);
	write_sysreg(pmcntenclr_el0, 0xffffffffUL);
	write_sysreg(pmintenclr_el1, 0xffffffffUL);
	write_sysreg(pmovsclr_el0, 0xffffffffUL);
	write_sysreg(pmuserenr_el0, 0);
	write_sysreg(pmccfiltr_el0, 0);
	for (u64 i = 0; i < n; i++) {
		write_sysreg(pmselr_el0, i);
		isb();
		write_sysreg(pmxevtyper_el0, 0);
	}
	write_sysreg(pmselr_el0, 0);
}

/* Debug. */

static u64 debug_breakpoints(void)
{
	return ((read_sysreg(id_aa64dfr0_el1) >> 12) & 0xf) + 1;
}

static u64 debug_watchpoints(void)
{
	return ((read_sysreg(id_aa64dfr0_el1) >> 20) & 0xf) + 1;
}

/*
 * A breakpoint or watchpoint control value that never matches at EL2: no HMC, and not SSC 0b11, which is
 * reserved without HMC and could then behave as an EL2 match.
 */
static u64 debug_control_el1_only(u64 v)
{
	v &= ~DBGCR_HMC;
	if ((v & DBGCR_SSC_MASK) == DBGCR_SSC_MASK)
		v &= ~(1UL << (DBGCR_SSC_SHIFT + 1));	/* SSC 0b01: Non-secure, this guest's ELs */
	return v;
}

/* debug-regs.S: the indexed debug registers by number (kind * 16 + n, kind 0-3 as op2 4-7 below). */
u64 arch_debug_reg_read(u64 index);
void arch_debug_reg_write(u64 index, u64 value);

/* DBGBVR<n>_EL1 (op2 4), DBGBCR<n>_EL1 (5), DBGWVR<n>_EL1 (6), DBGWCR<n>_EL1 (7); n checked by the caller. */
static void debug_indexed(struct sysreg_access *a, u64 op2, u64 n)
{
	u64 index = (op2 - 4) * 16 + n;

	if (a->read)
		a->value = arch_debug_reg_read(index);
	else
		arch_debug_reg_write(index, a->value);
}

__cold_path static bool debug_access(struct sysreg_access *a, u64 enc)
{
	u64 crm = ISS_SYSREG_CRM(enc), op2 = ISS_SYSREG_OP2(enc);

	if (ISS_SYSREG_OP1(enc) == 0 && ISS_SYSREG_CRN(enc) == 0 && op2 >= 4) {
		if (crm >= (op2 < 6 ? debug_breakpoints() : debug_watchpoints()))
			return false;
		if (!a->read && (op2 == 5 || op2 == 7))
			a->value = debug_control_el1_only(a->value);
		debug_indexed(a, op2, crm);
		return true;
	}

	switch (enc) {
	case ISS_SYSREG(2, 0, 0, 2, 2): SYSREG_RW(mdscr_el1); break;
	case ISS_SYSREG(2, 0, 1, 0, 4): SYSREG_WO(oslar_el1); break;
	case ISS_SYSREG(2, 0, 1, 1, 4): SYSREG_RO(oslsr_el1); break;
	case ISS_SYSREG(2, 0, 1, 3, 4): SYSREG_RW(osdlr_el1); break;
	/*
	 * DBGPRCR_EL1 (a powerdown request to the core, which other guests share) and the claim tags
	 * (DBGCLAIMSET/CLR_EL1, an agreement with an external debugger) read as zero and ignore writes, as
	 * KVM does: a guest has neither, and no state of them is left for the next guest on this pCPU.
	 */
	case ISS_SYSREG(2, 0, 1, 4, 4):
	case ISS_SYSREG(2, 0, 7, 8, 6):
	case ISS_SYSREG(2, 0, 7, 9, 6):
		a->value = 0;
		break;
	case ISS_SYSREG(2, 0, 7, 14, 6): SYSREG_RO(dbgauthstatus_el1); break;
	/* MDRAR_EL1: no ROM table (its address would be a host physical address). */
	case ISS_SYSREG(2, 0, 1, 0, 0):
		if (!a->read)
			return false;
		a->value = 0;
		break;
	/*
	 * The debug communications channel leads to an external debugger, out of the partition: it reads as
	 * empty and what is sent is dropped (MDCCSR_EL0, DBGDTR_EL0, DBGDTRRX/TX_EL0, MDCCINT_EL1,
	 * OSDTRRX/TX_EL1, OSECCR_EL1).
	 */
	case ISS_SYSREG(2, 3, 0, 1, 0):
	case ISS_SYSREG(2, 3, 0, 4, 0):
	case ISS_SYSREG(2, 3, 0, 5, 0):
	case ISS_SYSREG(2, 0, 0, 2, 0):
	case ISS_SYSREG(2, 0, 0, 0, 2):
	case ISS_SYSREG(2, 0, 0, 3, 2):
	case ISS_SYSREG(2, 0, 0, 6, 2):
		a->value = 0;
		break;
	default:
		return false;
	}
	return true;
}

/* No breakpoint or watchpoint of a previous boot survives a reset. */
static void debug_reset(void)
{
	struct sysreg_access clear = { .read = false, .value = 0 };
	u64 brps = debug_breakpoints(), wrps = debug_watchpoints();

	for (u64 n = 0; n < brps; n++) {
		debug_indexed(&clear, 5, n);
		debug_indexed(&clear, 4, n);
	}
	for (u64 n = 0; n < wrps; n++) {
		debug_indexed(&clear, 7, n);
		debug_indexed(&clear, 6, n);
	}
	write_sysreg(mdscr_el1, 0);
}

/* Cache maintenance by set/way. */

static bool caches_on(u64 sctlr)
{
	return (sctlr & (SCTLR_M | SCTLR_C)) == (SCTLR_M | SCTLR_C);
}

/* Clean and invalidate, to the point of coherency, every line of the guest's own RAM (EL2 maps it 1:1). */
__cold_path static void guest_memory_clean_invalidate(const struct hv_guest_config *g)
{
	u64 line = 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);

	for (u64 i = 0; i < g->mem_count; i++)
		for (u64 p = g->mem[i].pa; p < g->mem[i].pa + g->mem[i].size; p += line)
			asm volatile("dc civac, %0" : : "r"(p) : "memory");
	dsb(ish);
}

/*
 * DC ISW/CSW/CISW (trapped by HCR_EL2.TSW). They name a line by its place in a cache, not by address, so
 * on the real caches they would clean or drop lines of other guests sharing a cache level (an invalidate
 * alone loses their data), and they cannot be confined to the guest's own lines. What the guest wants from
 * them is its memory coherent with the caches, around turning its caches off or on (firmware cleans by
 * set/way before that; Linux never uses them). So, as KVM does: the first set/way operation cleans and
 * invalidates all the guest's own RAM by address, broadcast to every CPU, which is a superset of what any
 * set/way walk could do to the guest's data and touches no one else's. The rest of the walk is then
 * skipped: instead the EL1 MMU controls trap (HCR_EL2.TVM) until the guest switches its caches, and that
 * switch cleans and invalidates again, the moment the walk was for. Each operation of a walk costing a
 * trap and nothing more keeps a walk of a 2 MiB L2 (32,768 operations) cheap.
 */
__cold_path static void set_way(struct hv_vcpu *vcpu, u64 enc)
{
	static u64 reported;	/* by guest index: one line per guest */
	u64 hcr = read_sysreg(hcr_el2);

	if (!(__atomic_fetch_or(&reported, BIT(vcpu->guest->index), __ATOMIC_RELAXED) & BIT(vcpu->guest->index)))
		hv_log("guest '%s' uses set/way cache maintenance (DC %s): done by address over its own memory instead",
		       vcpu->guest->cfg->name, ISS_SYSREG_CRM(enc) == 6 ? "ISW" : ISS_SYSREG_CRM(enc) == 10 ? "CSW" : "CISW");
	if (hcr & HCR_TVM)
		return;
	guest_memory_clean_invalidate(vcpu->guest->cfg);
	write_sysreg(hcr_el2, hcr | HCR_TVM);
}

/* A write of the EL1 MMU controls while HCR_EL2.TVM traps them (after a set/way operation). */
__cold_path static bool mmu_control_write(struct hv_vcpu *vcpu, struct sysreg_access *a, u64 enc)
{
	if (a->read)
		return false;	/* TVM traps writes only */
	switch (enc) {
	case ISS_SYSREG(3, 0, 1, 0, 0): {
		u64 old = read_sysreg(sctlr_el1);

		write_sysreg(sctlr_el1, a->value);
		/* The caches go on or off: what the set/way walk was preparing for. */
		if (caches_on(old) != caches_on(a->value))
			guest_memory_clean_invalidate(vcpu->guest->cfg);
		if (caches_on(a->value))
			write_sysreg(hcr_el2, read_sysreg(hcr_el2) & ~HCR_TVM);
		break;
	}
	case ISS_SYSREG(3, 0, 2, 0, 0): SYSREG_RW(ttbr0_el1); break;
	case ISS_SYSREG(3, 0, 2, 0, 1): SYSREG_RW(ttbr1_el1); break;
	case ISS_SYSREG(3, 0, 2, 0, 2): SYSREG_RW(tcr_el1); break;
	case ISS_SYSREG(3, 0, 5, 1, 0): SYSREG_RW(afsr0_el1); break;
	case ISS_SYSREG(3, 0, 5, 1, 1): SYSREG_RW(afsr1_el1); break;
	case ISS_SYSREG(3, 0, 5, 2, 0): SYSREG_RW(esr_el1); break;
	case ISS_SYSREG(3, 0, 6, 0, 0): SYSREG_RW(far_el1); break;
	case ISS_SYSREG(3, 0, 10, 2, 0): SYSREG_RW(mair_el1); break;
	case ISS_SYSREG(3, 0, 10, 3, 0): SYSREG_RW(amair_el1); break;
	case ISS_SYSREG(3, 0, 13, 0, 1): SYSREG_RW(contextidr_el1); break;
	default:
		return false;
	}
	return true;
}

__cold_path bool arch_vcpu_sysreg(struct hv_vcpu *vcpu, u64 iss, const char **why)
{
	struct sysreg_access a = { .read = iss & ISS_SYSREG_READ };
	u64 enc = iss & ISS_SYSREG_MASK;
	u64 op0 = ISS_SYSREG_OP0(enc), crn = ISS_SYSREG_CRN(enc), crm = ISS_SYSREG_CRM(enc);
	unsigned int rt = (unsigned int)ISS_SYSREG_RT(iss);
	bool done;

	if (!a.read)
		a.value = arch_vcpu_reg(vcpu, rt);

	if (op0 == 1 && ISS_SYSREG_OP1(enc) == 0 && crn == 7 && (crm == 6 || crm == 10 || crm == 14) &&
	    ISS_SYSREG_OP2(enc) == 2) {
		set_way(vcpu, enc);
		return true;
	}
	if (op0 == 3 && (crn == 11 || crn == 15)) {
		/*
		 * IMPLEMENTATION DEFINED registers (HCR_EL2.TIDCP): on the Cortex-A57 they control the core
		 * and the L2 cache it shares with other guests' cores (CPUACTLR_EL1, CPUECTLR_EL1, L2CTLR_EL1,
		 * L2ACTLR_EL1...) or give the board away (CBAR_EL1). No value is safe to pretend for all
		 * cores, and no guest OS needs them: the guest is stopped.
		 */
		*why = "accessed an IMPLEMENTATION DEFINED register";
		return false;
	}
	if (enc == ISS_SYSREG(3, 0, 1, 0, 1)) {
		/*
		 * ACTLR_EL1 (HCR_EL2.TACR), IMPLEMENTATION DEFINED too, but architectural and read by some
		 * guests: it reads as zero and writes are ignored, which is what the Cortex-A57's own
		 * ACTLR_EL1 (RES0) does.
		 */
		a.value = 0;
		done = true;
	} else if (op0 == 2) {
		done = debug_access(&a, enc);
		pmu_debug_live[arch_cpu_id()] |= done;
		*why = "made a debug register access the hypervisor does not allow";
	} else if (op0 == 3 && ((crn == 9 && crm >= 12) || (crn == 14 && crm >= 8))) {
		done = pmu_access(&a, enc);
		pmu_debug_live[arch_cpu_id()] |= done;
		*why = "made a PMU access the hypervisor does not allow";
	} else if (op0 == 3 && (read_sysreg(hcr_el2) & HCR_TVM)) {
		done = mmu_control_write(vcpu, &a, enc);
	} else {
		done = false;
	}
	if (done && a.read)
		arch_vcpu_set_reg(vcpu, rt, a.value);
	return done;
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
	/* A fresh boot traps no MMU control writes until its first set/way operation. */
	write_sysreg(hcr_el2, read_sysreg(hcr_el2) & ~HCR_TVM);
	pmu_reset();
	debug_reset();
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

/*
 * The PMU and the breakpoints go with the vCPU that set them: left in the pCPU, another guest's vCPU would
 * read its counts and addresses, or count and stop on its behalf. Saved only for a vCPU that touched them
 * (most guests never do, and pay nothing), then the pCPU is left as a reset leaves it.
 */
static void pmu_debug_save(struct arch_pmu_debug *s)
{
	struct sysreg_access a = { .read = true };
	u64 counters = pmu_counters();

	s->pmcr = read_sysreg(pmcr_el0);
	write_sysreg(pmcr_el0, s->pmcr & ~PMCR_E);
	isb();
	s->pmcntenset = read_sysreg(pmcntenset_el0);
	s->pmintenset = read_sysreg(pmintenset_el1);
	s->pmovsset = read_sysreg(pmovsset_el0);
	s->pmuserenr = read_sysreg(pmuserenr_el0);
	s->pmselr = read_sysreg(pmselr_el0);
	s->pmccntr = read_sysreg(pmccntr_el0);
	s->pmccfiltr = read_sysreg(pmccfiltr_el0);
	for (u64 n = 0; n < counters; n++) {
		write_sysreg(pmselr_el0, n);
		isb();
		s->pmevtyper[n] = read_sysreg(pmxevtyper_el0);
		s->pmevcntr[n] = read_sysreg(pmxevcntr_el0);
	}
	for (u64 n = 0; n < debug_breakpoints(); n++) {
		debug_indexed(&a, 4, n);
		s->dbgbvr[n] = a.value;
		debug_indexed(&a, 5, n);
		s->dbgbcr[n] = a.value;
	}
	for (u64 n = 0; n < debug_watchpoints(); n++) {
		debug_indexed(&a, 6, n);
		s->dbgwvr[n] = a.value;
		debug_indexed(&a, 7, n);
		s->dbgwcr[n] = a.value;
	}
	s->osdlr = read_sysreg(osdlr_el1);
	s->oslk = (read_sysreg(oslsr_el1) >> 1) & 1;

	pmu_reset();
	debug_reset();
	write_sysreg(osdlr_el1, 0);
	write_sysreg(oslar_el1, 0);
}

static void pmu_debug_restore(const struct arch_pmu_debug *s)
{
	struct sysreg_access a = { .read = false };
	u64 counters = pmu_counters();

	for (u64 n = 0; n < counters; n++) {
		write_sysreg(pmselr_el0, n);
		isb();
		write_sysreg(pmxevtyper_el0, s->pmevtyper[n]);
		write_sysreg(pmxevcntr_el0, s->pmevcntr[n]);
	}
	write_sysreg(pmselr_el0, s->pmselr);
	write_sysreg(pmccntr_el0, s->pmccntr);
	write_sysreg(pmccfiltr_el0, s->pmccfiltr);
	write_sysreg(pmuserenr_el0, s->pmuserenr);
	write_sysreg(pmovsset_el0, s->pmovsset);
	write_sysreg(pmintenset_el1, s->pmintenset);
	write_sysreg(pmcntenset_el0, s->pmcntenset);
	for (u64 n = 0; n < debug_breakpoints(); n++) {
		a.value = s->dbgbvr[n];
		debug_indexed(&a, 4, n);
		a.value = s->dbgbcr[n];
		debug_indexed(&a, 5, n);
	}
	for (u64 n = 0; n < debug_watchpoints(); n++) {
		a.value = s->dbgwvr[n];
		debug_indexed(&a, 6, n);
		a.value = s->dbgwcr[n];
		debug_indexed(&a, 7, n);
	}
	write_sysreg(osdlr_el1, s->osdlr);
	write_sysreg(oslar_el1, s->oslk);
	/* Last: counting starts again only once every counter is back. */
	write_sysreg(pmcr_el0, s->pmcr & ~(PMCR_P | PMCR_C));
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
	if (ctx->pmu_debug_saved) {
		pmu_debug_restore(&ctx->pmu_debug);
		ctx->pmu_debug_saved = false;
		pmu_debug_live[arch_cpu_id()] = true;
	}
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
	/* The set/way scheme turns HCR_EL2.TVM on and off while the vCPU runs. */
	ctx->el2.hcr_el2 = read_sysreg(hcr_el2);
	ARCH_EL1_REGS(EL1_SAVE)
	if (pmu_debug_live[arch_cpu_id()]) {
		pmu_debug_save(&ctx->pmu_debug);
		ctx->pmu_debug_saved = true;
		pmu_debug_live[arch_cpu_id()] = false;
	}
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
