/* SPDX-License-Identifier: Apache-2.0 */
#ifndef ARCH_REGS_H
#define ARCH_REGS_H

#include <hv/types.h>
#include <arch/defs.h>

/* A guest's general-purpose state as the trap vector (start.S) saves it. */
struct arch_regs {
	u64 x[32];			/* x[0]: the pCPU index (see defs.h) */
	u64 sepc;
	u64 sstatus;
	u64 hstatus;
	u64 pad;
};

_Static_assert(sizeof(struct arch_regs) == ARCH_REGS_SIZE, "start.S frame layout");
_Static_assert(__builtin_offsetof(struct arch_regs, sepc) == ARCH_REGS_SEPC, "start.S frame layout");
_Static_assert(__builtin_offsetof(struct arch_regs, sstatus) == ARCH_REGS_SSTATUS, "start.S frame layout");
_Static_assert(__builtin_offsetof(struct arch_regs, hstatus) == ARCH_REGS_HSTATUS, "start.S frame layout");

struct hv_vcpu;

/* A general-purpose register of the vCPU by number: x0 reads 0 and ignores writes. */
u64 arch_vcpu_reg(struct hv_vcpu *vcpu, unsigned int n);
void arch_vcpu_set_reg(struct hv_vcpu *vcpu, unsigned int n, u64 value);

#endif /* ARCH_REGS_H */
