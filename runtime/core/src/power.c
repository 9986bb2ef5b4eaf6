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

void hv_vcpu_power_off(struct hv_vcpu *vcpu, const char *why)
{
	struct hv_guest *guest = vcpu->guest;
	bool last = true;
	char line[128];

	hv_spin_lock(&guest->lock);
	store_release(&vcpu->power, HV_VCPU_OFF);
	for (u64 i = 0; i < guest->cfg->vcpu_count; i++)
		if (load_acquire(&guest->vcpus[i]->power) != HV_VCPU_OFF)
			last = false;
	/* A reset under way restarts vCPU 0 by itself: that guest is not finished. */
	if (vcpu->epoch != guest->epoch)
		last = false;
	hv_spin_unlock(&guest->lock);

	if (!last)
		return;
	hv_snprintf(line, sizeof(line), "guest '%s' stopped: no vCPU left on (%s from vCPU %lu)", guest->cfg->name, why,
		    vcpu->index);
	hv_guest_stop(guest, line);
}

enum hv_vcpu_power hv_vcpu_power_state(const struct hv_vcpu *vcpu)
{
	return (enum hv_vcpu_power)load_acquire(&vcpu->power);
}
