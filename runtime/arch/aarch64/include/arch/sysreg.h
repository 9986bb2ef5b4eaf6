/* SPDX-License-Identifier: Apache-2.0 */
#ifndef ARCH_SYSREG_H
#define ARCH_SYSREG_H

#include <hv/types.h>

#define read_sysreg(r) ({					\
	u64 __v;						\
	asm volatile("mrs %0, " #r : "=r"(__v));		\
	__v;							\
})

#define write_sysreg(r, v) do {					\
	u64 __v = (u64)(v);					\
	asm volatile("msr " #r ", %0" : : "r"(__v));		\
} while (0)

#define isb()		asm volatile("isb" ::: "memory")
#define dsb(opt)	asm volatile("dsb " #opt ::: "memory")

/* HCR_EL2 */
#define HCR_VM		BIT(0)	/* stage-2 translation */
#define HCR_SWIO	BIT(1)	/* set/way invalidate becomes clean+invalidate */
#define HCR_FMO		BIT(3)	/* physical FIQ/IRQ/SError go to EL2, never straight to a guest */
#define HCR_IMO		BIT(4)
#define HCR_AMO		BIT(5)
#define HCR_FB		BIT(9)	/* broadcast the guest's TLB/cache maintenance */
#define HCR_BSU_IS	(1UL << 10)
#define HCR_TWI		BIT(13)	/* trap WFI so an idle vCPU still sees stop/reset requests */
#define HCR_TWE		BIT(14)	/* trap WFE: a spinning vCPU lets the others of its pCPU run */
#define HCR_TSC		BIT(19)	/* trap SMC: guest PSCI over SMC goes to the hypervisor */
#define HCR_TIDCP	BIT(20)	/* trap the IMPLEMENTATION DEFINED registers (S3_<op1>_C11/C15_*) */
#define HCR_TACR	BIT(21)	/* trap ACTLR_EL1 */
#define HCR_TSW		BIT(22)	/* trap cache maintenance by set/way */
#define HCR_TVM		BIT(26)	/* trap writes of the EL1 MMU controls (SCTLR_EL1, TTBRn_EL1, ...) */
#define HCR_RW		BIT(31)	/* EL1 is AArch64 */

/* MDCR_EL2 */
#define MDCR_HPMN(n)	((u64)(n) & 0x1f)	/* event counters EL1 may use */
#define MDCR_TPM	BIT(6)	/* trap every PMU register access */
#define MDCR_TDE	BIT(8)	/* debug exceptions to EL2 (never set: a guest's debug targets its own EL1) */
#define MDCR_TDA	BIT(9)	/* trap debug register accesses */
#define MDCR_TDOSA	BIT(10)	/* trap the OS lock and power-down debug registers */
#define MDCR_TDRA	BIT(11)	/* trap MDRAR_EL1 (the debug ROM table's address) */
#define MDCR_HPMD	BIT(17)	/* PMUv3p1: no event counting at EL2 */

/* PMU */
#define PMCR_E		BIT(0)
#define PMCR_P		BIT(1)
#define PMCR_C		BIT(2)
#define PMCR_N(pmcr)	(((pmcr) >> 11) & 0x1f)
#define PMU_FILTER_NSH	BIT(27)	/* PMEVTYPER<n>_EL0 / PMCCFILTR_EL0: count at (Non-secure) EL2 */
#define PMSELR_CYCLES	31	/* PMSELR_EL0.SEL of PMCCFILTR_EL0 */

/* DBGBCR<n>_EL1 / DBGWCR<n>_EL1 */
#define DBGCR_HMC	BIT(13)	/* higher mode control: match at EL2 too */
#define DBGCR_SSC_SHIFT	14
#define DBGCR_SSC_MASK	(3UL << DBGCR_SSC_SHIFT)

/*
 * A trapped MSR/MRS/SYS (EC 0x18): the instruction's encoding as the ISS holds it, so a register can be
 * matched with ISS_SYSREG(op0, op1, CRn, CRm, op2) after masking the direction and Rt away.
 */
#define ISS_SYSREG(op0, op1, crn, crm, op2)						\
	((u64)(op0) << 20 | (u64)(op2) << 17 | (u64)(op1) << 14 | (u64)(crn) << 10 | (u64)(crm) << 1)
#define ISS_SYSREG_MASK		ISS_SYSREG(3, 7, 15, 15, 7)
#define ISS_SYSREG_READ		BIT(0)
#define ISS_SYSREG_RT(iss)	(((iss) >> 5) & 31)
#define ISS_SYSREG_OP0(iss)	(((iss) >> 20) & 3)
#define ISS_SYSREG_OP1(iss)	(((iss) >> 14) & 7)
#define ISS_SYSREG_CRN(iss)	(((iss) >> 10) & 15)
#define ISS_SYSREG_CRM(iss)	(((iss) >> 1) & 15)
#define ISS_SYSREG_OP2(iss)	(((iss) >> 17) & 7)

/* ESR_EL2 exception classes. */
#define EC_UNKNOWN	0x00
#define EC_WFX		0x01
#define EC_HVC64	0x16
#define EC_SMC64	0x17
#define EC_SYSREG	0x18
#define EC_IABT_LOW	0x20
#define EC_IABT_CUR	0x21
#define EC_PC_ALIGN	0x22
#define EC_DABT_LOW	0x24
#define EC_DABT_CUR	0x25
#define EC_SP_ALIGN	0x26
#define EC_SERROR	0x2f

#define ESR_EC(esr)	(((esr) >> 26) & 0x3f)
#define ESR_IL		BIT(25)
#define ESR_ISS(esr)	((esr) & 0x1ffffff)

/* Data abort ISS. */
#define DABT_ISV	BIT(24)
#define DABT_SAS(iss)	(((iss) >> 22) & 3)
#define DABT_SSE	BIT(21)
#define DABT_SRT(iss)	(((iss) >> 16) & 0x1f)
#define DABT_SF		BIT(15)
#define DABT_S1PTW	BIT(7)
#define DABT_WNR	BIT(6)
#define DABT_DFSC(iss)	((iss) & 0x3f)

/* SPSR for entering a guest: EL1 using SP_EL1, all of DAIF masked, as PSCI and Linux boot require. */
#define SPSR_EL1H_DAIF	0x3c5

/* SCTLR_EL1 at reset: only the RES1 bits (MMU and caches off). */
#define SCTLR_EL1_RESET	0x30d00800

/* CPTR_EL2 (non-VHE): RES1 bits only, so FP/SIMD, trace and CPACR accesses are not trapped. */
#define CPTR_EL2_RES1	0x33ff

/* CNTHCTL_EL2 (non-VHE): EL1PCTEN | EL1PCEN, EL1 may use the physical counter and timer. */
#define CNTHCTL_EL1_PHYS	0x3
/* CNTHCTL_EL2 event stream: an event whenever counter bit EVNTI flips from 0 to 1. */
#define CNTHCTL_EVNTEN		BIT(2)
#define CNTHCTL_EVNTI_SHIFT	4

/* CNTHP_CTL_EL2: the EL2 physical timer. */
#define CNTHP_CTL_ENABLE	BIT(0)

/* CNTV_CTL_EL0 / CNTP_CTL_EL0: a guest's EL1 timers. */
#define CNT_CTL_ENABLE		BIT(0)
#define CNT_CTL_IMASK		BIT(1)
#define CNT_CTL_ISTATUS		BIT(2)

#endif /* ARCH_SYSREG_H */
