// SPDX-License-Identifier: Apache-2.0
/* Reads back the scratch mailbox test device (test/fixtures/components/scratch-mailbox) at IPA 0x0a000000. */
#include "guest.h"

#define MAILBOX 0x0a000000UL

static uint32_t rd32(uint64_t off)
{
	return *(volatile uint32_t *)(MAILBOX + off);
}

/* A plain LDRB: a load with writeback has no syndrome the hypervisor could emulate it from. */
static uint8_t rd8(uint64_t off)
{
	uint32_t v;

	asm volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(MAILBOX + off) : "memory");
	return (uint8_t)v;
}

static void text(uint64_t base, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		putc((char)rd8(base + i));
}

int main(void)
{
	puts("mailbox: id ");
	put_hex(rd32(0x00));
	puts(", reads ");
	put_dec(rd32(0x04));
	put_dec(rd32(0x04));
	put_dec(rd32(0x04));
	*(volatile uint32_t *)(MAILBOX + 0x08) = 0x5eed;
	puts(", scratch ");
	put_hex(rd32(0x08));
	puts(", resets ");
	put_dec(rd32(0x0c));
	puts("\nmailbox: label '");
	text(0x100, rd32(0x10));
	puts("', blob '");
	text(0x800, rd32(0x14));
	puts("'\n");
	psci_system_off();
}

/* Only vCPU 0 runs. */
void secondary_main(void)
{
	for (;;)
		asm volatile("wfi");
}
