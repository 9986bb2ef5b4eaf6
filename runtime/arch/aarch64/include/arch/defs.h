/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Constants shared by the aarch64 assembly and C. The hv_config offsets are checked against config.h with
 * _Static_assert in src/cpu.c, so the assembly cannot silently drift from the contract.
 */
#ifndef ARCH_DEFS_H
#define ARCH_DEFS_H

/* struct arch_regs: x0-x30, ELR_EL2, SPSR_EL2, padding to keep SP 16-byte aligned. */
#define ARCH_REGS_X(n)		((n) * 8)
#define ARCH_REGS_ELR		(31 * 8)
#define ARCH_REGS_SPSR		(32 * 8)
#define ARCH_REGS_SIZE		(34 * 8)

/* Offsets into struct hv_system_config: hv_root, arch.tcr_el2, arch.mair_el2. */
#define HV_CONFIG_HV_ROOT	96
#define HV_CONFIG_ARCH_TCR_EL2	104
#define HV_CONFIG_ARCH_MAIR_EL2	112

/* Exception kinds, in vector table order; the lower-EL AArch32 ones are flagged separately. */
#define EXC_SYNC		0
#define EXC_IRQ			1
#define EXC_FIQ			2
#define EXC_SERROR		3
#define EXC_AARCH32		4

/* SCTLR_EL2: RES1 bits, plus MMU, data cache, SP alignment check and instruction cache. */
#define SCTLR_EL2_RES1		0x30c50830
#define SCTLR_M			(1 << 0)
#define SCTLR_C			(1 << 2)
#define SCTLR_SA		(1 << 3)
#define SCTLR_I			(1 << 12)

/*
 * The EL2 physical timer's interrupt (CNTHP, PPI 10): INTID 26 on every GIC-based board (Arm BSA). The
 * hypervisor's timers run on it; the host interrupt controller's driver enables it.
 */
#define ARCH_HYP_TIMER_INTID	26

#define TCR_PS_SHIFT		16
#define VTCR_PS_SHIFT		16
/* 52-bit PAs need LPA/LPA2 descriptors, which the compiler's tables do not use: cap at 48 bits. */
#define PARANGE_48		5

#endif /* ARCH_DEFS_H */
