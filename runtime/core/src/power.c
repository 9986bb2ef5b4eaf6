// SPDX-License-Identifier: Apache-2.0
/*
 * vCPU power for the arch's firmware interface. vCPUs are pinned, so powering one on or off only changes
 * its state here; the pCPU it is pinned to notices in hv_vcpu_settle().
 */
#include "internal.h"

struct hv_vcpu *hv_guest_vcpu_by_hwid(struct hv_guest *guest, u64 hwid)
{
	for (u64 i = 0; i < guest->cfg->vcpu_count; i++)
		if (guest->cfg->vcpus[i].hwid == hwid)
			return guest->vcpus[i];
	return NULL;
}

enum hv_power_result hv_vcpu_power_on(struct hv_vcpu *target, u64 entry, u64 context)
{
	struct hv_guest *guest = target->guest;
	enum hv_power_result ret = HV_POWER_DONE;

	/* The entry point must be somewhere the vCPU can fetch instructions from: its RAM. */
	if (!hv_guest_ram(guest, entry, 1))
		return HV_POWER_BAD_ENTRY;

	hv_spin_lock(&guest->lock);
	if (target->power == HV_VCPU_ON) {
		ret = HV_POWER_ALREADY_ON;
	} else if (target->power == HV_VCPU_ON_PENDING) {
		ret = HV_POWER_ON_PENDING;
	} else {
		target->on_entry = entry;
		target->on_context = context;
		store_release(&target->power, HV_VCPU_ON_PENDING);
	}
	hv_spin_unlock(&guest->lock);
	hv_cpu_notify();
	return ret;
}

void hv_vcpu_power_off(struct hv_vcpu *vcpu)
{
	hv_spin_lock(&vcpu->guest->lock);
	store_release(&vcpu->power, HV_VCPU_OFF);
	hv_spin_unlock(&vcpu->guest->lock);
}

enum hv_vcpu_power hv_vcpu_power_state(const struct hv_vcpu *vcpu)
{
	return (enum hv_vcpu_power)load_acquire(&vcpu->power);
}
