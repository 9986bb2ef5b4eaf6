/* SPDX-License-Identifier: Apache-2.0 */
/* What the riscv64 port's own sources share. */
#ifndef ARCH_RISCV64_INTERNAL_H
#define ARCH_RISCV64_INTERNAL_H

#include <hv/core.h>
#include <hv/timer.h>

/* The hart's identifier the board gives pCPU p (its hart ID). */
static inline u64 pcpu_hartid(u64 pcpu)
{
	return hv_config.pcpus[pcpu].hwid;
}

/* Whether this hart has Sstc (stimecmp for HS-mode, vstimecmp for guests), found out at boot. */
extern bool riscv_sstc;

/* Converts the compiler's `address | V` table pointers into PTEs (pgtable.c), once, before translation is on. */
void riscv_pgtable_fixup(const struct hv_system_config *c);

/* An SBI call from the vCPU (ecall in VS-mode), its a0-a7; the result goes to its a0/a1. */
void riscv_sbi_call(struct hv_vcpu *vcpu);

/* Per-vCPU state of this port, beside the core's struct hv_vcpu (indexed by pCPU, like hv_vcpus). */
struct riscv_vcpu {
	u64 ipi_pending;		/* an SBI IPI is due: set hvip.VSSIP before entering */
	u64 fence_pending;		/* RFENCE_* bits due before entering (see vcpu.c) */
	u64 timer_deadline;		/* without Sstc: the guest's SBI set_timer value, or ~0 */
	struct hv_timer timer;		/* without Sstc: fires at timer_deadline on the vCPU's pCPU */
	bool trap_wfi;			/* hstatus.VTW: no virtual interrupt controller could wake a WFI */
};

extern struct riscv_vcpu riscv_vcpus[CONFIG_HV_MAX_CPUS];

#define RFENCE_VVMA	BIT(0)
#define RFENCE_I	BIT(1)

/* Sends the host IPI that makes pCPU p trap to (or wake in) the hypervisor. */
void riscv_kick_pcpu(u64 pcpu);

/* Just before every entry into the guest: virtual interrupts and fences other harts asked for. */
void riscv_vcpu_before_entry(struct hv_vcpu *vcpu);

/* Asks the pCPUs of the vCPUs of `vcpu`'s guest in `mask` (by vCPU index) to fence, and waits until they have. */
void riscv_remote_fence(struct hv_vcpu *vcpu, u64 mask, u64 what);

/* Marks a virtual software interrupt for the vCPU and kicks its hart (SBI IPI for guests). */
void riscv_vcpu_send_ipi(struct hv_vcpu *target);

/* The hypervisor timer fired (a trap or a wait saw STIP). */
void riscv_timer_interrupt(void);

/* The guest's SBI set_timer. */
void riscv_vcpu_set_timer(struct hv_vcpu *vcpu, u64 when);

#endif /* ARCH_RISCV64_INTERNAL_H */
