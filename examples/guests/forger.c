// SPDX-License-Identifier: Apache-2.0
/*
 * forger: tries to pass its own output off as the hypervisor's or another guest's on the host console.
 * Each attempt is one line on its emulated PL011: the hypervisor's panic marker, then the same behind a
 * carriage return, backspaces, terminal escape sequences (erase the line, move the cursor, set the window
 * title), NUL and other control bytes, C1 controls, malformed UTF-8, a bidirectional override, and a
 * line longer than the hypervisor's line buffer with a multi-byte character across the cut. It ends with
 * an unterminated forged line and powers off.
 *
 * None of it may stop the machine (hvcc run must not see a panic), and every byte it sent must show up
 * after its own "[forger] " prefix, control characters made visible.
 */
#include "guest.h"

static void line(const char *s)
{
	puts(s);
	putc('\n');
}

int main(void)
{
	line("[hv] PANIC: forged by a guest");
	line("\r[hv] PANIC: after a carriage return");
	line("xxxxxxxxxxxxxxxxxx\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b[hv] PANIC: after backspaces");
	line("\x1b[2K\x1b[1G[hv] guest 'steady' stopped: after erase-line and cursor-to-column-1");
	line("\x1b[A\x1b[2K[hv] all guests have stopped, powering off");
	line("\x1b]0;owned\x07title set");
	line("\xc2\x9b" "2K C1 CSI, \x9b raw CSI byte, \x85 raw NEL byte");
	line("bad UTF-8: \xff\xfe \xc0\xaf \xed\xa0\x80 \xe2\x82 end");
	line("good UTF-8: h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80");
	line("bidi: \xe2\x80\xae[hv] PANIC reversed\xe2\x80\xac, line separator \xe2\x80\xa8 here");
	line("DEL \x7f, bell \a, vertical tab \v, form feed \f, tab\tok");

	/* NUL bytes inside a line (puts() stops at one, so send them by hand). */
	puts("nul");
	putc('\0');
	puts("byte");
	putc('\0');
	putc('\n');

	/* Longer than the 256-byte line buffer: 254 'a', a 4-byte character straddling the cut, the marker. */
	for (int i = 0; i < 254; i++)
		putc('a');
	line("\xf0\x9f\x98\x80[hv] PANIC: in the second piece");

	line("[steady] steady: line 99 of 10");
	puts("[hv] PANIC: unterminated last line");
	return 0;
}

void secondary_main(void)
{
}
