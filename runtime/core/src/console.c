// SPDX-License-Identifier: Apache-2.0
/*
 * The host console: the hypervisor's own lines ("[hv] ...") and every guest's output, one whole line at a
 * time under one lock, so lines from different CPUs never interleave mid-line.
 */
#include <stdarg.h>
#include "internal.h"

static hv_spinlock_t console_lock;
u64 hv_panicking;

static void console_write(const char *s, size_t n)
{
	const struct hv_console_config *con = &hv_config.console;

	while (n--)
		con->ops->putc(con, *s++);
}

static void console_puts(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	console_write(s, n);
}

/* --- a small vsnprintf: %c %s %d %i %u %x %p %%, flags '0' and '-', a width, and the l/ll/z modifiers --- */

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_number(struct out *o, u64 v, unsigned int base, bool negative, unsigned int width, char pad,
		       bool left)
{
	char digits[24];
	unsigned int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative)
		digits[n++] = '-';
	if (!left)
		for (unsigned int i = n; i < width; i++)
			out_char(o, pad);
	while (n)
		out_char(o, digits[--n]);
}

__cold_path int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		unsigned int width = 0, longs = 0;
		char pad = ' ';
		bool left = false;
		size_t start = o.len;

		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '0')
				pad = '0';
			else if (*fmt == '-')
				left = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned int)(*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			longs++;
			fmt++;
		}

		switch (*fmt) {
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			size_t n = 0;
			while (s[n])
				n++;
			if (!left)
				for (size_t i = n; i < width; i++)
					out_char(&o, ' ');
			while (*s)
				out_char(&o, *s++);
			break;
		}
		case 'd':
		case 'i': {
			s64 v = longs ? va_arg(ap, s64) : va_arg(ap, int);

			out_number(&o, v < 0 ? -(u64)v : (u64)v, 10, v < 0, width, pad, left);
			break;
		}
		case 'u':
			out_number(&o, longs ? va_arg(ap, u64) : va_arg(ap, unsigned int), 10, false, width, pad, left);
			break;
		case 'x':
			out_number(&o, longs ? va_arg(ap, u64) : va_arg(ap, unsigned int), 16, false, width, pad, left);
			break;
		case 'p':
			out_char(&o, '0');
			out_char(&o, 'x');
			out_number(&o, (uintptr_t)va_arg(ap, void *), 16, false, 16, '0', false);
			break;
		case '%':
			out_char(&o, '%');
			break;
		default:
			/* Unknown conversion: print it as written so the mistake is visible. */
			out_char(&o, '%');
			if (*fmt)
				out_char(&o, *fmt);
			else
				fmt--;
			break;
		}
		if (left)
			while (o.len - start < width)
				out_char(&o, ' ');
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int hv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

#define LOG_LINE_MAX	256

__cold_path void hv_log(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);

	hv_spin_lock(&console_lock);
	hv_session_line_begin(NULL);
	console_puts("[hv] ");
	console_puts(line);
	console_write("\n", 1);
	hv_session_line_end();
	hv_spin_unlock(&console_lock);
}

/*
 * A hypervisor-level failure. The "[hv] PANIC:" marker is what the hvcc CLI looks for (it then stops QEMU
 * and fails). Every CPU stops: the other CPUs' guests are blocked (see hv_stop_all_guests()), so their
 * vCPUs trap into EL2 and halt there. The machine is deliberately not powered off: QEMU exiting 0 would
 * look like success to anything that does not read the console.
 */
__cold_path void hv_panic(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	u64 me = arch_cpu_id() + 1;
	va_list ap;

	if (__atomic_exchange_n(&hv_panicking, 1, __ATOMIC_ACQ_REL)) {
		/* Another CPU (or this one, recursively) is already panicking: let it finish. */
		arch_halt();
	}

	va_start(ap, fmt);
	hv_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);

	/*
	 * The lock may be held by this very CPU (a fault inside console code) or by a CPU that will never
	 * release it; wait a bounded time, then print anyway.
	 */
	bool mid_line = true;

	if (READ_ONCE(console_lock.owner) != me) {
		for (u64 spins = 0; spins < 100000000; spins++) {
			u64 free = 0;

			if (__atomic_compare_exchange_n(&console_lock.owner, &free, me, false,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
				mid_line = false;
				break;
			}
		}
	}
	/* Interrupting a line: end it, so the marker starts a line of its own. */
	if (mid_line)
		console_write("\n", 1);
	else
		hv_session_line_begin(NULL);	/* the focus's unfinished line, if any, is erased */
	console_puts("[hv] PANIC: ");
	console_puts(line);
	console_write("\n", 1);
	hv_stop_all_guests();
	arch_halt();
}

/* --- guest output --- */

/*
 * A guest's output is the only text on the console a guest controls, so it must never pass for anything
 * else: the hypervisor's own lines (the "[hv] " at the start of a line is what the hvcc CLI and the tests
 * read the machine's status from) or another guest's. Every guest line therefore starts with its owner's
 * "[name] ", a name the compiler vets (never "hv"), and nothing the guest sends may move the terminal's
 * cursor, erase or rewrite text, or end the line early. What the guest sent is shown, not interpreted:
 *
 *   - printable ASCII, tab and well-formed UTF-8 as they are;
 *   - other ASCII control characters (C0, DEL) in caret notation, as cat -v does: CR is ^M, ESC ^[,
 *     NUL ^@; only the CR of a CR LF line end is dropped;
 *   - bytes that are not well-formed UTF-8 (a stray continuation byte, an overlong form, a surrogate,
 *     a raw 0x9b that an 8-bit terminal takes for CSI) as \xNN;
 *   - well-formed characters that are controls or change the direction or the lines of the text around
 *     them (C1 controls, bidirectional embeddings, overrides, isolates and marks, the line and paragraph
 *     separators) as \uNNNN.
 *
 * A line longer than the buffer is printed in pieces, each with the prefix, cut between characters.
 */

