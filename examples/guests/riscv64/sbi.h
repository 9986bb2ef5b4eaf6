/* SPDX-License-Identifier: Apache-2.0 */
/* SBI for the riscv64 example guests (SBI specification 2.0). */
#ifndef GUEST_SBI_H
#define GUEST_SBI_H

#include <stdint.h>

#define SBI_EXT_BASE	0x10
#define SBI_EXT_TIME	0x54494d45
#define SBI_EXT_IPI	0x735049
#define SBI_EXT_RFENCE	0x52464e43
#define SBI_EXT_HSM	0x48534d
#define SBI_EXT_SRST	0x53525354
#define SBI_EXT_DBCN	0x4442434e

#define SBI_BASE_GET_SPEC_VERSION	0
#define SBI_BASE_GET_IMPL_ID		1
#define SBI_BASE_PROBE_EXT		3

#define SBI_HSM_HART_START	0
#define SBI_HSM_HART_STOP	1
#define SBI_HSM_HART_STATUS	2

#define SBI_DBCN_WRITE		0
#define SBI_DBCN_WRITE_BYTE	2

#define SBI_ERR_NOT_SUPPORTED	(-2)
#define SBI_ERR_INVALID_PARAM	(-3)

struct sbiret {
	int64_t error;
	int64_t value;
};

struct sbiret sbi_call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2);

/* The hart ID the guest was entered with (a0), saved by start.S. */
extern uint64_t boot_hartid;

#endif
