// SPDX-License-Identifier: Apache-2.0
#include "guest.h"

#if defined(__riscv)
/* The UART, the SBI calls and the counter are in riscv64/arch.c; the formatting here is shared. */
void uart_putc(char c);

void putc(char c)
{
	uart_putc(c);
}
#else
#define UARTDR	0x000
#define UARTFR	0x018
#define FR_TXFF	(1U << 5)

void putc(char c)
{
	volatile uint32_t *uart = (volatile uint32_t *)UART_BASE;

	while (uart[UARTFR / 4] & FR_TXFF)
		;
	uart[UARTDR / 4] = (uint8_t)c;
}
#endif

void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

void put_hex(uint64_t v)
{
	puts("0x");
	for (int shift = 60; shift >= 0; shift -= 4)
		putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void put_dec(uint64_t v)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putc(buf[--n]);
}

#if !defined(__riscv)
int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 asm("x0") = fn;
	register uint64_t x1 asm("x1") = a1;
	register uint64_t x2 asm("x2") = a2;
	register uint64_t x3 asm("x3") = a3;

	asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

void psci_system_off(void)
{
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	/* If this is reached, the hypervisor's PSCI is broken: say so instead of hanging silently. */
	puts("ERROR: PSCI SYSTEM_OFF returned\n");
	for (;;)
		asm volatile("wfi");
}

void system_off(void)
{
	psci_system_off();
}

const char firmware_reset[] = "PSCI SYSTEM_RESET";

void system_reset(void)
{
	psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
}

void print_cpu(const char *name)
{
	uint64_t el, mpidr;

	asm volatile("mrs %0, CurrentEL" : "=r"(el));
	asm volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	puts(name);
	puts(": running at EL");
	put_dec(el >> 2);
	puts(", MPIDR ");
	put_hex(mpidr);
	puts(", PSCI version ");
	put_hex((uint64_t)psci_call(PSCI_VERSION, 0, 0, 0));
	puts("\n");
}

uint64_t counter_read(void)
{
	uint64_t v;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

uint64_t counter_freq(void)
{
	uint64_t v;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}
#endif