/* The length of the well-formed UTF-8 sequence at s (Unicode table 3-7), 0 if there is none; its code point. */
static size_t utf8_decode(const u8 *s, size_t n, u32 *cp)
{
	u8 lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		*cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		*cp = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		*cp = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* beyond U+10FFFF */
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

/* Characters that a terminal or a viewer acts on rather than shows. */
static bool unicode_control(u32 cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * How many bytes at the end of s begin a UTF-8 sequence that is not complete yet: a piece of an overlong
 * line is cut before them, so a character is never split between two prefixed pieces.
 */
static size_t utf8_unfinished(const u8 *s, size_t n)
{
	for (size_t back = 1; back <= 3 && back <= n; back++) {
		u8 c = s[n - back];

		if ((c & 0xc0) != 0x80) {
			size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

			return need > back ? back : 0;
		}
	}
	return 0;
}

static void console_write_hex(const char *lead, u32 v, unsigned int digits)
{
	console_puts(lead);
	while (digits--)
		console_write(&"0123456789abcdef"[(v >> (digits * 4)) & 0xf], 1);
}

/* A guest's bytes, made harmless as described above. Called with the console lock held. */
static void console_write_visible(const u8 *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = i;
		u32 cp;

		/* Plain text goes out in one run. */
		while (run < n && ((s[run] >= 0x20 && s[run] < 0x7f) || s[run] == '\t'))
			run++;
		console_write((const char *)s + i, run - i);
		i = run;
		if (i == n)
			break;

		if (s[i] < 0x20 || s[i] == 0x7f) {
			char caret[2] = { '^', (char)(s[i] ^ 0x40) };

			console_write(caret, 2);
			i++;
			continue;
		}
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (!len) {
			console_write_hex("\\x", s[i], 2);
			i++;
		} else if (unicode_control(cp)) {
			console_write_hex("\\u", cp, 4);
			i += len;
		} else {
			console_write((const char *)s + i, len);
			i += len;
		}
	}
}

/* Prints the first `len` bytes of the guest's line and keeps the rest. Called with its output lock held. */
static void guest_flush_line(struct hv_guest *guest, size_t len)
{
	hv_spin_lock(&console_lock);
	if (hv_session_line_begin(guest)) {
		console_write("[", 1);
		console_puts(guest->cfg->name);
		console_write("] ", 2);
		console_write_visible((const u8 *)guest->line, len);
		console_write("\n", 1);
		hv_session_line_end();
	}
	hv_spin_unlock(&console_lock);
	guest->line_len -= len;
	memmove(guest->line, guest->line + len, guest->line_len);
}

static void guest_console_putc_locked(struct hv_guest *guest, char c)
{
	if (hv_session_putc(guest, c)) {
		/* The guest has the focus: the byte went to the screen as it is (docs/console.md). */
	} else if (c == '\n') {
		size_t len = guest->line_len;

		/* A CR LF line end is just a line end; a CR anywhere else is shown. */
		while (len && guest->line[len - 1] == '\r')
			len--;
		guest_flush_line(guest, len);
		guest->line_len = 0;
	} else {
		if (guest->line_len == sizeof(guest->line))
			guest_flush_line(guest, guest->line_len -
						utf8_unfinished((const u8 *)guest->line, guest->line_len));
		guest->line[guest->line_len++] = c;
	}
}

void hv_guest_console_putc(struct hv_guest *guest, char c)
{
	hv_spin_lock(&guest->out_lock);
	guest_console_putc_locked(guest, c);
	hv_spin_unlock(&guest->out_lock);
}

void hv_vcpu_console_putc(struct hv_vcpu *vcpu, char c)
{
	hv_guest_console_putc(vcpu->guest, c);
}

void hv_vcpu_console_putc_locked(struct hv_vcpu *vcpu, char c)
{
	guest_console_putc_locked(vcpu->guest, c);
}

hv_spinlock_t *hv_device_output_lock(const struct hv_device *dev)
{
	return &hv_device_guest(dev)->out_lock;
}

/* A stopping guest's last, unterminated line is still worth seeing. */
void hv_guest_console_flush(struct hv_guest *guest)
{
	hv_spin_lock(&guest->out_lock);
	if (guest->line_len)
		guest_flush_line(guest, guest->line_len);
	hv_spin_unlock(&guest->out_lock);
}

void hv_console_init(void)
{
	const struct hv_console_config *con = &hv_config.console;

	if (con->ops->init)
		con->ops->init(con);
}

bool hv_guest_console_input(struct hv_guest *guest, u8 byte)
{
	const struct hv_device *dev = guest->cfg->console;

	if (!dev || !dev->ops->input)
		return false;
	return dev->ops->input(dev, byte);
}

/* For the console session (session.c), which draws the focus's unfinished line around other lines. */
void hv_console_lock(void)
{
	hv_spin_lock(&console_lock);
}

void hv_console_unlock(void)
{
	hv_spin_unlock(&console_lock);
}

void hv_console_write_locked(const char *s, size_t n)
{
	console_write(s, n);
}
