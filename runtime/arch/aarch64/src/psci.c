// SPDX-License-Identifier: Apache-2.0
/*
 * PSCI 1.1 for guests, over HVC or SMC (SMCCC calling convention: function ID in x0, arguments in x1-x3,
 * result in x0), on the core's generic vCPU and guest power services (hv/power.h).
 */
#include <hv/power.h>
#include <arch/regs.h>
#include "internal.h"

#define SMCCC_VERSION			0x80000000
#define SMCCC_ARCH_FEATURES		0x80000001

#define PSCI_VERSION			0x84000000
#define PSCI_CPU_SUSPEND_32		0x84000001
#define PSCI_CPU_SUSPEND_64		0xc4000001
#define PSCI_CPU_OFF			0x84000002
#define PSCI_CPU_ON_32			0x84000003
#define PSCI_CPU_ON_64			0xc4000003
#define PSCI_AFFINITY_INFO_32		0x84000004
#define PSCI_AFFINITY_INFO_64		0xc4000004
#define PSCI_MIGRATE_INFO_TYPE		0x84000006
#define PSCI_SYSTEM_OFF			0x84000008
#define PSCI_SYSTEM_RESET		0x84000009
#define PSCI_FEATURES			0x8400000a

#define PSCI_SUCCESS			0
#define PSCI_NOT_SUPPORTED		(-1)
#define PSCI_INVALID_PARAMETERS		(-2)
#define PSCI_ALREADY_ON			(-4)
#define PSCI_ON_PENDING			(-5)
#define PSCI_INVALID_ADDRESS		(-9)

#define PSCI_AFFINITY_ON		0
#define PSCI_AFFINITY_OFF		1
#define PSCI_AFFINITY_ON_PENDING	2

#define PSCI_VERSION_1_1		0x00010001
#define SMCCC_VERSION_1_1		0x00010001
#define MIGRATE_INFO_NO_TOS		2	/* no Trusted OS that would need migrating */

/* MPIDR affinity fields: Aff3 and Aff2..Aff0; the rest (U, MT, RES1) says nothing about which CPU. */
#define MPIDR_AFF_MASK			0xff00ffffffUL

static struct hv_vcpu *find_vcpu(struct hv_guest *guest, u64 mpidr)
{
	return hv_guest_vcpu_by_hwid(guest, mpidr & MPIDR_AFF_MASK);
}

static s64 psci_cpu_on(struct hv_vcpu *vcpu, u64 mpidr, u64 entry, u64 context)
{
	struct hv_vcpu *target = find_vcpu(vcpu->guest, mpidr);

	if (!target)
		return PSCI_INVALID_PARAMETERS;
	switch (hv_vcpu_power_on(target, entry, context)) {
	case HV_POWER_DONE:
		return PSCI_SUCCESS;
	case HV_POWER_ALREADY_ON:
		return PSCI_ALREADY_ON;
	case HV_POWER_ON_PENDING:
		return PSCI_ON_PENDING;
	case HV_POWER_BAD_ENTRY:
		return PSCI_INVALID_ADDRESS;
	}
	return PSCI_INVALID_PARAMETERS;
}

static s64 psci_affinity_info(struct hv_vcpu *vcpu, u64 mpidr, u64 level)
{
	struct hv_vcpu *target;

	/* Only level 0 (a single CPU) is meaningful without a cluster topology. */
	if (level != 0)
		return PSCI_INVALID_PARAMETERS;
	target = find_vcpu(vcpu->guest, mpidr);
	if (!target)
		return PSCI_INVALID_PARAMETERS;
	switch (hv_vcpu_power_state(target)) {
	case HV_VCPU_ON:
		return PSCI_AFFINITY_ON;
	case HV_VCPU_ON_PENDING:
		return PSCI_AFFINITY_ON_PENDING;
	case HV_VCPU_OFF:
		break;
	}
	return PSCI_AFFINITY_OFF;
}

static s64 psci_features(u64 function)
{
	switch (function) {
	case SMCCC_VERSION:
	case PSCI_VERSION:
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
		/* For CPU_SUSPEND, 0 also says: original power_state format, no OS-initiated mode. */
		return PSCI_SUCCESS;
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

void arch_psci_call(struct hv_vcpu *vcpu)
{
	u64 fn = arch_vcpu_reg(vcpu, 0) & 0xffffffff;
	u64 a1 = arch_vcpu_reg(vcpu, 1);
	u64 a2 = arch_vcpu_reg(vcpu, 2);
	u64 a3 = arch_vcpu_reg(vcpu, 3);
	s64 ret;

	/* SMC32/HVC32 calls pass 32-bit arguments; the upper halves are not defined. */
	if (!(fn & 0x40000000)) {
		a1 &= 0xffffffff;
		a2 &= 0xffffffff;
		a3 &= 0xffffffff;
	}

	switch (fn) {
	case PSCI_VERSION:
		ret = PSCI_VERSION_1_1;
		break;
	case SMCCC_VERSION:
		ret = SMCCC_VERSION_1_1;
		break;
	case SMCCC_ARCH_FEATURES:
		/* No firmware workarounds (SMCCC_ARCH_WORKAROUND_*) are offered. */
		ret = PSCI_NOT_SUPPORTED;
		break;
	case PSCI_FEATURES:
		ret = psci_features(a1 & 0xffffffff);
		break;
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		/*
		 * Returning at once is a valid implementation of every power state: PSCI lets a core wake
		 * early, and the caller treats the return as a wake-up.
		 */
		ret = PSCI_SUCCESS;
		break;
	case PSCI_CPU_OFF:
		/* Does not return to the caller: the vCPU waits for a CPU_ON, which starts it afresh. */
		hv_vcpu_power_off(vcpu, "PSCI CPU_OFF");
		return;
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
		ret = psci_cpu_on(vcpu, a1, a2, a3);
		break;
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
		ret = psci_affinity_info(vcpu, a1, a2);
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		ret = MIGRATE_INFO_NO_TOS;
		break;
	case PSCI_SYSTEM_OFF: {
		char line[96];

		hv_snprintf(line, sizeof(line), "guest '%s' powered off (PSCI SYSTEM_OFF from vCPU %lu)",
			    vcpu->guest->cfg->name, vcpu->index);
		hv_guest_stop(vcpu->guest, line);
		return;
	}
	case PSCI_SYSTEM_RESET:
		hv_guest_request_reset(vcpu->guest, "PSCI SYSTEM_RESET");
		return;
	default:
		ret = PSCI_NOT_SUPPORTED;
		break;
	}
	arch_vcpu_set_reg(vcpu, 0, (u64)ret);
}
