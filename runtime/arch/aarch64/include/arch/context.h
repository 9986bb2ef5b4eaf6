/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a scheduler keeps for each vCPU and thread on aarch64 (hv/arch.h, "Context switching"): the state a
 * vCPU leaves behind when it is off its pCPU, and a hypervisor thread's registers while it does not run.
 * Unused when every vCPU owns its pCPU.
 */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

#include <hv/types.h>

/* The EL1 (and EL0) system registers a guest owns, in the order they are saved and restored. */
#define ARCH_EL1_REGS(X)						\
	X(sctlr_el1) X(cpacr_el1) X(ttbr0_el1) X(ttbr1_el1) X(tcr_el1)	\
	X(mair_el1) X(amair_el1) X(vbar_el1) X(contextidr_el1)		\
	X(esr_el1) X(afsr0_el1) X(afsr1_el1) X(far_el1) X(par_el1)	\
	X(tpidr_el0) X(tpidrro_el0) X(tpidr_el1) X(cntkctl_el1)		\
	X(sp_el0) X(sp_el1) X(elr_el1) X(spsr_el1) X(csselr_el1)	\
	X(mdscr_el1)

/* The EL2 controls that are the vCPU's own: its guest's stage 2, what it sees of its identity, what traps. */
#define ARCH_EL2_REGS(X)						\
	X(hcr_el2) X(vtcr_el2) X(vttbr_el2) X(vpidr_el2) X(vmpidr_el2)	\
	X(cptr_el2) X(cnthctl_el2) X(mdcr_el2)

#define ARCH_CONTEXT_FIELD(r)	u64 r;

struct arch_el1_regs {
	ARCH_EL1_REGS(ARCH_CONTEXT_FIELD)
};

struct arch_el2_regs {
	ARCH_EL2_REGS(ARCH_CONTEXT_FIELD)
};

/*
 * A vCPU's PMU and breakpoint state, which it reaches only through traps (MDCR_EL2.TPM/TDA/TDOSA/TDRA):
 * saved only for a vCPU that touched them (the values the trap handler accepted, so already EL1-only).
 */
struct arch_pmu_debug {
	u64 pmcr;
	u64 pmcntenset;
	u64 pmintenset;
	u64 pmovsset;
	u64 pmuserenr;
	u64 pmselr;
	u64 pmccntr;
	u64 pmccfiltr;
	u64 pmevcntr[31];
	u64 pmevtyper[31];
	u64 dbgbvr[16];
	u64 dbgbcr[16];
	u64 dbgwvr[16];
	u64 dbgwcr[16];
	u64 osdlr;
	u64 oslk;
};

struct arch_vcpu_context {
	/* The guest's FP/SIMD registers: the hypervisor itself never uses them (-mgeneral-regs-only). */
	unsigned __int128 v[32] __aligned(16);
	u64 fpsr;
	u64 fpcr;
	struct arch_el1_regs el1;
	struct arch_el2_regs el2;
	/* Its EL1 virtual and physical timers. */
	u64 cntv_ctl;
	u64 cntv_cval;
	u64 cntp_ctl;
	u64 cntp_cval;
	struct arch_pmu_debug pmu_debug;
	/* pmu_debug holds what the vCPU left in the PMU and debug registers, to be put back on its load. */
	bool pmu_debug_saved;
	/* Its VMID's TLB entries may be left from an earlier boot: flushed on its first load. */
	bool fresh;
};

/* A hypervisor thread that does not run: the registers AAPCS64 makes a callee keep, where it goes on, SP. */
struct arch_thread {
	u64 x19_x28[10];
	u64 fp;
	u64 lr;
	u64 sp;
};

#endif /* ARCH_CONTEXT_H */
