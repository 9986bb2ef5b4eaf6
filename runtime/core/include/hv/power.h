/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vCPU and guest power, for the arch port's firmware interface (the calls a guest makes to power its CPUs
 * on and off, to power itself off or to reset; each arch port has its own, in runtime/arch/). The core
 * only keeps the state; the pCPU a vCPU is pinned to notices a change the next time it settles (see
 * hv_vcpu_settle() in hv/trap.h), and is woken for it.
 *
 * The vCPU calls run on the calling vCPU's own pCPU, in its trap handler, with no lock held.
 */
#ifndef HV_POWER_H
#define HV_POWER_H

#include <hv/core.h>

enum hv_power_result {
	HV_POWER_DONE = 0,
	HV_POWER_ALREADY_ON,		/* the vCPU runs */
	HV_POWER_ON_PENDING,		/* the vCPU was powered on and has not started yet */
	HV_POWER_BAD_ENTRY,		/* the entry point is not in the guest's RAM */
};

/* The guest's vCPU with this hardware ID (hv_vcpu_config.hwid, compared whole), or NULL. */
struct hv_vcpu *hv_guest_vcpu_by_hwid(struct hv_guest *guest, u64 hwid);

/*
 * Powers a vCPU of the caller's guest on: it starts at guest-physical `entry` with `context` as its boot
 * argument (the arch puts it where its boot protocol says, usually the first argument register).
 */
enum hv_power_result hv_vcpu_power_on(struct hv_vcpu *target, u64 entry, u64 context);

/*
 * Powers the calling vCPU off. The trap does not return to the guest: the vCPU waits until it is powered on
 * again, and then starts afresh. When it was the guest's last vCPU on, nothing could ever power one on
 * again: the guest is stopped, and reported once with `why` (the call that did it, e.g. "PSCI CPU_OFF").
 */
void hv_vcpu_power_off(struct hv_vcpu *vcpu, const char *why);

enum hv_vcpu_power hv_vcpu_power_state(const struct hv_vcpu *vcpu);

/*
 * Stops the guest for good: its vCPUs park (each on its next trap), its partial output line is printed,
 * then `line` (if any) as a hypervisor line. When it was the last running guest the machine is powered off.
 * Also used by the core itself for fault containment; any pCPU.
 */
void hv_guest_stop(struct hv_guest *guest, const char *line);

/*
 * Resets the guest: every vCPU drops what it was doing (on its next trap), then vCPU 0's pCPU reloads the
 * image, resets the devices and starts vCPU 0 at the entry point; the other vCPUs are off. Prints
 * "guest '<name>' requested a reset (<why>), restarting it". Any pCPU.
 */
void hv_guest_request_reset(struct hv_guest *guest, const char *why);

#endif /* HV_POWER_H */
