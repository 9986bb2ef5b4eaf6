// SPDX-License-Identifier: Apache-2.0
/*
 * echo: reads its PL011's receive side and echoes what it is typed, a terminal's way (each byte at once,
 * Enter as a new line, backspace erases), then repeats each whole line: "echo: you typed 'LINE'". It
 * polls the FIFO (FR.RXFE), so it needs no interrupt controller. Ctrl-D powers it off.
 */
#include "guest.h"

#define UARTDR		0x000
#define UARTFR		0x018
#define FR_RXFE		(1U << 4)

#define LINE_MAX	80

static int getc(void)
{
	volatile uint32_t *uart = (volatile uint32_t *)UART_BASE;

	while (uart[UARTFR / 4] & FR_RXFE)
		;
	return (int)(uart[UARTDR / 4] & 0xff);
}

int main(void)
{
	char line[LINE_MAX + 1];
	unsigned int len = 0;

	puts("Hello from echo! Type a line (Ctrl-D powers me off).\n");
	puts("echo> ");
	for (;;) {
		int c = getc();

		if (c == 0x04) {
			puts("\necho: goodbye\n");
			return 0;
		}
		if (c == '\r' || c == '\n') {
			line[len] = '\0';
			puts("\n");
			puts("echo: you typed '");
			puts(line);
			puts("'\n");
			puts("echo> ");
			len = 0;
			continue;
		}
		if (c == 0x7f || c == 0x08) {
			if (len) {
				len--;
				puts("\b \b");
			}
			continue;
		}
		if (c < 0x20 || c > 0x7e || len == LINE_MAX)
			continue;
		line[len++] = (char)c;
		putc((char)c);
	}
}

void secondary_main(void)
{
}
