// SPDX-License-Identifier: Apache-2.0
/*
 * Guests managed at run time (hv/manage.h): the state changes the terminal asks for, on top of the life
 * cycle guest.c runs (stop, and the reset epochs the restart goes through), and what it reports.
 *
 * A start or a cold reset is a reset epoch like the one PSCI SYSTEM_RESET begins: every vCPU acknowledges
 * it on its own pCPU, then vCPU 0's pCPU reloads the guest (and, being cold, clears its RAM first) and
 * starts vCPU 0. A stopped guest's vCPUs are parked in hv_vcpu_settle() already, so they acknowledge at
 * once; a running one's are made to trap by arch_guest_block().
 *
 * A pause also makes them trap (arch_guest_block()): hv_vcpu_must_yield() then says the trap no longer
 * matters, since the guest will take it again when resumed, and hv_vcpu_settle() keeps them waiting.
 * Resuming gives the guest its stage-2 mappings back, unless a reset is still under way (then its
 * restart does that, once every vCPU is out of the guest).
 *
 * A guest is blocked and unblocked only under its lock, in the same locked section as the change of state
 * or epoch that calls for it. Otherwise a block meant for a reset could land after that reset had already
 * finished on another pCPU and restarted the guest, which would then fault on its first instruction.
 */
#include "internal.h"

#define FAULT_MAX	256

struct guest_manage {
	bool cold;			/* the next restart clears RAM */
	u64 starts;
	u64 faults;
	char last_fault[FAULT_MAX];
};

static struct guest_manage manage[CONFIG_HV_MAX_CPUS];	/* by guest index; under the guest's lock */
u64 hv_pcpu_exit_count[CONFIG_HV_MAX_CPUS];			/* by pCPU, each written by its own */

u64 hv_guest_count(void)
{
	return hv_config.guest_count;
}

struct hv_guest *hv_guest_get(u64 index)
{
	return index < hv_config.guest_count ? &hv_guests[index] : NULL;
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

struct hv_guest *hv_guest_find(const char *name)
{
	u64 number = 0;
	const char *p = name;

	for (u64 gi = 0; gi < hv_config.guest_count; gi++)
		if (streq(hv_config.guests[gi].name, name))
			return &hv_guests[gi];
	/* A number, as `guest list` shows it; at most a few digits, so no overflow to care about. */
	for (; *p >= '0' && *p <= '9' && p - name < 6; p++)
		number = number * 10 + (u64)(*p - '0');
	if (*p || p == name || number == 0 || number > hv_config.guest_count)
		return NULL;
	return &hv_guests[number - 1];
}

enum hv_guest_state hv_guest_state(const struct hv_guest *guest)
{
	return (enum hv_guest_state)load_acquire(&guest->state);
}

const char *hv_guest_state_name(enum hv_guest_state state)
{
	switch (state) {
	case HV_GUEST_RUNNING:	return "running";
	case HV_GUEST_PAUSED:	return "paused";
	case HV_GUEST_STOPPED:	return "stopped";
	}
	return "?";
}

const char *hv_vcpu_power_name(const struct hv_vcpu *vcpu)
{
	switch (hv_vcpu_power_state(vcpu)) {
	case HV_VCPU_ON:		return "on";
	case HV_VCPU_OFF:		return "off";
	case HV_VCPU_ON_PENDING:	return "starting";
	}
	return "?";
}

/* Guest lock held: begin a cold restart (the state is not stopped afterwards). */
static void begin_cold_restart(struct hv_guest *guest)
{
	manage[guest->index].cold = true;
	manage[guest->index].starts++;
	hv_guest_console_flush(guest);
	store_release(&guest->state, HV_GUEST_RUNNING);
	store_release(&guest->epoch, guest->epoch + 1);
}

enum hv_manage_result hv_guest_start(struct hv_guest *guest)
{
	hv_spin_lock(&guest->lock);
	if (guest->state != HV_GUEST_STOPPED) {
		hv_spin_unlock(&guest->lock);
		return HV_MANAGE_NOT_STOPPED;
	}
	__atomic_add_fetch(&hv_running_guests, 1, __ATOMIC_ACQ_REL);
	begin_cold_restart(guest);
	hv_spin_unlock(&guest->lock);
	hv_log("guest '%s' starting (RAM cleared, image loaded)", guest->cfg->name);
	/* Its vCPUs are parked already; they need only be woken. */
	hv_cpu_notify();
	return HV_MANAGE_DONE;
}

enum hv_manage_result hv_guest_restart(struct hv_guest *guest)
{
	hv_spin_lock(&guest->lock);
	if (guest->state == HV_GUEST_STOPPED)
		__atomic_add_fetch(&hv_running_guests, 1, __ATOMIC_ACQ_REL);
	begin_cold_restart(guest);
	arch_guest_block(guest);
	hv_spin_unlock(&guest->lock);
	hv_log("guest '%s' restarting (RAM cleared, image reloaded)", guest->cfg->name);
	hv_cpu_notify();
	return HV_MANAGE_DONE;
}

enum hv_manage_result hv_guest_halt(struct hv_guest *guest, const char *why)
{
	char line[128];

