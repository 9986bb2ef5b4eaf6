/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Constants shared by the riscv64 assembly and C. The hv_config offsets are checked against config.h with
 * _Static_assert in src/cpu.c, so the assembly cannot silently drift from the contract.
 */
#ifndef ARCH_DEFS_H
#define ARCH_DEFS_H

/*
 * struct arch_regs: x1-x31 at their register numbers; slot 0 (x0 is hard-wired zero) holds the pCPU index,
 * which the trap vector loads into tp because the guest owns tp. Then sepc, sstatus and hstatus as the trap
 * found them: a trap the hypervisor takes itself (reading a guest instruction) overwrites the CSRs, and the
 * return to the guest needs SPP, SPV and SPVP as they were.
 */
#define ARCH_REGS_X(n)		((n) * 8)
#define ARCH_REGS_PCPU		0
#define ARCH_REGS_SEPC		(32 * 8)
#define ARCH_REGS_SSTATUS	(33 * 8)
#define ARCH_REGS_HSTATUS	(34 * 8)
#define ARCH_REGS_SIZE		(36 * 8)

/* Offsets into struct hv_system_config and the size of struct hv_pcpu_config: each hart finds its pCPU by its hart ID. */
#define HV_CONFIG_PCPU_COUNT	16
#define HV_CONFIG_PCPUS		24
#define HV_PCPU_CONFIG_SIZE	24

/* SBI extension and function IDs the entry code uses before C runs. */
#define SBI_EXT_HSM		0x48534d
#define SBI_HSM_HART_START	0
#define SBI_HSM_HART_STOP	1

#define HSTATUS_SPV_BIT		7

/*
 * The hypervisor timer's number for hv_host_irq(): its interrupt is the hart's supervisor timer interrupt
 * (cause 5), which no PLIC source number (1..1023) can be.
 */
#define RISCV_TIMER_ID		(0x8000 | 5)

#endif /* ARCH_DEFS_H */
