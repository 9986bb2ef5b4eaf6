// SPDX-License-Identifier: Apache-2.0
/*
 * ARM PL011 UART as the hypervisor's console: polled transmit; receive polled, or by the UART's receive and
 * receive-timeout interrupts when the core takes them (it does with a host interrupt controller driver).
 */
#include <hv/core.h>
#include <params/pl011-driver.h>

#define UARTDR		0x000
#define UARTRSR		0x004	/* UARTECR on write */
#define UARTFR		0x018
#define UARTIBRD	0x024
#define UARTFBRD	0x028
#define UARTLCR_H	0x02c
#define UARTCR		0x030
#define UARTIMSC	0x038

#define FR_RXFE		(1U << 4)
#define FR_TXFF		(1U << 5)
#define FR_BUSY		(1U << 3)
#define LCR_H_FEN	(1U << 4)
#define LCR_H_WLEN_8	(3U << 5)
#define CR_UARTEN	(1U << 0)
#define CR_TXE		(1U << 8)
#define CR_RXE		(1U << 9)
#define INT_RX		(1U << 4)
#define INT_RT		(1U << 6)
#define DR_ERRORS	(0xfU << 8)	/* overrun, break, parity, framing */

#define BAUD		115200

static inline u32 reg_read(u64 base, u64 off)
{
	return *(volatile u32 *)(uintptr_t)(base + off);
}

static inline void reg_write(u64 base, u64 off, u32 v)
{
	*(volatile u32 *)(uintptr_t)(base + off) = v;
}

/* The UART's reference clock, when the board names it (clock-frequency, or its clocks' provider), else 0. */
static u64 uart_clock_hz(const struct hv_console_config *cfg)
{
	const struct pl011_driver_params *params = cfg->params;

	return params ? params->clock_hz : 0;
}

/*
 * Reprogram the line only when the board tells us the reference clock and the line is not already as we
 * want it; otherwise keep what the firmware set up. Turning the FIFO on (LCR_H.FEN) empties it, so a key
 * that waits in it from before the hypervisor ran is lost then: `hvcc run` holds its input back until the
 * hypervisor's first line for that reason.
 */
static void pl011_init(const struct hv_console_config *cfg)
{
	u64 base = cfg->base;
	u64 clock_hz = uart_clock_hz(cfg);

	if (clock_hz) {
		/* Divisor = clock / (16 * baud) in 16.6 fixed point, rounded. */
		u64 div64 = (clock_hz * 4 + BAUD / 2) / BAUD;
		u32 ibrd = (u32)(div64 >> 6), fbrd = (u32)(div64 & 0x3f);
		u32 lcr_h = LCR_H_WLEN_8 | LCR_H_FEN;

		if (reg_read(base, UARTIBRD) != ibrd || reg_read(base, UARTFBRD) != fbrd ||
		    (reg_read(base, UARTLCR_H) & 0xff) != lcr_h) {
			while (reg_read(base, UARTFR) & FR_BUSY)
				;
			reg_write(base, UARTCR, 0);
			reg_write(base, UARTIBRD, ibrd);
			reg_write(base, UARTFBRD, fbrd);
			reg_write(base, UARTLCR_H, lcr_h);
		}
	}
	reg_write(base, UARTIMSC, 0);
	reg_write(base, UARTCR, CR_UARTEN | CR_TXE | CR_RXE);
}

static void pl011_putc(const struct hv_console_config *cfg, char c)
{
	while (reg_read(cfg->base, UARTFR) & FR_TXFF)
		;
	reg_write(cfg->base, UARTDR, (u8)c);
}

static int pl011_getc(const struct hv_console_config *cfg)
{
	u32 dr;

	if (reg_read(cfg->base, UARTFR) & FR_RXFE)
		return -1;
	dr = reg_read(cfg->base, UARTDR);
	/*
	 * A byte with an error is still the byte the line carried (an overrun only says earlier ones were
	 * lost); the sticky copy in RSR is cleared so it does not linger.
	 */
	if (dr & DR_ERRORS)
		reg_write(cfg->base, UARTRSR, 0);
	return (int)(dr & 0xff);
}

static bool pl011_rx_irq(const struct hv_console_config *cfg, struct hv_irq *irq)
{
	const struct pl011_driver_params *params = cfg->params;

	if (!params || params->irq == ~0UL)
		return false;
	irq->id = params->irq;
	irq->flags = params->irq_flags;
	return true;
}

/*
 * The receive interrupt is raised at the FIFO's trigger level and the receive timeout when fewer bytes
 * wait, so together they say "input waits" however much arrived. Both are level: the line stays up until
 * the FIFO is read empty, which is how the core drains it.
 */
static void pl011_rx_irq_enable(const struct hv_console_config *cfg, bool on)
{
	u32 imsc = reg_read(cfg->base, UARTIMSC) & ~(INT_RX | INT_RT);

	reg_write(cfg->base, UARTIMSC, on ? imsc | INT_RX | INT_RT : imsc);
}

const struct hv_console_ops pl011_console_ops = {
	.name = "pl011",
	.init = pl011_init,
	.putc = pl011_putc,
	.getc = pl011_getc,
	.rx_irq = pl011_rx_irq,
	.rx_irq_enable = pl011_rx_irq_enable,
};
