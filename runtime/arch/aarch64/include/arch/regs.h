/* SPDX-License-Identifier: Apache-2.0 */
#ifndef ARCH_REGS_H
#define ARCH_REGS_H

#include <hv/types.h>
#include <arch/defs.h>

/* A guest's general-purpose state as vectors.S saves it on a trap from EL1/EL0. */
struct arch_regs {
	u64 x[31];
	u64 elr;
	u64 spsr;
	u64 pad;
};

_Static_assert(sizeof(struct arch_regs) == ARCH_REGS_SIZE, "vectors.S frame layout");
_Static_assert(__builtin_offsetof(struct arch_regs, elr) == ARCH_REGS_ELR, "vectors.S frame layout");
_Static_assert(__builtin_offsetof(struct arch_regs, spsr) == ARCH_REGS_SPSR, "vectors.S frame layout");

struct hv_vcpu;

/* A general-purpose register of the vCPU, as an instruction names it: register 31 is XZR (reads 0, writes lost). */
u64 arch_vcpu_reg(struct hv_vcpu *vcpu, unsigned int n);
void arch_vcpu_set_reg(struct hv_vcpu *vcpu, unsigned int n, u64 value);

#endif /* ARCH_REGS_H */
