/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The aarch64 part of hv_config (see hv/config.h): what the compiler's aarch64 backend
 * (compiler/arch/aarch64/) computes for the EL2 translation regime and for each guest's stage 2. Every
 * field is 64 bits wide, like the rest of the contract.
 */
#ifndef ARCH_CONFIG_H
#define ARCH_CONFIG_H

#include <hv/types.h>

struct hv_arch_config {
	u64 tcr_el2;			/* TCR_EL2 without PS (the runtime takes PS from ID_AA64MMFR0_EL1); T0SZ fits hv_root */
	u64 mair_el2;			/* MAIR_EL2 matching the attribute indices of hv_config.hv_root's tables */
};

struct hv_arch_guest_config {
	u64 vtcr_el2;			/* VTCR_EL2 without PS; T0SZ and SL0 fit s2_root */
};

#endif /* ARCH_CONFIG_H */
