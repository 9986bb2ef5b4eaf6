// SPDX-License-Identifier: Apache-2.0
/*
 * vCPU state in the EL2 system registers. Each vCPU owns its pCPU, so these are written once in
 * arch_vcpu_init() and left alone; arch_vcpu_reset() puts the EL1 side back to its power-on state.
 */
#include <hv/arch.h>
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
	 * its guest (a virtual GIC stops WFI trapping: its guest's WFI wakes on interrupts). Set/way cache
	 * maintenance, ACTLR_EL1 and the IMPLEMENTATION DEFINED registers trap too (see arch_vcpu_sysreg()).
	 */
	write_sysreg(hcr_el2, HCR_GUEST);
	if (arm_cortex_a5x_a72())
		write_sysreg(actlr_el2, 0);
	write_sysreg(vtcr_el2, g->arch.vtcr_el2 | (parange << VTCR_PS_SHIFT));
	write_sysreg(vttbr_el2, (g->vmid << 48) | (u64)(uintptr_t)g->s2_root);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, v->hwid | MPIDR_RES1);
	write_sysreg(cptr_el2, CPTR_EL2_RES1);
	write_sysreg(cnthctl_el2, CNTHCTL_EL1_PHYS | CNTHCTL_EVNTEN | evnti << CNTHCTL_EVNTI_SHIFT);
	/* The hypervisor's own timer: off until something is armed on this pCPU (core/src/timer.c). */
	write_sysreg(cnthp_ctl_el2, 0);
	write_sysreg(cntvoff_el2, 0);
	write_sysreg(mdcr_el2, mdcr_guest());
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
static void pmu_indirect(struct sysreg_access *a, u64 n, bool type)
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

static bool pmu_access(struct sysreg_access *a, u64 enc)
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

#define DBG_ONE(reg, n)		case n: SYSREG_RW(reg##n##_el1); break;
#define DBG_SIXTEEN(reg)	DBG_ONE(reg, 0) DBG_ONE(reg, 1) DBG_ONE(reg, 2) DBG_ONE(reg, 3)	\
				DBG_ONE(reg, 4) DBG_ONE(reg, 5) DBG_ONE(reg, 6) DBG_ONE(reg, 7)	\
				DBG_ONE(reg, 8) DBG_ONE(reg, 9) DBG_ONE(reg, 10) DBG_ONE(reg, 11)	\
				DBG_ONE(reg, 12) DBG_ONE(reg, 13) DBG_ONE(reg, 14) DBG_ONE(reg, 15)

/* DBGBVR<n>_EL1 (op2 4), DBGBCR<n>_EL1 (5), DBGWVR<n>_EL1 (6), DBGWCR<n>_EL1 (7); n checked by the caller. */
static void debug_indexed(struct sysreg_access *a, u64 op2, u64 n)
{
	switch (op2) {
	case 4: switch (n) { DBG_SIXTEEN(dbgbvr) } break;
	case 5: switch (n) { DBG_SIXTEEN(dbgbcr) } break;
	case 6: switch (n) { DBG_SIXTEEN(dbgwvr) } break;
	case 7: switch (n) { DBG_SIXTEEN(dbgwcr) } break;
	}
}

static bool debug_access(struct sysreg_access *a, u64 enc)
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
	case ISS_SYSREG(2, 0, 1, 4, 4): SYSREG_RW(dbgprcr_el1); break;
	case ISS_SYSREG(2, 0, 7, 8, 6): SYSREG_RW(dbgclaimset_el1); break;
	case ISS_SYSREG(2, 0, 7, 9, 6): SYSREG_RW(dbgclaimclr_el1); break;
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
static void guest_memory_clean_invalidate(const struct hv_guest_config *g)
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
static void set_way(struct hv_vcpu *vcpu, u64 enc)
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
static bool mmu_control_write(struct hv_vcpu *vcpu, struct sysreg_access *a, u64 enc)
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

bool arch_vcpu_sysreg(struct hv_vcpu *vcpu, u64 iss, const char **why)
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
		*why = "made a debug register access the hypervisor does not allow";
	} else if (op0 == 3 && ((crn == 9 && crm >= 12) || (crn == 14 && crm >= 8))) {
		done = pmu_access(&a, enc);
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
