// SPDX-License-Identifier: Apache-2.0
/*
 * NS16550A-compatible UART as the hypervisor's console: polled transmit and receive. Registers are
 * 1 << reg-shift bytes apart and accessed reg-io-width bytes wide, as the board's node says.
 */
#include <hv/core.h>
#include <params/ns16550a-driver.h>

#define UART_THR	0	/* transmit holding (DLAB 0, written) */
#define UART_RBR	0	/* receive buffer (DLAB 0, read) */
#define UART_DLL	0	/* divisor latch low (DLAB 1) */
#define UART_IER	1
#define UART_DLM	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5

#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define FCR_ENABLE	0x01
#define MCR_DTR_RTS	0x03
#define LSR_DR		0x01	/* a received byte is waiting */
#define LSR_THRE	0x20

#define BAUD		115200

static const struct ns16550a_driver_params *params(const struct hv_console_config *cfg)
{
	return cfg->params;
}

/* reg-io-width is 1, 2 or 4 (the binding refuses other widths); the register's value is its low 8 bits. */
static u32 reg_read(const struct hv_console_config *cfg, u64 reg)
{
	const struct ns16550a_driver_params *p = params(cfg);
	uintptr_t addr = (uintptr_t)(cfg->base + (reg << (p ? p->reg_shift : 0)));

	switch (p ? p->reg_io_width : 1) {
	case 4:
		return *(volatile u32 *)addr;
	case 2:
		return *(volatile u16 *)addr;
	default:
		return *(volatile u8 *)addr;
	}
}

static void reg_write(const struct hv_console_config *cfg, u64 reg, u32 v)
{
	const struct ns16550a_driver_params *p = params(cfg);
	uintptr_t addr = (uintptr_t)(cfg->base + (reg << (p ? p->reg_shift : 0)));

	switch (p ? p->reg_io_width : 1) {
	case 4:
		*(volatile u32 *)addr = v;
		break;
	case 2:
		*(volatile u16 *)addr = (u16)v;
		break;
	default:
		*(volatile u8 *)addr = (u8)v;
	}
}

/*
 * Reprogram the line only when the board gives an input clock 115200 baud can be divided from (a divisor of
 * 1 to 0xffff); otherwise keep what firmware set up rather than program a divisor of 0.
 */
static void ns16550a_init(const struct hv_console_config *cfg)
{
	const struct ns16550a_driver_params *p = params(cfg);
	u64 clock_hz = p ? p->clock_hz : 0;
	u64 div = (clock_hz + 8 * BAUD) / (16 * BAUD);

	reg_write(cfg, UART_IER, 0);
	if (div >= 1 && div <= 0xffff) {
		while (!(reg_read(cfg, UART_LSR) & LSR_THRE))
			;
		reg_write(cfg, UART_LCR, LCR_DLAB);
		reg_write(cfg, UART_DLL, (u32)(div & 0xff));
		reg_write(cfg, UART_DLM, (u32)((div >> 8) & 0xff));
		reg_write(cfg, UART_LCR, LCR_8N1);
		reg_write(cfg, UART_FCR, FCR_ENABLE);
		reg_write(cfg, UART_MCR, MCR_DTR_RTS);
	}
}

static void ns16550a_putc(const struct hv_console_config *cfg, char c)
{
	while (!(reg_read(cfg, UART_LSR) & LSR_THRE))
		;
	reg_write(cfg, UART_THR, (u8)c);
}

/* The line status errors (overrun, parity, framing, break) are cleared by the LSR read itself. */
static int ns16550a_getc(const struct hv_console_config *cfg)
{
	if (!(reg_read(cfg, UART_LSR) & LSR_DR))
		return -1;
	return (int)(reg_read(cfg, UART_RBR) & 0xff);
}

const struct hv_console_ops ns16550a_console_ops = {
	.name = "ns16550a",
	.init = ns16550a_init,
	.putc = ns16550a_putc,
	.getc = ns16550a_getc,
};
