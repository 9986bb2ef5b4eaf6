// SPDX-License-Identifier: Apache-2.0
/*
 * The screen side of the console session (hv/session.h): the focus, the focused guest's output shown as
 * it is, and its unfinished line kept intact when other lines are printed.
 *
 * Everything here is under the console lock. The focus changes only on the input path, and then also
 * under the output lock of the guest that loses it and of the one that gets it: a guest's output path holds
 * its own output lock, so it sees a focus that cannot change under it.
 */
#include "internal.h"

/* NULL unless the management terminal is linked, which defines it again (hv/session.h). */
__attribute__((weak)) const struct hv_terminal_ops *hv_terminal_hook = NULL;

/*
 * The focused guest's bytes since its last newline, as it wrote them (carriage returns, backspaces and
 * escape sequences included): replaying them from the start of a line redraws that line, a shell's prompt
 * and what was typed after it.
 */
#define REPLAY_MAX	CONFIG_HV_GUEST_LINE_MAX

static u64 focus = HV_FOCUS_NONE;
static bool interactive;	/* input has arrived: the focused guest's output is shown as it is */
static bool muted;
static u64 muted_lines;
static char escape_name[8];	/* "Ctrl-A" */

/* The focus has an unfinished line on the screen (console lock). */
static bool partial;
static char replay[REPLAY_MAX];
static u64 replay_len;
static bool replay_lost;	/* the line outgrew the buffer: it cannot be drawn again */

u64 hv_session_focus(void)
{
	return READ_ONCE(focus);
}

bool hv_session_interactive(void)
{
	return READ_ONCE(interactive);
}

/* The first guest whose console can take input, else the terminal. */
void hv_session_init(void)
{
	hv_snprintf(escape_name, sizeof(escape_name), "Ctrl-%c", (char)(0x40 + (hv_config.console_escape & 0x1f)));
	for (u64 gi = 0; gi < hv_config.guest_count; gi++) {
		if (hv_config.guests[gi].console) {
			focus = gi;
			return;
		}
	}
	focus = hv_terminal() ? HV_FOCUS_TERMINAL : HV_FOCUS_NONE;
}

static struct hv_guest *focus_guest(u64 f)
{
	return f < hv_config.guest_count ? &hv_guests[f] : NULL;
}

static void replay_reset(void)
{
	replay_len = 0;
	replay_lost = false;
}

static void replay_add(const char *s, size_t n)
{
	for (; n; n--, s++) {
		if (*s == '\n') {
			replay_reset();
			partial = false;
			continue;
		}
		partial = true;
		if (replay_len < REPLAY_MAX)
			replay[replay_len++] = *s;
		else
			replay_lost = true;
	}
}

/*
 * Console lock and the guest's output lock held: the guest just got the focus, or the session just became interactive.
 * What it printed of its current line is still in its line buffer (it was collecting a prefixed line):
 * put it on the screen as the start of its line (a prompt, usually).
 */
static void show_partial_line(struct hv_guest *guest)
{
	hv_console_write_locked(guest->line, guest->line_len);
	replay_add(guest->line, guest->line_len);
	guest->line_len = 0;
}

bool hv_session_line_begin(const struct hv_guest *guest)
{
	if (guest && muted && guest->index != focus) {
		muted_lines++;
		return false;
	}
	if (!partial)
		return true;
	if (focus == HV_FOCUS_TERMINAL || !replay_lost) {
		hv_console_write_locked("\r\033[K", 4);	/* erased, drawn again after the line */
	} else {
		/* Too long to draw again: leave it on the screen, ended. */
		hv_console_write_locked("\n", 1);
		partial = false;
		replay_reset();
	}
	return true;
}

void hv_session_line_end(void)
{
	if (!partial)
		return;
	if (focus == HV_FOCUS_TERMINAL) {
		if (hv_terminal())
			hv_terminal()->redraw();
	} else {
		hv_console_write_locked(replay, replay_len);
	}
}

/* Out of line: the guest's every byte passes hv_session_putc(), and this only when it has the focus. */
static __noinline void shown_putc(char c)
{
	hv_console_lock();
	hv_console_write_locked(&c, 1);
	replay_add(&c, 1);
	hv_console_unlock();
}

bool hv_session_putc(struct hv_guest *guest, char c)
{
	/* Stable while the caller holds the guest's output lock (see the top of this file). */
	if (!READ_ONCE(interactive) || READ_ONCE(focus) != guest->index)
		return false;
	shown_putc(c);
	return true;
}

