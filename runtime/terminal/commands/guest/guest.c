// SPDX-License-Identifier: Apache-2.0
/*
 * The terminal's guest commands: what every guest is doing, and changing it (hv/manage.h).
 */
#include <hv/manage.h>
#include <hv/timer.h>
#include <terminal/terminal.h>

static u64 guest_exits(const struct hv_guest *guest)
{
	u64 sum = 0;

	for (u64 i = 0; i < guest->cfg->vcpu_count; i++)
		sum += hv_pcpu_exits(guest->vcpus[i]->pcpu);
	return sum;
}

static void list(u32 argc, char *const argv[])
{
	(void)argc;
	(void)argv;
	hv_session_printf(" #  %-12s %-8s %-30s %10s %6s\n", "guest", "state", "vCPUs (vCPU:pCPU power)", "exits",
			  "faults");
	for (u64 gi = 0; gi < hv_guest_count(); gi++) {
		struct hv_guest *guest = hv_guest_get(gi);
		struct hv_guest_info info;
		char vcpus[64];
		size_t at = 0;

		vcpus[0] = '\0';
		for (u64 i = 0; i < guest->cfg->vcpu_count && at < sizeof(vcpus); i++) {
			const struct hv_vcpu *vcpu = guest->vcpus[i];

			at += (size_t)hv_snprintf(vcpus + at, sizeof(vcpus) - at, "%s%lu:%lu %s", i ? ", " : "", i,
						  vcpu->pcpu, hv_vcpu_power_name(vcpu));
		}
		hv_guest_info(guest, &info);
		hv_session_printf("%2lu  %-12s %-8s %-30s %10lu %6lu\n", gi + 1, guest->cfg->name,
				  hv_guest_state_name(hv_guest_state(guest)), vcpus, guest_exits(guest), info.faults);
	}
}

static void info(u32 argc, char *const argv[])
{
	struct hv_guest *guest = hv_term_guest(argv[0]);
	const struct hv_guest_config *g;
	struct hv_guest_info gi;
	struct hv_guest_input_stats in;

	(void)argc;
	if (!guest)
		return;
	g = guest->cfg;
	hv_guest_info(guest, &gi);
	hv_guest_input_stats(guest, &in);
	hv_session_printf("guest '%s', number %lu: %s; VMID %lu; %s; started cold %lu time(s) since boot\n", g->name,
			  guest->index + 1, hv_guest_state_name(hv_guest_state(guest)), g->vmid,
			  (g->flags & HV_GUEST_NO_AUTOSTART) ? "does not start at boot" : "starts at boot", gi.starts);
	for (u64 i = 0; i < g->vcpu_count; i++) {
		const struct hv_vcpu *vcpu = guest->vcpus[i];

		hv_session_printf("  vCPU %lu: ID 0x%lx, on pCPU %lu (ID 0x%lx), %s, %lu exits\n", i, g->vcpus[i].hwid,
				  vcpu->pcpu, hv_config.pcpus[vcpu->pcpu].hwid, hv_vcpu_power_name(vcpu),
				  hv_pcpu_exits(vcpu->pcpu));
	}
	for (u64 i = 0; i < g->mem_count; i++)
		hv_session_printf("  RAM: IPA 0x%lx-0x%lx at PA 0x%lx, %lu KiB\n", g->mem[i].ipa,
				  g->mem[i].ipa + g->mem[i].size - 1, g->mem[i].pa, g->mem[i].size >> 10);
	hv_session_printf("  image: entry 0x%lx, boot argument 0x%lx, %lu segment(s)\n", g->entry, g->boot_arg,
			  g->segment_count);
	for (u64 i = 0; i < g->device_count; i++) {
		const struct hv_device *dev = &g->devices[i];
		char irqs[48] = "";

		for (u64 n = 0, at = 0; n < dev->irq_count && at < sizeof(irqs); n++)
			at += (u64)hv_snprintf(irqs + at, sizeof(irqs) - at, "%s%lu", n ? ", " : ", interrupt ",
					       dev->irqs[n].id);
		hv_session_printf("  device %s: %s emulator, 0x%lx (%lu bytes)%s%s\n", dev->path, dev->ops->name,
				  dev->window_count ? dev->windows[0].base : 0, dev->window_count ? dev->windows[0].size : 0,
				  irqs, dev == g->console ? ", console" : "");
	}
	if (g->console)
		hv_session_printf("  console input: %lu bytes queued, %lu delivered, %lu dropped\n", in.queued,
				  in.delivered, in.dropped);
	hv_session_printf("  faults: %lu%s%s\n", gi.faults, gi.faults ? "; the last: " : "", gi.last_fault);
}

static void start(u32 argc, char *const argv[])
{
	struct hv_guest *guest = hv_term_guest(argv[0]);

	(void)argc;
	if (guest && hv_guest_start(guest) != HV_MANAGE_DONE)
		hv_term_error("guest '%s' is %s, not stopped (guest reset restarts it)", guest->cfg->name,
			      hv_guest_state_name(hv_guest_state(guest)));
}

static void stop(u32 argc, char *const argv[])
{
	struct hv_guest *guest = hv_term_guest(argv[0]);

	(void)argc;
	if (guest && hv_guest_halt(guest, "from the terminal") != HV_MANAGE_DONE)
		hv_term_error("guest '%s' is stopped already", guest->cfg->name);
}

static void reset(u32 argc, char *const argv[])
{
	struct hv_guest *guest = hv_term_guest(argv[0]);

	(void)argc;
	if (guest)
		hv_guest_restart(guest);
}

static void pause(u32 argc, char *const argv[])
{
	struct hv_guest *guest = hv_term_guest(argv[0]);

	(void)argc;
	if (guest && hv_guest_pause(guest) != HV_MANAGE_DONE)
		hv_term_error("guest '%s' is %s, not running", guest->cfg->name, hv_guest_state_name(hv_guest_state(guest)));
}

static void resume(u32 argc, char *const argv[])
{
	struct hv_guest *guest = hv_term_guest(argv[0]);

	(void)argc;
	if (guest && hv_guest_resume(guest) != HV_MANAGE_DONE)
		hv_term_error("guest '%s' is %s, not paused", guest->cfg->name, hv_guest_state_name(hv_guest_state(guest)));
}

static const struct hv_term_cmd guest_cmds[] = {
	{ "list", "", "every guest: state, vCPUs and their CPUs, exits, faults", 0, 0, list },
	{ "info", "NAME", "a guest's vCPUs, memory, devices, console input and faults", 1, 1, info },
	{ "start", "NAME", "start a stopped guest: RAM cleared, image loaded", 1, 1, start },
	{ "stop", "NAME", "stop a guest; its CPUs sleep", 1, 1, stop },
	{ "reset", "NAME", "restart a guest cold (RAM cleared, image reloaded), whatever its state", 1, 1, reset },
	{ "pause", "NAME", "stop a guest's vCPUs where they are", 1, 1, pause },
	{ "resume", "NAME", "let a paused guest go on", 1, 1, resume },
};

static const struct hv_term_group guest_group = {
	.name = "guest",
	.help = "guests: their state, and changing it",
	.cmds = guest_cmds,
	.count = ARRAY_SIZE(guest_cmds),
};

HV_TERMINAL_GROUP(guest_group);
