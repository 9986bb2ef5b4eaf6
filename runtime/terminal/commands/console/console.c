// SPDX-License-Identifier: Apache-2.0
/*
 * The terminal's console commands: which guest has the keyboard, and whether the others are heard.
 */
#include <hv/manage.h>
#include <terminal/terminal.h>

static void console(u32 argc, char *const argv[])
{
	struct hv_guest *guest = hv_term_guest(argv[0]);

	(void)argc;
	if (guest && !hv_session_focus_guest(guest))
		hv_term_error("guest '%s' has no console device to type into", guest->cfg->name);
}

static bool word(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static void mute(u32 argc, char *const argv[])
{
	if (argc && !word(argv[0], "on") && !word(argv[0], "off")) {
		hv_term_error("mute takes on or off");
		return;
	}
	if (argc)
		hv_session_mute(word(argv[0], "on"));
	hv_session_printf("the output of guests without the keyboard is %s\n", hv_session_muted() ? "muted" : "shown");
}

static const struct hv_term_cmd console_cmds[] = {
	{ "console", "NAME", "give a guest the keyboard (leaves the terminal)", 1, 1, console },
	{ "mute", "[on|off]", "hide (or show) the lines of the guests without the keyboard", 0, 1, mute },
};

static const struct hv_term_group console_group = {
	.name = NULL,
	.help = "the console: the keyboard's guest, muting",
	.cmds = console_cmds,
	.count = ARRAY_SIZE(console_cmds),
};

HV_TERMINAL_GROUP(console_group);
