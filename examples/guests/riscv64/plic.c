// SPDX-License-Identifier: Apache-2.0
/*
 * plic: interrupts of a riscv64 guest under hvcc. Its NS16550A's "THR empty" interrupt (source 10) through
 * the virtual PLIC: claim, complete, the threshold and priority 0 masking it, the pending bits; then its
 * timer through Sstc's stimecmp (the H extension's vstimecmp), and a software interrupt it sends itself
 * through SBI IPI. Each check prints "ok" or "ERROR".
 */
#include "../guest.h"
#include "sbi.h"

#define PLIC_BASE	0x0c000000UL
#define PLIC_PRIORITY(n)	(PLIC_BASE + 4 * (n))
#define PLIC_PENDING	(PLIC_BASE + 0x1000)
#define PLIC_ENABLE(c)	(PLIC_BASE + 0x2000 + 0x80 * (c))
#define PLIC_THRESHOLD(c)	(PLIC_BASE + 0x200000 + 0x1000 * (c))
#define PLIC_CLAIM(c)	(PLIC_THRESHOLD(c) + 4)
#define UART_IRQ	10

#define UART_IER	(UART_BASE + 1)
#define IER_ETBEI	0x02

#define SIE_SSIE	(1UL << 1)
#define SIE_STIE	(1UL << 5)
#define SIE_SEIE	(1UL << 9)
#define SSTATUS_SIE	(1UL << 1)
#define CAUSE_IRQ	(1UL << 63)
#define CSR_STIMECMP	0x14d

static volatile int externals, timers, softs;
static volatile uint32_t claimed;
static int failures;

static inline void w32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t r32(uint64_t a) { return *(volatile uint32_t *)a; }

static void check(const char *what, int ok)
{
	puts("plic: ");
	puts(what);
	puts(ok ? " ok\n" : " ERROR\n");
	if (!ok)
		failures++;
}

/* stvec needs a 4-byte aligned handler; compressed code aligns functions to 2. */
__attribute__((interrupt("supervisor"), aligned(4))) static void trap(void)
{
	uint64_t cause;

	asm volatile("csrr %0, scause" : "=r"(cause));
	if (cause == (CAUSE_IRQ | 9)) {
		claimed = r32(PLIC_CLAIM(0));
		/* Quiet the device before completing, or the level makes it pending again. */
		*(volatile uint8_t *)UART_IER = 0;
		w32(PLIC_CLAIM(0), claimed);
		externals++;
	} else if (cause == (CAUSE_IRQ | 5)) {
		asm volatile("csrw 0x14d, %0" : : "r"(~0UL));
		timers++;
	} else if (cause == (CAUSE_IRQ | 1)) {
		asm volatile("csrc sip, %0" : : "r"(SIE_SSIE));
		softs++;
	} else {
		for (;;)
			asm volatile("wfi");
	}
}

/* Waits up to `ms` for *counter to reach `n`. Polling, not WFI: when the interrupt is masked, as some checks want, nothing would end a WFI. */
static int wait_for(volatile int *counter, int n, uint64_t ms)
{
	uint64_t deadline = counter_read() + counter_freq() / 1000 * ms;

	while (*counter < n && counter_read() < deadline)
		;
	return *counter >= n;
}

int main(void)
{
	uint64_t now;

	print_cpu("plic");
	asm volatile("csrw stvec, %0" : : "r"(trap));
	asm volatile("csrs sie, %0" : : "r"(SIE_SSIE | SIE_STIE | SIE_SEIE));
	asm volatile("csrs sstatus, %0" : : "r"(SSTATUS_SIE));

	w32(PLIC_PRIORITY(UART_IRQ), 1);
	check("priority reads back", r32(PLIC_PRIORITY(UART_IRQ)) == 1);
	w32(PLIC_ENABLE(0), 1U << UART_IRQ);
	w32(PLIC_THRESHOLD(0), 0);
	check("enable bits read back", r32(PLIC_ENABLE(0)) == 1U << UART_IRQ);

	*(volatile uint8_t *)UART_IER = IER_ETBEI;
	check("UART interrupt taken through the PLIC", wait_for(&externals, 1, 100) && claimed == UART_IRQ);
	/*
	 * Once more with interrupts masked, sleeping in WFI: a pending enabled interrupt ends a WFI whatever
	 * sstatus.SIE says (the vCPU's WFI does not trap here), and is taken once SIE is set again.
	 */
	asm volatile("csrc sstatus, %0" : : "r"(SSTATUS_SIE));
	*(volatile uint8_t *)UART_IER = IER_ETBEI;
	asm volatile("wfi");
	asm volatile("csrs sstatus, %0" : : "r"(SSTATUS_SIE));
	check("WFI ended by the UART interrupt", wait_for(&externals, 2, 100));
	check("claim with nothing pending is 0", r32(PLIC_CLAIM(0)) == 0);

	w32(PLIC_THRESHOLD(0), 1);
	*(volatile uint8_t *)UART_IER = IER_ETBEI;
	check("threshold 1 masks a priority 1 source", !wait_for(&externals, 3, 20));
	check("the masked source is pending", r32(PLIC_PENDING) & (1U << UART_IRQ));
	w32(PLIC_THRESHOLD(0), 0);
	check("threshold 0 lets it through", wait_for(&externals, 3, 100) && claimed == UART_IRQ);

	w32(PLIC_PRIORITY(UART_IRQ), 0);
	*(volatile uint8_t *)UART_IER = IER_ETBEI;
	check("priority 0 never interrupts", !wait_for(&externals, 4, 20));
	*(volatile uint8_t *)UART_IER = 0;

	now = counter_read();
	asm volatile("csrw 0x14d, %0" : : "r"(now + counter_freq() / 100));
	check("stimecmp timer interrupt after 10 ms", wait_for(&timers, 1, 200) && counter_read() - now >= counter_freq() / 100);

	sbi_call(SBI_EXT_IPI, 0, 1, boot_hartid, 0);
	check("software interrupt from SBI IPI to itself", wait_for(&softs, 1, 100));

	puts(failures ? "plic: some checks FAILED\n" : "plic: all checks passed\n");
	return 0;
}

void secondary_main(void)
{
}
