// SPDX-License-Identifier: Apache-2.0
/*
 * irq: a two-vCPU guest exercising hvcc's virtual GICv3 without taking exceptions: interrupts stay masked
 * (PSTATE.I) and each vCPU waits with WFI, which a pending virtual interrupt ends, then acknowledges with
 * ICC_IAR1_EL1. Checked, in order:
 *
 *   1. the virtual timer's PPI 27 on vCPU 0;
 *   2. the PL011's level-sensitive SPI 33 (TX interrupt) on vCPU 0, and that it comes back after an EOI
 *      while the line is still high;
 *   3. an SGI vCPU 0 sends itself;
 *   4. an SGI vCPU 0 sends vCPU 1, and the PL011's SPI routed (GICD_IROUTER) to vCPU 1 while vCPU 1 sleeps
 *      in WFI on another CPU.
 *
 * Every result is printed; any mismatch prints "ERROR". GIC at 0x08000000 (distributor) and 0x080a0000
 * (redistributors, 128 KiB per vCPU).
 */
#include "guest.h"

#define GICD		0x08000000UL
#define GICR(cpu)	(0x080a0000UL + (cpu) * 0x20000UL)
#define GICR_SGI(cpu)	(GICR(cpu) + 0x10000UL)

#define GICD_CTLR	0x0000
#define GICD_ISENABLER	0x0100
#define GICD_IROUTER	0x6000
#define GICR_WAKER	0x0014
#define GICR_ISENABLER0	0x0100
#define GICR_IPRIORITYR	0x0400

#define UARTIMSC	0x038
#define UARTICR		0x044
#define UART_TX		(1U << 5)

#define INTID_SPURIOUS	1023

extern char secondary_start[];

static uint8_t stack1[4096] __attribute__((aligned(16)));
static volatile uint64_t cpu1_state;	/* 1: ready, 2: got its SGI, 3: got the SPI */

static inline void w32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint32_t r32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void w64(uint64_t addr, uint64_t v)
{
	*(volatile uint64_t *)addr = v;
}

#define msr(reg, v)	asm volatile("msr " #reg ", %0; isb" : : "r"((uint64_t)(v)) : "memory")
#define mrs(reg)	({ uint64_t __v; asm volatile("mrs %0, " #reg : "=r"(__v) : : "memory"); __v; })

static void check(const char *what, uint64_t got, uint64_t want)
{
	puts("irq: ");
	puts(what);
	puts(" = ");
	put_dec(got);
	puts(got == want ? " ok\n" : " ERROR: unexpected\n");
}

/* This vCPU's redistributor awake and its CPU interface open for group 1. */
static void cpu_interface_init(unsigned int cpu)
{
	w32(GICR(cpu) + GICR_WAKER, r32(GICR(cpu) + GICR_WAKER) & ~2U);
	while (r32(GICR(cpu) + GICR_WAKER) & 4U)
		;
	msr(S3_0_C4_C6_0, 0xff);	/* ICC_PMR_EL1 */
	msr(S3_0_C12_C12_7, 1);		/* ICC_IGRPEN1_EL1 */
}

/* Waits (WFI, interrupts masked) for an interrupt and acknowledges it. */
static uint64_t wait_irq(void)
{
	for (;;) {
		uint64_t intid = mrs(S3_0_C12_C12_0) & 0xffffff;	/* ICC_IAR1_EL1 */

		if (intid != INTID_SPURIOUS)
			return intid;
		asm volatile("wfi" ::: "memory");
	}
}

static void eoi(uint64_t intid)
{
	msr(S3_0_C12_C12_1, intid);	/* ICC_EOIR1_EL1: priority drop and deactivation (EOImode 0) */
}

static void send_sgi(uint64_t intid, uint64_t target)
{
	msr(S3_0_C12_C11_5, intid << 24 | (1UL << target));	/* ICC_SGI1R_EL1 */
}

void secondary_main(void)
{
	cpu_interface_init(1);
	w32(GICR_SGI(1) + GICR_ISENABLER0, 1U << 3);
	cpu1_state = 1;
	if (wait_irq() == 3) {
		eoi(3);
		cpu1_state = 2;
	}
	if (wait_irq() == 33) {
		w32(UART_BASE + UARTICR, UART_TX);
		eoi(33);
		cpu1_state = 3;
	}
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
}

int main(void)
{
	uint64_t freq = mrs(cntfrq_el0);
	uint64_t got, again;

	puts("irq: virtual GICv3 test\n");
	w32(GICD + GICD_CTLR, (1U << 4) | (1U << 1));	/* ARE, EnableGrp1 */
	cpu_interface_init(0);

	/* 1. The virtual timer, 1 ms from now. */
	w32(GICR_SGI(0) + GICR_ISENABLER0, 1U << 27);
	msr(cntv_tval_el0, freq / 1000);
	msr(cntv_ctl_el0, 1);
	check("virtual timer interrupt", wait_irq(), 27);
	msr(cntv_ctl_el0, 0);
	eoi(27);

	/* 2. The PL011's TX interrupt: SPI 33, routed to vCPU 0, level-sensitive. */
	w64(GICD + GICD_IROUTER + 33 * 8, 0);
	w32(GICD + GICD_ISENABLER + 4, 1U << 1);
	putc('.');					/* TXRIS set: the FIFO drained at once */
	w32(UART_BASE + UARTIMSC, UART_TX);		/* unmasked: the line goes high */
	got = wait_irq();
	eoi(got);					/* the line is still high: it must come back */
	again = wait_irq();				/* (printing now would fill the FIFO and lower it) */
	w32(UART_BASE + UARTIMSC, 0);
	w32(UART_BASE + UARTICR, UART_TX);
	eoi(again);
	check("UART interrupt", got, 33);
	check("UART interrupt again while its line is high", again, 33);
	check("nothing pending after the line dropped", mrs(S3_0_C12_C12_0) & 0xffffff, INTID_SPURIOUS);

	/* 3. An SGI to itself. */
	w32(GICR_SGI(0) + GICR_ISENABLER0, 1U << 5);
	send_sgi(5, 0);
	check("SGI to self", wait_irq(), 5);
	eoi(5);

	/* 4. vCPU 1: an SGI, then the UART's SPI routed to it, while it sleeps in WFI. */
	check("CPU_ON vCPU 1", (uint64_t)psci_call(PSCI_CPU_ON, 1, (uint64_t)secondary_start, (uint64_t)(stack1 + sizeof(stack1))), 0);
	while (cpu1_state != 1)
		;
	send_sgi(3, 1);
	while (cpu1_state != 2)
		;
	check("SGI to vCPU 1", cpu1_state, 2);
	w64(GICD + GICD_IROUTER + 33 * 8, 1);
	putc('.');
	w32(UART_BASE + UARTIMSC, UART_TX);
	while (cpu1_state != 3)
		;
	w32(UART_BASE + UARTIMSC, 0);
	puts("\n");
	check("UART interrupt on vCPU 1", cpu1_state, 3);
	puts("irq: done\n");
	return 0;
}
