// SPDX-License-Identifier: Apache-2.0
/*
 * The management terminal: a prompt on the host console, a line editor, and a command table assembled by
 * the linker from the command groups in the image (terminal/terminal.h).
 *
 * It has the keyboard when the console session's focus is on it (the escape key, then t). Everything here
 * runs on the input path with the input lock held, so its state needs no lock of its own; its output goes
 * through the session, which keeps the prompt and what is being typed intact when other lines are
 * printed (the redraw hook).
 *
 * A line is at most CONFIG_HV_TERMINAL_LINE_MAX - 1 bytes of printable ASCII. Longer input, unknown
 * commands and wrong argument counts get one line of error and run nothing; control characters other
 * than the editing keys below, and the escape sequences of cursor keys, are ignored. Nothing typed
 * here reaches memory outside the line buffer, so nothing typed here can harm the hypervisor.
 */
#include <hv/manage.h>
#include <terminal/terminal.h>

#define LINE_MAX	CONFIG_HV_TERMINAL_LINE_MAX
#define ARGS_MAX	8
#define PROMPT		"hv> "

#define KEY_CTRL_C	0x03
#define KEY_BS		0x08
#define KEY_CTRL_U	0x15
#define KEY_ESC		0x1b
#define KEY_DEL		0x7f

extern const struct hv_term_group *const __hv_terminal_groups_start[];
extern const struct hv_term_group *const __hv_terminal_groups_end[];

static char line[LINE_MAX];
static u32 len;
static bool overlong;		/* more was typed than the line holds: the line will be refused */
static bool after_cr;		/* a '\n' right after '\r' is the same Enter */
static u8 esc_state;		/* 0, 1 after ESC, 2 inside a CSI sequence */
static bool greeted;

#define for_each_group(g)	\
	for (const struct hv_term_group *const *g = __hv_terminal_groups_start; g < __hv_terminal_groups_end; g++)

void hv_term_error(const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hv_session_printf("error: %s\n", buf);
}

struct hv_guest *hv_term_guest(const char *arg)
{
	struct hv_guest *guest = hv_guest_find(arg);

