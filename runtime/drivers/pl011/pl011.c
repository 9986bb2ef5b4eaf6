// SPDX-License-Identifier: Apache-2.0
/*
 * ARM PL011 UART as the hypervisor's console: polled transmit only.
 */
#include <hv/core.h>
#include <params/pl011-driver.h>

#define UARTDR		0x000
#define UARTFR		0x018
#define UARTIBRD	0x024
#define UARTFBRD	0x028
#define UARTLCR_H	0x02c
#define UARTCR		0x030
#define UARTIMSC	0x038

#define FR_TXFF		(1U << 5)
#define FR_BUSY		(1U << 3)
#define LCR_H_FEN	(1U << 4)
#define LCR_H_WLEN_8	(3U << 5)
#define CR_UARTEN	(1U << 0)
#define CR_TXE		(1U << 8)
#define CR_RXE		(1U << 9)

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
 * Reprogram the line only when the board tells us the reference clock; otherwise keep what the firmware
 * set up (QEMU needs nothing).
 */
static void pl011_init(const struct hv_console_config *cfg)
{
	u64 base = cfg->base;
	u64 clock_hz = uart_clock_hz(cfg);

	if (clock_hz) {
		/* Divisor = clock / (16 * baud) in 16.6 fixed point, rounded. */
		u64 div64 = (clock_hz * 4 + BAUD / 2) / BAUD;

		while (reg_read(base, UARTFR) & FR_BUSY)
			;
		reg_write(base, UARTCR, 0);
		reg_write(base, UARTIBRD, (u32)(div64 >> 6));
		reg_write(base, UARTFBRD, (u32)(div64 & 0x3f));
		reg_write(base, UARTLCR_H, LCR_H_WLEN_8 | LCR_H_FEN);
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

const struct hv_console_ops pl011_console_ops = {
	.name = "pl011",
	.init = pl011_init,
	.putc = pl011_putc,
};
