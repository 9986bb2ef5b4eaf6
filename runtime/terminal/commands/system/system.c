// SPDX-License-Identifier: Apache-2.0
/*
 * The terminal's system commands: what the image is, what the machine has done, and turning it off.
 */
#include <hv/manage.h>
#include <hv/timer.h>
#include <terminal/terminal.h>

static void version(u32 argc, char *const argv[])
{
	(void)argc;
	(void)argv;
	hv_session_printf("hvcc %s, config ABI %u, system '%s': %lu guest(s) on %lu CPU(s)\n", hv_config.version,
			  HV_CONFIG_ABI_VERSION, hv_config.system_name, hv_config.guest_count, hv_config.pcpu_count);
}

static void stats(u32 argc, char *const argv[])
{
	u64 ns = hv_time_ns();
	struct hv_session_stats s;

	(void)argc;
	(void)argv;
	hv_session_stats(&s);
	hv_session_printf("time: %lu.%03lu s on the system counter\n", ns / HV_NS_PER_SEC, ns % HV_NS_PER_SEC / 1000000);
	for (u64 p = 0; p < hv_config.pcpu_count; p++) {
		const struct hv_pcpu_config *pc = &hv_config.pcpus[p];

		if (pc->guest == HV_NO_GUEST)
			hv_session_printf("pCPU %lu (ID 0x%lx): no guest\n", p, pc->hwid);
		else
			hv_session_printf("pCPU %lu (ID 0x%lx): guest '%s' vCPU %lu, %lu exits\n", p, pc->hwid,
					  hv_config.guests[pc->guest].name, pc->vcpu, hv_pcpu_exits(p));
	}
	if (s.irq)
		hv_session_printf("console: %lu bytes of input, by interrupt %lu on pCPU %lu; %lu guest lines muted\n",
				  s.input_bytes, s.irq_id, s.irq_pcpu, s.muted_lines);
	else
		hv_session_printf("console: %lu bytes of input, polled; %lu guest lines muted\n", s.input_bytes,
				  s.muted_lines);
	for (u64 gi = 0; gi < hv_guest_count(); gi++) {
		struct hv_guest *guest = hv_guest_get(gi);
		struct hv_guest_input_stats in;

		if (!guest->cfg->console)
			continue;
		hv_guest_input_stats(guest, &in);
		hv_session_printf("guest '%s': input %lu bytes queued, %lu delivered, %lu dropped\n", guest->cfg->name,
				  in.queued, in.delivered, in.dropped);
	}
}

static void poweroff(u32 argc, char *const argv[])
{
	(void)argc;
	(void)argv;
	hv_machine_off("the terminal");
}

static const struct hv_term_cmd system_cmds[] = {
	{ "version", "", "the hvcc that built this image, and the system", 0, 0, version },
	{ "stats", "", "time, each CPU's exits, the console's input", 0, 0, stats },
	{ "poweroff", "", "turn the machine off", 0, 0, poweroff },
};

static const struct hv_term_group system_group = {
	.name = NULL,
	.help = "the machine",
	.cmds = system_cmds,
	.count = ARRAY_SIZE(system_cmds),
};

HV_TERMINAL_GROUP(system_group);
