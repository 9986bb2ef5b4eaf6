/* SPDX-License-Identifier: Apache-2.0 */
/* SBI (RISC-V Supervisor Binary Interface 2.0) numbers, for the host firmware and for guests. */
#ifndef ARCH_SBI_H
#define ARCH_SBI_H

#include <arch/defs.h>

#define SBI_EXT_BASE		0x10
#define SBI_EXT_TIME		0x54494d45
#define SBI_EXT_IPI		0x735049
#define SBI_EXT_RFENCE		0x52464e43
#define SBI_EXT_SRST		0x53525354
#define SBI_EXT_DBCN		0x4442434e
/* SBI_EXT_HSM is in defs.h: the entry code uses it. */

#define SBI_BASE_GET_SPEC_VERSION	0
#define SBI_BASE_GET_IMPL_ID		1
#define SBI_BASE_GET_IMPL_VERSION	2
#define SBI_BASE_PROBE_EXT		3
#define SBI_BASE_GET_MVENDORID		4
#define SBI_BASE_GET_MARCHID		5
#define SBI_BASE_GET_MIMPID		6

#define SBI_HSM_HART_STATUS		2
#define SBI_HSM_HART_SUSPEND		3

#define SBI_HSM_STATE_STARTED		0
#define SBI_HSM_STATE_STOPPED		1
#define SBI_HSM_STATE_START_PENDING	2
#define SBI_HSM_STATE_STOP_PENDING	3

#define SBI_HSM_SUSPEND_RET_DEFAULT	0

#define SBI_TIME_SET_TIMER		0
#define SBI_IPI_SEND_IPI		0

#define SBI_RFENCE_FENCE_I		0
#define SBI_RFENCE_SFENCE_VMA		1
#define SBI_RFENCE_SFENCE_VMA_ASID	2

#define SBI_SRST_RESET			0
#define SBI_SRST_SHUTDOWN		0
#define SBI_SRST_COLD_REBOOT		1
#define SBI_SRST_WARM_REBOOT		2

#define SBI_DBCN_WRITE			0
#define SBI_DBCN_READ			1
#define SBI_DBCN_WRITE_BYTE		2

#define SBI_SUCCESS			0
#define SBI_ERR_FAILED			(-1)
#define SBI_ERR_NOT_SUPPORTED		(-2)
#define SBI_ERR_INVALID_PARAM		(-3)
#define SBI_ERR_DENIED			(-4)
#define SBI_ERR_INVALID_ADDRESS		(-5)
#define SBI_ERR_ALREADY_AVAILABLE	(-6)
#define SBI_ERR_ALREADY_STARTED		(-7)
#define SBI_ERR_ALREADY_STOPPED		(-8)

#ifndef __ASSEMBLY__
#include <hv/types.h>

struct sbiret {
	s64 error;
	s64 value;
};

/* A call to the host's SBI firmware (OpenSBI), from HS-mode. */
struct sbiret sbi_ecall(u64 ext, u64 fid, u64 a0, u64 a1, u64 a2, u64 a3);
#endif

#endif /* ARCH_SBI_H */
