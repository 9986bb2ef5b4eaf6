// SPDX-License-Identifier: Apache-2.0
/*
 * sbi: the hypervisor's SBI as a guest sees it, with two vCPUs. Base (versions, probes), an unknown and a
 * legacy extension (SBI_ERR_NOT_SUPPORTED), HSM (start, status, stop, bad harts), IPI (the second hart
 * interrupts the first), TIME (a timer interrupt 10 ms on), RFENCE, DBCN (a buffer write; every other line
 * is written a byte at a time through DBCN too), then SRST shutdown. Each check prints "ok" or "ERROR".
 */
#include "../guest.h"
#include "sbi.h"

#define SIE_SSIE	(1UL << 1)
#define SIE_STIE	(1UL << 5)
#define SSTATUS_SIE	(1UL << 1)
#define CAUSE_IRQ	(1UL << 63)

static uint8_t secondary_stack[4096] __attribute__((aligned(16)));
static volatile int ipis, timers, secondary_ran;
static volatile uint64_t secondary_hart, secondary_opaque;
static int failures;

static void check(const char *what, int ok)
{
	puts("sbi: ");
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
	if (cause == (CAUSE_IRQ | 1)) {
		asm volatile("csrc sip, %0" : : "r"(SIE_SSIE));
		ipis++;
	} else if (cause == (CAUSE_IRQ | 5)) {
		sbi_call(SBI_EXT_TIME, 0, ~0UL, 0, 0);
		timers++;
	} else {
		puts("sbi: ERROR unexpected trap ");
		put_hex(cause);
		puts("\n");
		for (;;)
			asm volatile("wfi");
	}
}

void secondary_main(void)
{
	secondary_ran = 1;
	/* Interrupt hart 0 (the mask is relative to hart_mask_base 0). */
	sbi_call(SBI_EXT_IPI, 0, 1, 0, 0);
	sbi_call(SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0);
	puts("sbi: ERROR hart_stop returned\n");
}

/* The secondary's entry: a0 = its hart ID, a1 = the opaque value (its stack top). */
__attribute__((naked)) static void secondary_entry(void)
{
	asm volatile("la t0, secondary_hart\n sd a0, 0(t0)\n la t0, secondary_opaque\n sd a1, 0(t0)\n"
		     "j secondary_start");
}

static uint64_t hart_status(uint64_t hart)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_STATUS, hart, 0, 0);

	return r.error ? 100 + (uint64_t)-r.error : (uint64_t)r.value;
}

int main(void)
{
	static const char msg[] = "sbi: a line written with one DBCN console_write\n";
	struct sbiret r;
	uint64_t deadline;
	static const uint64_t exts[] = { SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM,
					 SBI_EXT_SRST, SBI_EXT_DBCN };
	int probes = 1;

	print_cpu("sbi");
	r = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0);
	check("spec version 2.0", r.error == 0 && r.value == (2 << 24));
	for (unsigned int i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, exts[i], 0, 0).value != 1)
			probes = 0;
	check("probe of base, TIME, IPI, RFENCE, HSM, SRST, DBCN", probes);
	check("probe of an unknown extension", sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, 0x12345678, 0, 0).value == 0);
	check("unknown extension not supported", sbi_call(0x12345678, 0, 0, 0, 0).error == SBI_ERR_NOT_SUPPORTED);
	check("legacy console_putchar not supported", sbi_call(0x01, 0, 'x', 0, 0).error == SBI_ERR_NOT_SUPPORTED);

	r = sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, sizeof(msg) - 1, (uint64_t)(uintptr_t)msg, 0);
	check("DBCN console_write", r.error == 0 && r.value == sizeof(msg) - 1);

	asm volatile("csrw stvec, %0" : : "r"(trap));
	asm volatile("csrs sie, %0" : : "r"(SIE_SSIE | SIE_STIE));
	asm volatile("csrs sstatus, %0" : : "r"(SSTATUS_SIE));

	check("HSM hart 1 stopped at first", hart_status(1) == 1);
	check("HSM status of a hart the guest lacks", hart_status(7) == 100 + 3);
	check("HSM start of a hart the guest lacks", sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, 7, 0, 0).error == SBI_ERR_INVALID_PARAM);
	check("HSM start of a running hart", sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, 0, 0x80000000, 0).error == -6);
	r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, 1, (uint64_t)(uintptr_t)secondary_entry,
		     (uint64_t)(uintptr_t)(secondary_stack + sizeof(secondary_stack)));
	check("HSM hart_start of hart 1", r.error == 0);
	/* Generous: on a loaded host QEMU may not run hart 1's thread for a while; the loop ends when it is done. */
	deadline = counter_read() + 10 * counter_freq();
	while ((!ipis || hart_status(1) != 1) && counter_read() < deadline)
		asm volatile("wfi");
	check("hart 1 ran with a0 = 1 and its opaque value", secondary_ran && secondary_hart == 1 &&
	      secondary_opaque == (uint64_t)(uintptr_t)(secondary_stack + sizeof(secondary_stack)));
	check("IPI from hart 1 arrived", ipis == 1);
	check("HSM hart 1 stopped itself", hart_status(1) == 1);

	check("RFENCE remote fence.i on every hart", sbi_call(SBI_EXT_RFENCE, 0, 0, ~0UL, 0).error == 0);
	check("RFENCE remote sfence.vma on harts 0-1", sbi_call(SBI_EXT_RFENCE, 1, 3, 0, 0).error == 0);
	check("RFENCE naming a hart the guest lacks", sbi_call(SBI_EXT_RFENCE, 1, 1UL << 5, 0, 0).error == SBI_ERR_INVALID_PARAM);

	sbi_call(SBI_EXT_TIME, 0, counter_read() + counter_freq() / 100, 0, 0);
	deadline = counter_read() + 10 * counter_freq();
	while (!timers && counter_read() < deadline)
		asm volatile("wfi");
	check("TIME set_timer interrupt after 10 ms", timers == 1);

	puts(failures ? "sbi: some checks FAILED\n" : "sbi: all checks passed\n");
	return 0;
}