	if (!guest)
		hv_term_error("no guest '%s' (guest list shows them)", arg);
	return guest;
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static void prompt(void)
{
	hv_session_puts(PROMPT);
}

static void redraw(void)
{
	hv_session_write_locked(PROMPT, sizeof(PROMPT) - 1);
	hv_session_write_locked(line, len);
}

static void usage(const struct hv_term_group *group, const struct hv_term_cmd *cmd)
{
	hv_session_printf("usage: %s%s%s%s%s\n", group->name ? group->name : "", group->name ? " " : "", cmd->name,
			  cmd->args[0] ? " " : "", cmd->args);
}

static void help_line(const struct hv_term_group *group, const struct hv_term_cmd *cmd)
{
	char words[64];

	hv_snprintf(words, sizeof(words), "%s%s%s%s%s", group->name ? group->name : "", group->name ? " " : "",
		    cmd->name, cmd->args[0] ? " " : "", cmd->args);
	hv_session_printf("  %-28s %s\n", words, cmd->help);
}

static void help(u32 argc, char *const argv[])
{
	if (argc) {
		bool found = false;

		for_each_group(g) {
			const struct hv_term_group *group = *g;

			for (u64 i = 0; i < group->count; i++) {
				const struct hv_term_cmd *cmd = &group->cmds[i];

				if ((group->name && streq(group->name, argv[0])) || (!group->name && streq(cmd->name, argv[0]))) {
					help_line(group, cmd);
					found = true;
				}
			}
		}
		if (!found)
			hv_term_error("no command '%s' (help lists them)", argv[0]);
		return;
	}
	hv_session_printf("commands:\n");
	hv_session_printf("  %-28s %s\n", "help [COMMAND]", "these lines, or those of one command");
	for_each_group(g)
		for (u64 i = 0; i < (*g)->count; i++)
			help_line(*g, &(*g)->cmds[i]);
	hv_session_printf("NAME is a guest's name or its number in guest list. Console keys: %s h\n",
			  hv_session_escape_name());
}

/* Splits the line into words in place. False when there are too many. */
static bool split(char *s, char *words[], u32 *count)
{
	*count = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			return true;
		if (*count == ARGS_MAX)
			return false;
		words[(*count)++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
}

static void run_line(void)
{
	char *words[ARGS_MAX];
	u32 count;

	line[len] = '\0';
	if (!split(line, words, &count)) {
		hv_term_error("more than %d words", ARGS_MAX);
		return;
	}
	if (!count)
		return;
	if (streq(words[0], "help") || streq(words[0], "?")) {
		help(count - 1, words + 1);
		return;
	}
	for_each_group(g) {
		const struct hv_term_group *group = *g;
		u32 skip = group->name ? 2 : 1;

		if (group->name && !streq(group->name, words[0]))
			continue;
		if (group->name && count < 2) {
			hv_term_error("%s needs a command (help %s lists them)", group->name, group->name);
			return;
		}
		for (u64 i = 0; i < group->count; i++) {
			const struct hv_term_cmd *cmd = &group->cmds[i];
			u32 argc = count - skip;

			if (!streq(cmd->name, words[skip - 1]))
				continue;
			if (argc < cmd->min_args || argc > cmd->max_args) {
				hv_term_error("wrong number of arguments");
				usage(group, cmd);
				return;
			}
			cmd->run(argc, words + skip);
			return;
		}
		if (group->name) {
			hv_term_error("%s has no command '%s' (help %s lists them)", group->name, words[1], group->name);
			return;
		}
	}
	hv_term_error("unknown command '%s' (help lists them)", words[0]);
}

static void enter(void)
{
	char greeting[256];
	int n = 0;

	if (!greeted) {
		n = hv_snprintf(greeting, sizeof(greeting), "hvcc management terminal, system '%s': help lists the commands\n",
				hv_config.system_name);
		if (n >= (int)sizeof(greeting))
			n = sizeof(greeting) - 1;
		greeted = true;
	}
	/* The greeting and the prompt at once: a guest's line printed meanwhile goes above both, not between. */
	hv_session_hold();
	if (n > 0)
		hv_session_write_locked(greeting, (size_t)n);
	hv_session_write_locked(PROMPT, sizeof(PROMPT) - 1);
	hv_session_write_locked(line, len);
	hv_session_release();
}

static void input(u8 c)
{
	/* A cursor key's sequence (ESC [ ... final byte), or ESC and one more byte: nothing here uses them. */
	if (esc_state == 1) {
		esc_state = c == '[' ? 2 : 0;
		return;
	}
	if (esc_state == 2) {
		if (c >= 0x40 && c <= 0x7e)
			esc_state = 0;
		return;
	}
	if (c == '\n' && after_cr) {
		after_cr = false;
		return;
	}
	after_cr = c == '\r';

	switch (c) {
	case '\r':
	case '\n':
		hv_session_puts("\n");
		if (overlong)
			hv_term_error("a command is at most %d characters; nothing was run", LINE_MAX - 1);
		else
			run_line();
		len = 0;
		overlong = false;
		prompt();
		return;
	case KEY_CTRL_C:
		hv_session_puts("^C\n");
		len = 0;
		overlong = false;
		prompt();
		return;
	case KEY_CTRL_U:
		hv_session_hold();
		for (; len; len--)
			hv_session_write_locked("\b \b", 3);
		hv_session_release();
		overlong = false;
		return;
	case KEY_BS:
	case KEY_DEL:
		hv_session_hold();
		if (len) {
			len--;
			hv_session_write_locked("\b \b", 3);
		}
		hv_session_release();
		return;
	case KEY_ESC:
		esc_state = 1;
		return;
	}
	if (c < 0x20 || c > 0x7e)
		return;
	if (len >= LINE_MAX - 1) {
		overlong = true;
		return;
	}
	/* The line and the screen change together: a redraw comes before both or after both. */
	hv_session_hold();
	line[len++] = (char)c;
	hv_session_write_locked((const char *)&c, 1);
	hv_session_release();
}

static const struct hv_terminal_ops terminal_ops = {
	.enter = enter,
	.input = input,
	.redraw = redraw,
};

/* Overrides the core's weak NULL (hv/session.h). */
const struct hv_terminal_ops *hv_terminal_hook = &terminal_ops;
