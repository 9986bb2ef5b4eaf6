// SPDX-License-Identifier: Apache-2.0
/*
 * PSCI 1.1 for guests, over HVC or SMC (SMCCC calling convention: function ID in x0, arguments in x1-x3,
 * result in x0). vCPUs are pinned, so powering a vCPU on or off only changes its state here; the pCPU it is
 * pinned to notices in hv_vcpu_settle().
 */
#include <hv/core.h>

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

#define PSCI_VERSION_1_1		0x00010001
#define SMCCC_VERSION_1_1		0x00010001
#define MIGRATE_INFO_NO_TOS		2	/* no Trusted OS that would need migrating */

/* MPIDR affinity fields: Aff3 and Aff2..Aff0. */
#define MPIDR_AFF_MASK			0xff00ffffffUL

static struct hv_vcpu *find_vcpu(struct hv_guest *guest, u64 mpidr)
{
	for (u64 i = 0; i < guest->cfg->vcpu_count; i++)
		if ((guest->cfg->vcpus[i].mpidr & MPIDR_AFF_MASK) == (mpidr & MPIDR_AFF_MASK))
			return guest->vcpus[i];
	return NULL;
}

/* CPU_ON's entry point must be somewhere the vCPU can fetch instructions from: its RAM. */
static bool in_guest_ram(struct hv_guest *guest, u64 ipa)
{
	for (u64 i = 0; i < guest->cfg->mem_count; i++) {
		const struct hv_mem_region *m = &guest->cfg->mem[i];

		if (ipa >= m->ipa && ipa - m->ipa < m->size)
			return true;
	}
	return false;
}

static s64 psci_cpu_on(struct hv_vcpu *vcpu, u64 mpidr, u64 entry, u64 context)
{
	struct hv_guest *guest = vcpu->guest;
	struct hv_vcpu *target = find_vcpu(guest, mpidr);
	s64 ret = PSCI_SUCCESS;

	if (!target)
		return PSCI_INVALID_PARAMETERS;
	if (!in_guest_ram(guest, entry))
		return PSCI_INVALID_ADDRESS;

	hv_spin_lock(&guest->lock);
	if (target->power == HV_VCPU_ON) {
		ret = PSCI_ALREADY_ON;
	} else if (target->power == HV_VCPU_ON_PENDING) {
		ret = PSCI_ON_PENDING;
	} else {
		target->on_entry = entry;
		target->on_context = context;
		store_release(&target->power, HV_VCPU_ON_PENDING);
	}
	hv_spin_unlock(&guest->lock);
	hv_cpu_notify();
	return ret;
}

/*
 * Only a vCPU that is on can turn another on, so once the last one is off nothing of the guest can ever run
 * again: it is stopped like any other, and counted, or the machine would never power off. A reset in flight
 * (the epoch moved on) restarts vCPU 0 by itself and is left to do so.
 */
static void psci_cpu_off(struct hv_vcpu *vcpu)
{
	struct hv_guest *guest = vcpu->guest;
	bool last = true;
	char line[96];

	hv_spin_lock(&guest->lock);
	store_release(&vcpu->power, HV_VCPU_OFF);
	for (u64 i = 0; i < guest->cfg->vcpu_count; i++)
		if (load_acquire(&guest->vcpus[i]->power) != HV_VCPU_OFF)
			last = false;
	if (vcpu->epoch != guest->epoch)
		last = false;
	hv_spin_unlock(&guest->lock);

	if (!last)
		return;
	hv_snprintf(line, sizeof(line), "guest '%s' stopped: no vCPU left on (PSCI CPU_OFF from vCPU %lu)",
		    guest->cfg->name, vcpu->index);
	hv_guest_stop(guest, line);
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
	return (s64)load_acquire(&target->power);
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

/* Handles the call in the vCPU's x0-x3 and puts the result in x0. */
void hv_psci_call(struct hv_vcpu *vcpu)
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
		psci_cpu_off(vcpu);
		/* Does not return to the caller: hv_vcpu_settle() waits for a CPU_ON that resets the vCPU. */
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
		hv_guest_request_reset(vcpu->guest);
		return;
	default:
		ret = PSCI_NOT_SUPPORTED;
		break;
	}
	arch_vcpu_set_reg(vcpu, 0, (u64)ret);
}
