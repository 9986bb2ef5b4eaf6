/* SPDX-License-Identifier: Apache-2.0 */
/* What the aarch64 port's own sources share. */
#ifndef ARCH_AARCH64_INTERNAL_H
#define ARCH_AARCH64_INTERNAL_H

#include <hv/core.h>

/* Guest SMCCC call (HVC #0 or SMC #0) in the vCPU's x0-x3: PSCI and the SMCCC version, result in x0. */
void arch_psci_call(struct hv_vcpu *vcpu);

/* Number of entries in the stage-2 root table that a VTCR_EL2 value (4 KiB granule) describes. */
u64 arch_s2_root_entries(u64 vtcr);

/*
 * A trapped system register access or SYS instruction (EC 0x18, its ISS) that vcpu.c may perform on the
 * guest's behalf. True when it did (the caller steps over the instruction); false when the guest must be
 * stopped, with *why saying what it tried.
 */
bool arch_vcpu_sysreg(struct hv_vcpu *vcpu, u64 iss, const char **why);

#endif /* ARCH_AARCH64_INTERNAL_H */
