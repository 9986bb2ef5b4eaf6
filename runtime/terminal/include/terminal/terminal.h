/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The management terminal's command table, for its command groups (runtime/terminal/commands/<group>/).
 *
 * A group is a component of its own, linked when its Kconfig symbol is on. It defines one
 * `struct hv_term_group` and names it with HV_TERMINAL_GROUP(), which puts a pointer to it in the linker
 * section the terminal reads its table from (.rodata.hv_terminal_groups.*, sorted by name): a group that
 * is not linked is simply not in the table, and nothing else refers to it.
 *
 * Commands run on the console's input path, one at a time, with the input lock held and no other: they
 * may call hv/manage.h and hv/session.h (and print through the latter), but must not wait for input.
 * Their output is whole lines. Whatever a user types reaches `run` only with an argument count inside
 * [min_args, max_args]; each argument is a nonempty word of at most CONFIG_HV_TERMINAL_LINE_MAX bytes.
 */
#ifndef TERMINAL_TERMINAL_H
#define TERMINAL_TERMINAL_H

#include <hv/core.h>
#include <hv/session.h>

struct hv_term_cmd {
	const char *name;	/* the word after the group's ("list"), or the whole command in an unnamed group */
	const char *args;	/* its arguments as the usage line shows them: "NAME", "[on|off]", "" */
	const char *help;	/* one line */
	u32 min_args;
	u32 max_args;
	void (*run)(u32 argc, char *const argv[]);	/* argv: the words after the command's */
};

struct hv_term_group {
	const char *name;	/* its first word ("guest"), or NULL: its commands are words of their own */
	const char *help;	/* one line, for `help` */
	const struct hv_term_cmd *cmds;
	u64 count;
};

#define HV_TERMINAL_GROUP(group)								\
	static const struct hv_term_group *const __hv_term_group_##group			\
		__attribute__((used, section(".rodata.hv_terminal_groups." #group))) = &(group)

/* A one-line error, "error: ...". */
__printf(1, 2) void hv_term_error(const char *fmt, ...);

/* The guest an argument names (a name or a number), or NULL after saying there is none. */
struct hv_guest *hv_term_guest(const char *arg);

#endif /* TERMINAL_TERMINAL_H */