/* Takes the output locks of the guests among a and b (either may be NULL), in index order, then the console's. */
static void lock_pair(struct hv_guest *a, struct hv_guest *b)
{
	if (a && b && a->index > b->index) {
		struct hv_guest *t = a;

		a = b;
		b = t;
	}
	if (a)
		hv_spin_lock(&a->out_lock);
	if (b && b != a)
		hv_spin_lock(&b->out_lock);
	hv_console_lock();
}

static void unlock_pair(struct hv_guest *a, struct hv_guest *b)
{
	hv_console_unlock();
	if (a)
		hv_spin_unlock(&a->out_lock);
	if (b && b != a)
		hv_spin_unlock(&b->out_lock);
}

void hv_session_go_interactive(void)
{
	struct hv_guest *guest = focus_guest(focus);

	lock_pair(guest, NULL);
	if (!interactive) {
		interactive = true;
		if (guest)
			show_partial_line(guest);
	}
	unlock_pair(guest, NULL);
}

static void set_focus(u64 to)
{
	struct hv_guest *from_guest = focus_guest(focus);
	struct hv_guest *to_guest = focus_guest(to);

	lock_pair(from_guest, to_guest);
	/*
	 * The old focus's unfinished line goes back to where it came from: a guest's into its line buffer (to
	 * be printed prefixed when it ends, or drawn again when the guest gets the focus back), the terminal's
	 * to the terminal (which draws it on entry). Only a line too long to keep stays on the screen, ended.
	 */
	if (partial && (focus == HV_FOCUS_TERMINAL || (from_guest && !replay_lost))) {
		if (from_guest) {
			memcpy(from_guest->line, replay, replay_len);
			from_guest->line_len = replay_len;
		}
		hv_console_write_locked("\r\033[K", 4);
	} else if (partial) {
		hv_console_write_locked("\n", 1);
	}
	partial = false;
	replay_reset();
	WRITE_ONCE(focus, to);
	if (interactive && to_guest)
		show_partial_line(to_guest);
	unlock_pair(from_guest, to_guest);
}

bool hv_session_focus_guest(struct hv_guest *guest)
{
	if (!guest->cfg->console)
		return false;
	if (focus != guest->index)
		set_focus(guest->index);
	hv_log("console: guest '%s' (%lu of %lu, %s); %s h for help", guest->cfg->name, guest->index + 1,
	       hv_config.guest_count, hv_guest_state_name(hv_guest_state(guest)), hv_session_escape_name());
	return true;
}

bool hv_session_focus_terminal(void)
{
	if (!hv_terminal())
		return false;
	if (focus != HV_FOCUS_TERMINAL)
		set_focus(HV_FOCUS_TERMINAL);
	hv_log("console: management terminal; %s n for the guests", hv_session_escape_name());
	hv_terminal()->enter();
	return true;
}

void hv_session_mute(bool mute)
{
	WRITE_ONCE(muted, mute);
}

bool hv_session_muted(void)
{
	return READ_ONCE(muted);
}

void hv_session_write_locked(const char *s, size_t n)
{
	hv_console_write_locked(s, n);
	/* Only the terminal's line is drawn again; anything else it prints is whole lines. */
	if (focus == HV_FOCUS_TERMINAL) {
		for (size_t i = 0; i < n; i++)
			partial = s[i] != '\n';
	}
}

void hv_session_hold(void)
{
	hv_console_lock();
}

void hv_session_release(void)
{
	hv_console_unlock();
}

void hv_session_write(const char *s, size_t n)
{
	if (!n)
		return;
	hv_console_lock();
	hv_session_write_locked(s, n);
	hv_console_unlock();
}

void hv_session_puts(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	hv_session_write(s, n);
}

void hv_session_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hv_session_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

const char *hv_session_escape_name(void)
{
	return escape_name;
}

u64 hv_session_muted_lines(void)
{
	return READ_ONCE(muted_lines);
}

/*
 * The machine is about to go off: end the focus's unfinished line and draw nothing again. The guests'
 * locks are not taken (a guest may hold one for good if this is a panic's way out): a byte of the focused
 * guest's raw output may still follow, which at this point harms nothing.
 */
void hv_session_end(void)
{
	hv_console_lock();
	if (partial)
		hv_console_write_locked("\n", 1);
	partial = false;
	replay_reset();
	WRITE_ONCE(focus, HV_FOCUS_NONE);
	hv_console_unlock();
}
