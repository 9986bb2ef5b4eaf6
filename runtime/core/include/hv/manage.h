/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Managing guests at run time, for the management terminal: finding them, what they are doing, and
 * starting, stopping, resetting, pausing and resuming them, any number of times.
 *
 * States (hv_guest.state): running, paused (its vCPUs keep every register and power state but do not
 * run), stopped (its vCPUs are off and their pCPUs sleep). A start, or a reset from here, is a cold one:
 * the guest's RAM is cleared and its image copied in again from the hypervisor's copy, its devices are
 * reset, and vCPU 0 starts at the entry point; nothing of its previous run is left for it to see. (A reset
 * the guest asks for itself, PSCI SYSTEM_RESET, is a warm one: the image is reloaded, the rest of RAM
 * kept, as on a board.) The work is done by the pCPU of the guest's vCPU 0, which loads the image while
 * the caller goes on; the caller only changes the state and wakes it.
 *
 * Callers: any pCPU, no lock held (the terminal's commands run on the console's input path).
 */
#ifndef HV_MANAGE_H
#define HV_MANAGE_H

#include <hv/core.h>

/* The guests, in the description's order (index 0 is guest number 1 in the terminal). */
u64 hv_guest_count(void);
struct hv_guest *hv_guest_get(u64 index);
/* A guest by its name, or by its number (1-based, as `guest list` shows it); NULL when none matches. */
struct hv_guest *hv_guest_find(const char *name_or_number);

enum hv_guest_state hv_guest_state(const struct hv_guest *guest);
const char *hv_guest_state_name(enum hv_guest_state state);

enum hv_manage_result {
	HV_MANAGE_DONE = 0,
	HV_MANAGE_NOT_STOPPED,		/* start: it runs (or is paused) */
	HV_MANAGE_NOT_RUNNING,		/* pause: it is stopped or paused already */
	HV_MANAGE_NOT_PAUSED,		/* resume: it is not paused */
	HV_MANAGE_STOPPED,		/* stop: it is stopped already */
};

/* Stopped to running, cold. */
enum hv_manage_result hv_guest_start(struct hv_guest *guest);
/* Running or paused to stopped; `why` ends the "guest 'NAME' stopped ..." line. */
enum hv_manage_result hv_guest_halt(struct hv_guest *guest, const char *why);
/* Any state to running, cold (a stopped guest is started). */
enum hv_manage_result hv_guest_restart(struct hv_guest *guest);
/* Running to paused: every vCPU is made to trap and waits; none returns to the guest until resumed. */
enum hv_manage_result hv_guest_pause(struct hv_guest *guest);
enum hv_manage_result hv_guest_resume(struct hv_guest *guest);

/* What a guest's vCPUs and faults looked like a moment ago. */
struct hv_guest_info {
	u64 starts;			/* times it was started or restarted cold after boot */
	u64 faults;			/* times a fault stopped it */
	const char *last_fault;		/* the last fault's report, or "" (stable until the next fault) */
};
void hv_guest_info(const struct hv_guest *guest, struct hv_guest_info *info);

/* Traps taken by the vCPU on a pCPU, since boot. */
u64 hv_pcpu_exits(u64 pcpu);

/* The vCPU's power state (hv/power.h's enum) in words: "on", "off", "starting". */
const char *hv_vcpu_power_name(const struct hv_vcpu *vcpu);

/* Powers the machine off, saying who asked ("the terminal"). */
__noreturn void hv_machine_off(const char *who);

#endif /* HV_MANAGE_H */