	if (hv_guest_state(guest) == HV_GUEST_STOPPED)
		return HV_MANAGE_STOPPED;
	hv_snprintf(line, sizeof(line), "guest '%s' stopped %s", guest->cfg->name, why);
	hv_guest_stop(guest, line);
	return HV_MANAGE_DONE;
}

enum hv_manage_result hv_guest_pause(struct hv_guest *guest)
{
	hv_spin_lock(&guest->lock);
	if (guest->state != HV_GUEST_RUNNING) {
		hv_spin_unlock(&guest->lock);
		return HV_MANAGE_NOT_RUNNING;
	}
	store_release(&guest->state, HV_GUEST_PAUSED);
	arch_guest_block(guest);
	hv_spin_unlock(&guest->lock);
	hv_cpu_notify();
	hv_log("guest '%s' paused", guest->cfg->name);
	return HV_MANAGE_DONE;
}

enum hv_manage_result hv_guest_resume(struct hv_guest *guest)
{
	bool resetting = false;

	hv_spin_lock(&guest->lock);
	if (guest->state != HV_GUEST_PAUSED) {
		hv_spin_unlock(&guest->lock);
		return HV_MANAGE_NOT_PAUSED;
	}
	for (u64 i = 0; i < guest->cfg->vcpu_count; i++)
		if (load_acquire(&guest->vcpus[i]->epoch) != guest->epoch)
			resetting = true;
	store_release(&guest->state, HV_GUEST_RUNNING);
	if (!resetting)
		arch_guest_unblock(guest);
	hv_spin_unlock(&guest->lock);
	hv_cpu_notify();
	hv_log("guest '%s' resumed", guest->cfg->name);
	return HV_MANAGE_DONE;
}

void hv_manage_fault(struct hv_guest *guest, const char *report)
{
	struct guest_manage *m = &manage[guest->index];
	size_t n = 0;

	hv_spin_lock(&guest->lock);
	m->faults++;
	for (; report[n] && n < FAULT_MAX - 1; n++)
		m->last_fault[n] = report[n];
	m->last_fault[n] = '\0';
	hv_spin_unlock(&guest->lock);
}

bool hv_manage_take_cold(struct hv_guest *guest)
{
	bool cold;

	hv_spin_lock(&guest->lock);
	cold = manage[guest->index].cold;
	manage[guest->index].cold = false;
	hv_spin_unlock(&guest->lock);
	return cold;
}

void hv_guest_info(const struct hv_guest *guest, struct hv_guest_info *info)
{
	const struct guest_manage *m = &manage[guest->index];

	info->starts = READ_ONCE(m->starts);
	info->faults = READ_ONCE(m->faults);
	info->last_fault = m->last_fault;
}

u64 hv_pcpu_exits(u64 pcpu)
{
	return pcpu < CONFIG_HV_MAX_CPUS ? READ_ONCE(hv_pcpu_exit_count[pcpu]) : 0;
}

void hv_machine_off(const char *who)
{
	hv_session_end();
	hv_log("powering off (asked by %s)", who);
	arch_host_system_off();
}
