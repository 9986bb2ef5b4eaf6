// SPDX-License-Identifier: Apache-2.0
/*
 * The riscv64 side of the example guests' library: the NS16550A console (or, built with -DCONSOLE_SBI,
 * the SBI debug console), SBI calls, and the time CSR.
 */
#include "../guest.h"
#include "sbi.h"

#define UART_THR	0
#define UART_LSR	5
#define LSR_THRE	0x20

/* QEMU virt's timebase-frequency: the guest's device tree has it too, but these guests do not parse it. */
#define TIMEBASE_HZ	10000000UL

struct sbiret sbi_call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
	register uint64_t r0 asm("a0") = a0;
	register uint64_t r1 asm("a1") = a1;
	register uint64_t r2 asm("a2") = a2;
	register uint64_t r6 asm("a6") = fid;
	register uint64_t r7 asm("a7") = ext;

	asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){ (int64_t)r0, (int64_t)r1 };
}

void uart_putc(char c)
{
#ifdef CONSOLE_SBI
	sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, (uint8_t)c, 0, 0);
#else
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;

	while (!(uart[UART_LSR] & LSR_THRE))
		;
	uart[UART_THR] = (uint8_t)c;
#endif
}

void print_cpu(const char *name)
{
	puts(name);
	puts(": running in S-mode as hart ");
	put_dec(boot_hartid);
	puts(", SBI spec ");
	put_hex((uint64_t)sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0).value);
	puts(", implementation ");
	put_hex((uint64_t)sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0).value);
	puts("\n");
}

void system_off(void)
{
	sbi_call(SBI_EXT_SRST, 0, 0, 0, 0);
	/* If this is reached, the hypervisor's SBI is broken: say so instead of hanging silently. */
	puts("ERROR: SBI system_reset returned\n");
	for (;;)
		asm volatile("wfi");
}

const char firmware_reset[] = "SBI system_reset";

void system_reset(void)
{
	sbi_call(SBI_EXT_SRST, 0, 1, 0, 0);	/* cold reboot */
}

uint64_t counter_read(void)
{
	uint64_t t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

uint64_t counter_freq(void)
{
	return TIMEBASE_HZ;
}
