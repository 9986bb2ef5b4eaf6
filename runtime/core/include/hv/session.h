/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The console session: who has the host console's keyboard (the focus), what the screen shows, and how the
 * management terminal plugs in.
 *
 * Input. The host console driver's receive path is read by one pCPU at a time under the input lock: by
 * the pCPU its interrupt is routed to when a host interrupt controller driver is linked, otherwise by any
 * pCPU passing through the hypervisor (a trap, or its wait loop). Each byte goes to the focus: a guest's
 * console device (hv_guest_console_input(), through a small per-guest queue so that a guest that reads
 * slowly still gets everything, in order), or the management terminal. The escape key
 * (hv_config.console_escape, Ctrl-A unless the description says otherwise), then a command key, moves the
 * focus between guests and the terminal (docs/console.md).
 *
 * Output. Until the first byte of input arrives every guest's output is collected into whole lines,
 * prefixed "[name] " (a log: nobody is typing). From then on the focused guest's output reaches the
 * screen as it is, byte by byte, so a shell's prompt and line editing work; the other guests' lines stay
 * prefixed (and may be muted). A line printed while the focus has an unfinished line on the screen erases
 * that line first and draws it again after, so the two never mix.
 *
 * Lock order: input lock, then guest locks, then emulator locks, then the console lock. Nothing that holds
 * the console lock takes another.
 */
#ifndef HV_SESSION_H
#define HV_SESSION_H

#include <stdarg.h>
#include <hv/core.h>

#define HV_FOCUS_TERMINAL	(~0UL)		/* the management terminal has the keyboard */
#define HV_FOCUS_NONE		(~1UL)		/* nobody: no guest with a console, no terminal */

/* The focus: a guest index (hv_guest.index), HV_FOCUS_TERMINAL or HV_FOCUS_NONE. Any pCPU. */
u64 hv_session_focus(void);

/*
 * Moves the focus to a guest (false when it has no console device) or to the terminal (false when none
 * is linked), and says so on the screen. Only from the input path (the terminal's commands run there).
 */
bool hv_session_focus_guest(struct hv_guest *guest);
bool hv_session_focus_terminal(void);

/* Whether the other guests' lines are dropped instead of shown (the focus's own output never is). */
void hv_session_mute(bool mute);
bool hv_session_muted(void);

/*
 * The screen, for the terminal: bytes as they are, under the console lock (so never inside another line).
 * What does not end with '\n' is the focus's unfinished line: it is erased and drawn again (through the
 * terminal's redraw hook) when a line is printed over it.
 */
void hv_session_write(const char *s, size_t n);
void hv_session_puts(const char *s);
__printf(1, 2) void hv_session_printf(const char *fmt, ...);
/*
 * The same with the console lock held: in the terminal's redraw hook, and between hv_session_hold() and
 * hv_session_release(), which the terminal takes around a change to its line and the drawing of that
 * change, so that a redraw in between cannot draw it twice.
 */
void hv_session_write_locked(const char *s, size_t n);
void hv_session_hold(void);
void hv_session_release(void);

/* hv_snprintf() with a va_list. */
int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* The escape key's name ("Ctrl-A") in a static buffer. */
const char *hv_session_escape_name(void);

/* What the console did, for the terminal's stats. */
struct hv_session_stats {
	u64 input_bytes;		/* read from the host console */
	u64 muted_lines;		/* guest lines not shown */
	bool irq;			/* input arrives by interrupt (else it is polled) */
	u64 irq_id;			/* that interrupt, in the board interrupt controller's numbering */
	u64 irq_pcpu;			/* the pCPU it is routed to */
};
void hv_session_stats(struct hv_session_stats *stats);

/* Per guest: input queued for it, handed to its console device, dropped (stopped, or not reading). */
struct hv_guest_input_stats {
	u64 queued;
	u64 delivered;
	u64 dropped;
};
void hv_guest_input_stats(const struct hv_guest *guest, struct hv_guest_input_stats *stats);

/*
 * The management terminal (runtime/terminal/), when the image has one: its ops object, through a pointer the
 * core defines weakly as NULL and the terminal defines again. (A weak undefined reference to the ops object
 * itself would be address 0, which PC-relative addressing (medany code models) cannot reach from the image; a const
 * pointer would be weak_odr, which the compiler folds to NULL in the core's own files.) Its hooks
 * run on the input path (input lock held, no other).
 */
struct hv_terminal_ops {
	/* The focus moved to the terminal (after the screen said so): show the prompt. */
	void (*enter)(void);
	/* A byte typed while the terminal has the focus. */
	void (*input)(u8 byte);
	/* Console lock held: a line was printed over the prompt; draw it again (hv_session_write_locked()). */
	void (*redraw)(void);
};

extern const struct hv_terminal_ops *hv_terminal_hook;

static inline const struct hv_terminal_ops *hv_terminal(void)
{
	return hv_terminal_hook;
}

#endif /* HV_SESSION_H */
