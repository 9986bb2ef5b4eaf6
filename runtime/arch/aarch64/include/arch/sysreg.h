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
#define HCR_RW		BIT(31)	/* EL1 is AArch64 */

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
