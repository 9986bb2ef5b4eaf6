/* SPDX-License-Identifier: Apache-2.0 */
/* CSR access and the bits of the supervisor and hypervisor CSRs the port uses (privileged spec 1.12). */
#ifndef ARCH_CSR_H
#define ARCH_CSR_H

#include <hv/types.h>

/* Two steps, so that a macro naming a CSR by number (CSR_VSTIMECMP) is expanded first. */
#define __csr_str1(x)		#x
#define __csr_str(x)		__csr_str1(x)

#define csr_read(csr) ({					\
	u64 __v;						\
	asm volatile("csrr %0, " __csr_str(csr) : "=r"(__v) : : "memory");	\
	__v;							\
})
#define csr_write(csr, v)	asm volatile("csrw " __csr_str(csr) ", %0" : : "rK"((u64)(v)) : "memory")
#define csr_set(csr, v)		asm volatile("csrs " __csr_str(csr) ", %0" : : "rK"((u64)(v)) : "memory")
#define csr_clear(csr, v)	asm volatile("csrc " __csr_str(csr) ", %0" : : "rK"((u64)(v)) : "memory")

/* CSRs clang-14 has no names for (Sstc: privileged spec 1.12 addendum). */
#define CSR_VSTIMECMP		0x24d

/* The H-extension fences, which clang-14 does not know, as .insn (funct7 0x31 / 0x11, SYSTEM opcode). */
static inline void hfence_gvma_all(void)
{
	asm volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory");
}

static inline void hfence_gvma_vmid(u64 vmid)
{
	asm volatile(".insn r 0x73, 0, 0x31, x0, x0, %0" : : "r"(vmid) : "memory");
}

/* Applies to the VMID in hgatp: every guest stage-1 translation of the running guest on this hart. */
static inline void hfence_vvma_all(void)
{
	asm volatile(".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory");
}

static inline void sfence_vma_all(void)
{
	asm volatile("sfence.vma" ::: "memory");
}

/* scause */
#define CAUSE_IRQ		BIT(63)
#define CAUSE_CODE(c)		((c) & ~CAUSE_IRQ)

#define IRQ_S_SOFT		1
#define IRQ_VS_SOFT		2
#define IRQ_S_TIMER		5
#define IRQ_VS_TIMER		6
#define IRQ_S_EXT		9
#define IRQ_VS_EXT		10

#define EXC_INST_MISALIGNED	0
#define EXC_INST_ACCESS		1
#define EXC_ILLEGAL_INSN	2
#define EXC_BREAKPOINT		3
#define EXC_LOAD_MISALIGNED	4
#define EXC_LOAD_ACCESS		5
#define EXC_STORE_MISALIGNED	6
#define EXC_STORE_ACCESS	7
#define EXC_U_ECALL		8
#define EXC_HS_ECALL		9
#define EXC_VS_ECALL		10
#define EXC_INST_PAGE_FAULT	12
#define EXC_LOAD_PAGE_FAULT	13
#define EXC_STORE_PAGE_FAULT	15
#define EXC_INST_GUEST_FAULT	20
#define EXC_LOAD_GUEST_FAULT	21
#define EXC_VIRTUAL_INSN	22
#define EXC_STORE_GUEST_FAULT	23

/* sstatus */
#define SSTATUS_SIE		BIT(1)
#define SSTATUS_SPIE		BIT(5)
#define SSTATUS_SPP		BIT(8)
#define SSTATUS_FS_MASK		(3UL << 13)
#define SSTATUS_FS_INITIAL	(1UL << 13)
#define SSTATUS_FS_DIRTY	(3UL << 13)

/* sie / sip */
#define SIP_SSIP		BIT(IRQ_S_SOFT)
#define SIP_STIP		BIT(IRQ_S_TIMER)
#define SIP_SEIP		BIT(IRQ_S_EXT)

/* hstatus */
#define HSTATUS_GVA		BIT(6)
#define HSTATUS_SPV		BIT(7)
#define HSTATUS_SPVP		BIT(8)
#define HSTATUS_VTW		BIT(21)
#define HSTATUS_VSXL_64		(2UL << 32)

/* hvip / hideleg: the VS-level interrupts */
#define HVIP_VSSIP		BIT(IRQ_VS_SOFT)
#define HVIP_VSTIP		BIT(IRQ_VS_TIMER)
#define HVIP_VSEIP		BIT(IRQ_VS_EXT)

/* hgatp / satp */
#define HGATP_MODE_SHIFT	60
#define HGATP_VMID_SHIFT	44
#define HGATP_VMID_MASK		0x3fffUL
#define SATP_MODE_SHIFT		60
#define PAGE_SHIFT		12

/* henvcfg */
#define ENVCFG_STCE		BIT(63)

/* hcounteren: the guest may read cycle, time and instret (its hart is its own). */
#define HCOUNTEREN_CY		BIT(0)
#define HCOUNTEREN_TM		BIT(1)
#define HCOUNTEREN_IR		BIT(2)

#define INSN_WFI		0x10500073

#endif /* ARCH_CSR_H */
