// SPDX-License-Identifier: Apache-2.0
/*
 * A guest's ARM PL011 UART (PrimeCell r1p5 register map), complete enough for bare-metal guests and for
 * Linux's amba-pl011 driver: transmitted bytes go to the core's per-guest line buffer at once; received
 * bytes come from hv_guest_console_input() into a real receive FIFO. The state is guarded by the guest's
 * output lock (hv_device_output_lock()) rather than a lock of its own: a data-register write, the exit a
 * guest makes most, then takes one lock for the register and the byte it prints.
 *
 * The transmit FIFO is modelled without time, so that a driver that waits for room (Linux's interrupt-driven
 * transmit path) really waits for the TX interrupt, deterministically:
 *
 *   - each byte written to DR fills it by one (16 deep, as the guest's driver believes for revision 1);
 *   - a read of FR that finds it full says so (TXFF), and the FIFO then empties: a polling writer sees it
 *     full once, then empty;
 *   - it also empties whenever the guest looks at the interrupt state (RIS, MIS) or changes the mask (IMSC),
 *     as if the transmitter had drained while the guest was busy elsewhere;
 *   - TXRIS is set while the fill is at or below the IFLS transmit level, and cleared by ICR or by filling
 *     above it.
 *
 * The receive FIFO is 16 deep with LCR_H.FEN set and one byte (the holding register) without, as on the
 * hardware. FR says RXFE/RXFF; a DR read pops. RXRIS is set when a byte arrives and the FIFO holds at least
 * the IFLS receive level (any byte without FIFO), and cleared by reading below it or by ICR. RTRIS, the
 * receive timeout, is set when the FIFO is not empty and no byte arrived for 32 bit periods at the baud
 * rate the guest programmed (IBRD/FBRD and the UART's clock, the clock_hz parameter; 115200 when either is
 * unknown), timed with the core's timers; it is cleared by emptying the FIFO or by ICR. As for transmit,
 * UARTEN/RXE are not required: a guest that never enables the UART (its firmware would have) still
 * receives.
 *
 * The line level is (RIS & IMSC) != 0, on the device's first interrupt: the guest's virtual GIC, when it
 * has one, delivers it as the device's SPI (level-sensitive).
 */
#include <hv/emulator.h>
#include <params/pl011-emulator.h>
#include "pl011.h"

#define UARTDR		0x000
#define UARTRSR		0x004	/* UARTECR on write */
#define UARTFR		0x018
#define UARTILPR	0x020
#define UARTIBRD	0x024
#define UARTFBRD	0x028
#define UARTLCR_H	0x02c
#define UARTCR		0x030
#define UARTIFLS	0x034
#define UARTIMSC	0x038
#define UARTRIS		0x03c
#define UARTMIS		0x040
#define UARTICR		0x044
#define UARTDMACR	0x048
#define UARTPERIPHID0	0xfe0
#define UARTPCELLID3	0xffc

#define FR_RXFE		(1U << 4)
#define FR_TXFF		(1U << 5)
#define FR_RXFF		(1U << 6)
#define FR_TXFE		(1U << 7)

#define LCR_H_FEN	(1U << 4)

#define INT_RX		(1U << 4)
#define INT_TX		(1U << 5)
#define INT_RT		(1U << 6)
#define INT_ALL		0x7ff

#define CR_RESET	0x300	/* TXE | RXE */
#define IFLS_RESET	0x12	/* both FIFOs at half */

#define DEFAULT_BAUD	115200
#define TIMEOUT_BITS	32

