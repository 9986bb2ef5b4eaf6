/* SPDX-License-Identifier: Apache-2.0 */
/* Between trap decoding (src/trap.c) and the vCPU's EL2 state (src/vcpu.c). */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

#include <hv/core.h>

/*
 * A trapped system register access or SYS instruction (EC 0x18, its ISS) that vcpu.c may perform on the
 * guest's behalf. True when it did (the caller steps over the instruction); false when the guest must be
 * stopped, with *why saying what it tried.
 */
bool arch_vcpu_sysreg(struct hv_vcpu *vcpu, u64 iss, const char **why);

#endif /* ARCH_VCPU_H */
