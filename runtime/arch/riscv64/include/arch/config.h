/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The riscv64 part of hv_config (see hv/config.h): what the compiler's riscv64 backend (compiler/arch/riscv64/)
 * computes for the hypervisor's Sv39 map and each guest's Sv39x4 G-stage. Every field is 64 bits wide, like
 * the rest of the contract.
 */
#ifndef ARCH_CONFIG_H
#define ARCH_CONFIG_H

#include <hv/types.h>

struct hv_arch_config {
	u64 satp_mode;			/* satp.MODE of hv_config.hv_root's tables (8: Sv39) */
	u64 timebase_hz;		/* the rate of the time CSR: the board's /cpus timebase-frequency */
};

struct hv_arch_guest_config {
	u64 hgatp_mode;			/* hgatp.MODE of the guest's s2_root (8: Sv39x4) */
};

#endif /* ARCH_CONFIG_H */