/* PeriphID0-3 (PL011, ARM, revision r1p5) then PCellID0-3, at 0xfe0, 0xfe4, ... 0xffc. */
static const u8 id_regs[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

/* IFLS TXIFLSEL/RXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO. */
static u32 fifo_level(u32 sel)
{
	static const u8 eighths[8] = { 1, 2, 4, 6, 7, 7, 7, 7 };

	return PL011_FIFO_DEPTH * eighths[sel & 7] / 8;
}

static void tx_update(struct pl011_regs *r)
{
	if (r->tx_fill <= r->tx_level)
		r->ris |= INT_TX;
	else
		r->ris &= ~INT_TX;
}

static void tx_drain(struct pl011_regs *r)
{
	if (r->tx_fill) {
		r->tx_fill = 0;
		tx_update(r);
	}
}

static u32 rx_depth(const struct pl011_regs *r)
{
	return (r->lcr_h & LCR_H_FEN) ? PL011_FIFO_DEPTH : 1;
}

/* Where the receive interrupt triggers: the IFLS level with the FIFO, the one byte without. */
static u32 rx_level(const struct pl011_regs *r)
{
	return (r->lcr_h & LCR_H_FEN) ? fifo_level(r->ifls >> 3) : 1;
}

/* 32 bit periods at the programmed baud rate: 16 * divisor / clock per bit, divisor = IBRD + FBRD / 64. */
static u64 rx_timeout_ns(const struct hv_device *dev, const struct pl011_regs *r)
{
	const struct pl011_emulator_params *params = dev->params;
	u64 clock_hz = params ? params->clock_hz : 0;
	u64 div64 = (u64)r->ibrd * 64 + r->fbrd;

	if (!clock_hz || !div64)
		return TIMEOUT_BITS * DIV_ROUND_UP(HV_NS_PER_SEC, DEFAULT_BAUD);
	/* 16 / 64 * 32 = 8: at most 8 * 2^22 * 10^9, well inside 64 bits. */
	return DIV_ROUND_UP(TIMEOUT_BITS / 4 * div64 * HV_NS_PER_SEC, clock_hz);
}

/* With the lock held. */
static void update_irq(struct pl011_state *s)
{
	bool level = (s->r.ris & s->r.imsc) != 0;

	if (level != s->r.irq_level) {
		s->r.irq_level = level;
		hv_device_irq_set(s->dev, 0, level);
	}
}

__cold_path static void pl011_rx_timeout(struct hv_timer *timer)
{
	struct pl011_state *s = container_of(timer, struct pl011_state, rx_timeout);

	hv_spin_lock(s->lock);
	/* A later byte moved the deadline, or the FIFO was emptied, while this callback was on its way. */
	if (s->r.rx_count && hv_time_ns() >= s->r.rt_deadline) {
		s->r.ris |= INT_RT;
		update_irq(s);
	}
	hv_spin_unlock(s->lock);
}

__cold_path static void pl011_reset(const struct hv_device *dev)
{
	struct pl011_state *s = dev->state;

	/* The same lock at every reset: input and a timeout on other pCPUs read it meanwhile. */
	if (!s->lock)
		s->lock = hv_device_output_lock(dev);
	hv_spin_lock(s->lock);
	/* Input may still arrive on another pCPU, and a timeout may be on its way: both take the lock. */
	hv_timer_cancel(&s->rx_timeout);
	hv_timer_init(&s->rx_timeout, pl011_rx_timeout);
	s->dev = dev;
	s->r = (struct pl011_regs){
		.cr = CR_RESET,
		.ifls = IFLS_RESET,
		.tx_level = fifo_level(IFLS_RESET),
	};
	hv_spin_unlock(s->lock);
	hv_device_irq_set(dev, 0, false);
}

static u32 rx_pop(struct pl011_state *s)
{
	struct pl011_regs *r = &s->r;
	u32 byte;

	if (!r->rx_count)
		return 0;	/* an empty FIFO: the guest did not look at RXFE */
	byte = r->rx_fifo[r->rx_head];
	r->rx_head = (r->rx_head + 1) % PL011_FIFO_DEPTH;
	r->rx_count--;
	if (r->rx_count < rx_level(r))
		r->ris &= ~INT_RX;
	if (!r->rx_count) {
		r->ris &= ~INT_RT;
		hv_timer_cancel(&s->rx_timeout);
	}
	return byte;	/* no framing, parity, break or overrun errors (bits 11:8) */
}

__cold_path static bool pl011_input(const struct hv_device *dev, u8 byte)
{
	struct pl011_state *s = dev->state;
	struct pl011_regs *r = &s->r;
	bool taken = false;

	hv_spin_lock(s->lock);
	if (r->rx_count < rx_depth(r)) {
		r->rx_fifo[(r->rx_head + r->rx_count) % PL011_FIFO_DEPTH] = byte;
		r->rx_count++;
		if (r->rx_count >= rx_level(r))
			r->ris |= INT_RX;
		/* The timeout counts from the last byte received. */
		r->rt_deadline = hv_time_ns() + rx_timeout_ns(dev, r);
		hv_timer_arm(&s->rx_timeout, r->rt_deadline);
		update_irq(s);
		taken = true;
	}
	hv_spin_unlock(s->lock);
	return taken;
}

static bool pl011_read(struct pl011_state *s, u64 off, u64 *value)
{
	struct pl011_regs *r = &s->r;
	u32 rx = (r->rx_count ? 0 : FR_RXFE) | (r->rx_count >= rx_depth(r) ? FR_RXFF : 0);

	switch (off) {
	case UARTDR:		*value = rx_pop(s); break;
	case UARTRSR:		*value = 0; break;	/* no receive errors */
	case UARTFR:
		if (r->tx_fill >= PL011_FIFO_DEPTH) {
			*value = FR_TXFF | rx;
			tx_drain(r);	/* seen full once: it drains while the guest waits */
		} else {
			*value = (r->tx_fill ? 0 : FR_TXFE) | rx;
		}
		break;
	case UARTILPR:		*value = r->ilpr; break;
	case UARTIBRD:		*value = r->ibrd; break;
	case UARTFBRD:		*value = r->fbrd; break;
	case UARTLCR_H:		*value = r->lcr_h; break;
	case UARTCR:		*value = r->cr; break;
	case UARTIFLS:		*value = r->ifls; break;
	case UARTIMSC:		*value = r->imsc; break;
	case UARTRIS:		tx_drain(r); *value = r->ris; break;
	case UARTMIS:		tx_drain(r); *value = r->ris & r->imsc; break;
	case UARTDMACR:		*value = r->dmacr; break;
	default:
		if (off >= UARTPERIPHID0 && off <= UARTPCELLID3) {
			*value = id_regs[(off - UARTPERIPHID0) / 4];
			break;
		}
		return false;
	}
	return true;
}

/*
 * A byte to transmit. Bytes written while the UART or its transmitter is disabled are still shown: losing
 * guest output would hide bugs, and a real PL011 would simply hold them in the FIFO. With the lock held.
 */
static void pl011_write_dr(struct hv_vcpu *vcpu, struct pl011_state *s, u32 v)
{
	struct pl011_regs *r = &s->r;

	hv_vcpu_console_putc_locked(vcpu, (char)(v & 0xff));
	/* Full, it stays full until FR is read, and TXRIS, clear since it filled, stays clear: the line too. */
	if (r->tx_fill < PL011_FIFO_DEPTH) {
		r->tx_fill++;
		tx_update(r);
		update_irq(s);
	}
}

/* Every register but DR: set up once by a driver, so small before fast. */
__cold_path static bool pl011_write(struct pl011_state *s, u64 off, u32 v)
{
	struct pl011_regs *r = &s->r;

	switch (off) {
	case UARTRSR:		break;			/* UARTECR: clears errors, of which there are none */
	case UARTFR:		break;			/* read-only; writes are ignored as on hardware */
	case UARTILPR:		r->ilpr = v & 0xff; break;
	case UARTIBRD:		r->ibrd = v & 0xffff; break;
	case UARTFBRD:		r->fbrd = v & 0x3f; break;
	case UARTLCR_H:		r->lcr_h = v & 0xff; break;
	case UARTCR:		r->cr = v & 0xff87; break;
	case UARTIFLS:		r->ifls = v & 0x3f; r->tx_level = fifo_level(r->ifls); break;
	case UARTIMSC:		r->imsc = v & INT_ALL; tx_drain(r); break;
	case UARTRIS:		break;			/* read-only */
	case UARTMIS:		break;			/* read-only */
	case UARTICR:		r->ris &= ~(v & INT_ALL); break;
	case UARTDMACR:		r->dmacr = v & 0x7; break;
	default:
		return false;				/* the ID registers are read-only; the rest is reserved */
	}
	return true;
}

/*
 * Registers are 32 bits wide at word-aligned offsets. Linux also uses byte and halfword accesses (earlycon
 * with reg-io-width 1, DR): any access up to 32 bits at a register's address is allowed.
 */
static bool pl011_access_ok(u64 off, u32 size)
{
	return size <= 4 && !(off & 3);
}

static bool pl011_mmio_write(struct hv_vcpu *vcpu, const struct hv_device *dev, u32 window, u64 off, u32 size,
			     u64 value)
{
	struct pl011_state *s = dev->state;
	hv_spinlock_t *lock = s->lock;
	bool ok;

	(void)window;
	/* DR first: it is nearly every access a guest makes (a byte of output each). */
	if (off == UARTDR && size <= 4) {
		hv_spin_lock(lock);
		pl011_write_dr(vcpu, s, (u32)value);
		hv_spin_unlock(lock);
		return true;
	}
	if (!pl011_access_ok(off, size))
		return false;
	hv_spin_lock(lock);
	ok = pl011_write(s, off, (u32)value);
	if (ok)
		update_irq(s);
	hv_spin_unlock(lock);
	return ok;
}

static bool pl011_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *access)
{
	struct pl011_state *s = dev->state;
	bool ok;

	if (access->write)
		return pl011_mmio_write(vcpu, dev, access->window, access->offset, access->size, access->value);
	if (!pl011_access_ok(access->offset, access->size))
		return false;
	hv_spin_lock(s->lock);
	ok = pl011_read(s, access->offset, &access->value);
	if (ok)
		update_irq(s);
	hv_spin_unlock(s->lock);
	return ok;
}

const struct hv_emulator_ops pl011_emulator_ops = {
	.name = "pl011",
	.reset = pl011_reset,
	.mmio = pl011_mmio,
	.mmio_write = pl011_mmio_write,
	.input = pl011_input,
};
