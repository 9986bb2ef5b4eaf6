// SPDX-License-Identifier: Apache-2.0
/*
 * The host console: the hypervisor's own lines ("[hv] ...") and every guest's output, one whole line at a
 * time under one lock, so lines from different CPUs never interleave mid-line.
 */
#include <stdarg.h>
#include "internal.h"

static hv_spinlock_t console_lock;
u64 hv_panicking;

void hv_spin_lock(hv_spinlock_t *lock)
{
	u64 me = arch_cpu_id() + 1;

	for (;;) {
		u64 free = 0;

		if (__atomic_compare_exchange_n(&lock->owner, &free, me, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		while (READ_ONCE(lock->owner))
			;
	}
}

void hv_spin_unlock(hv_spinlock_t *lock)
{
	store_release(&lock->owner, 0);
}

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

int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
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

void hv_log(const char *fmt, ...)
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
void hv_panic(const char *fmt, ...)
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

/* Called with the guest's lock held. */
static void guest_flush_line(struct hv_guest *guest)
{
	hv_spin_lock(&console_lock);
	if (hv_session_line_begin(guest)) {
		console_write("[", 1);
		console_puts(guest->cfg->name);
		console_write("] ", 2);
		console_write(guest->line, guest->line_len);
		console_write("\n", 1);
		hv_session_line_end();
	}
	hv_spin_unlock(&console_lock);
	guest->line_len = 0;
}

void hv_guest_console_putc(struct hv_guest *guest, char c)
{
	hv_spin_lock(&guest->lock);
	if (hv_session_putc(guest, c)) {
		/* The guest has the focus: the byte went to the screen as it is. */
	} else if (c == '\n') {
		guest_flush_line(guest);
	} else if (c != '\r') {
		/* A line longer than the buffer is printed in pieces, each with the prefix. */
		if (guest->line_len == sizeof(guest->line))
			guest_flush_line(guest);
		guest->line[guest->line_len++] = c;
	}
	hv_spin_unlock(&guest->lock);
}

void hv_vcpu_console_putc(struct hv_vcpu *vcpu, char c)
{
	hv_guest_console_putc(vcpu->guest, c);
}

/* A stopping guest's last, unterminated line is still worth seeing. Called with the guest's lock held. */
void hv_guest_console_flush(struct hv_guest *guest)
{
	if (guest->line_len)
		guest_flush_line(guest);
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
