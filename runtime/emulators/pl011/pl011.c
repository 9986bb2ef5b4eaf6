// SPDX-License-Identifier: Apache-2.0
/*
 * A guest's ARM PL011 UART (PrimeCell r1p5 register map), complete enough for bare-metal guests and for
 * Linux's amba-pl011 driver: transmitted bytes go to the core's per-guest line buffer at once; nothing is
 * ever received (the receive FIFO is always empty).
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
 * The line level is (RIS & IMSC) != 0; it goes to hv_device_irq_level(): the guest's virtual GIC, when it
 * has one, delivers it as the device's SPI (level-sensitive).
 */
#include <hv/emulator.h>

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

#define FR_TXFF		(1U << 5)
#define FR_RXFE		(1U << 4)
#define FR_TXFE		(1U << 7)

#define TX_FIFO_DEPTH	16

#define INT_TX		(1U << 5)
#define INT_ALL		0x7ff

#define CR_RESET	0x300	/* TXE | RXE */
#define IFLS_RESET	0x12	/* both FIFOs at half */

/* PeriphID0-3 (PL011, ARM, revision r1p5) then PCellID0-3, at 0xfe0, 0xfe4, ... 0xffc. */
static const u8 id_regs[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

struct pl011_state {
	u32 ibrd;
	u32 fbrd;
	u32 lcr_h;
	u32 cr;
	u32 ifls;
	u32 imsc;
	u32 ris;
	u32 dmacr;
	u32 ilpr;
	u32 tx_fill;		/* bytes "in" the transmit FIFO (already printed) */
	bool irq_level;
};

HV_EMULATOR_STATE(struct pl011_state);

/* IFLS TXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO. */
static u32 tx_level(const struct pl011_state *s)
{
	static const u8 eighths[8] = { 1, 2, 4, 6, 7, 7, 7, 7 };

	return TX_FIFO_DEPTH * eighths[s->ifls & 7] / 8;
}

static void tx_update(struct pl011_state *s)
{
	if (s->tx_fill <= tx_level(s))
		s->ris |= INT_TX;
	else
		s->ris &= ~INT_TX;
}

static void tx_drain(struct pl011_state *s)
{
	if (s->tx_fill) {
		s->tx_fill = 0;
		tx_update(s);
	}
}

static void update_irq(const struct hv_device *dev, struct pl011_state *s)
{
	bool level = (s->ris & s->imsc) != 0;

	if (level != s->irq_level) {
		s->irq_level = level;
		hv_device_irq_level(dev, level);
	}
}

static void pl011_reset(const struct hv_device *dev)
{
	struct pl011_state *s = dev->state;

	*s = (struct pl011_state){
		.cr = CR_RESET,
		.ifls = IFLS_RESET,
	};
	hv_device_irq_level(dev, false);
}

static bool pl011_read(struct pl011_state *s, u64 off, u64 *value)
{
	switch (off) {
	case UARTDR:		*value = 0; break;	/* nothing received: reading an empty FIFO */
	case UARTRSR:		*value = 0; break;	/* no receive errors */
	case UARTFR:
		if (s->tx_fill >= TX_FIFO_DEPTH) {
			*value = FR_TXFF | FR_RXFE;
			tx_drain(s);	/* seen full once: it drains while the guest waits */
		} else {
			*value = (s->tx_fill ? 0 : FR_TXFE) | FR_RXFE;
		}
		break;
	case UARTILPR:		*value = s->ilpr; break;
	case UARTIBRD:		*value = s->ibrd; break;
	case UARTFBRD:		*value = s->fbrd; break;
	case UARTLCR_H:		*value = s->lcr_h; break;
	case UARTCR:		*value = s->cr; break;
	case UARTIFLS:		*value = s->ifls; break;
	case UARTIMSC:		*value = s->imsc; break;
	case UARTRIS:		tx_drain(s); *value = s->ris; break;
	case UARTMIS:		tx_drain(s); *value = s->ris & s->imsc; break;
	case UARTDMACR:		*value = s->dmacr; break;
	default:
		if (off >= UARTPERIPHID0 && off <= UARTPCELLID3) {
			*value = id_regs[(off - UARTPERIPHID0) / 4];
			break;
		}
		return false;
	}
	return true;
}

static bool pl011_write(struct hv_vcpu *vcpu, struct pl011_state *s, u64 off, u32 v)
{
	switch (off) {
	case UARTDR:
		/* Bytes written while the UART or its transmitter is disabled are still shown: losing guest
		 * output would hide bugs, and a real PL011 would simply hold them in the FIFO. */
		hv_vcpu_console_putc(vcpu, (char)(v & 0xff));
		if (s->tx_fill < TX_FIFO_DEPTH)
			s->tx_fill++;
		tx_update(s);
		break;
	case UARTRSR:		break;			/* UARTECR: clears errors, of which there are none */
	case UARTFR:		break;			/* read-only; writes are ignored as on hardware */
	case UARTILPR:		s->ilpr = v & 0xff; break;
	case UARTIBRD:		s->ibrd = v & 0xffff; break;
	case UARTFBRD:		s->fbrd = v & 0x3f; break;
	case UARTLCR_H:		s->lcr_h = v & 0xff; break;
	case UARTCR:		s->cr = v & 0xff87; break;
	case UARTIFLS:		s->ifls = v & 0x3f; break;
	case UARTIMSC:		s->imsc = v & INT_ALL; tx_drain(s); break;
	case UARTRIS:		break;			/* read-only */
	case UARTMIS:		break;			/* read-only */
	case UARTICR:		s->ris &= ~(v & INT_ALL); break;
	case UARTDMACR:		s->dmacr = v & 0x7; break;
	default:
		return false;				/* the ID registers are read-only; the rest is reserved */
	}
	return true;
}

static bool pl011_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *access)
{
	struct pl011_state *s = dev->state;
	u64 off = access->offset;
	bool ok;

	/*
	 * Registers are 32 bits wide at word-aligned offsets. Linux also uses byte and halfword accesses
	 * (earlycon with reg-io-width 1, DR); allow any access up to 32 bits at the register's address.
	 */
	if (access->size > 4 || (off & 3))
		return false;

	if (access->write)
		ok = pl011_write(vcpu, s, off, (u32)access->value);
	else
		ok = pl011_read(s, off, &access->value);
	if (ok)
		update_irq(dev, s);
	return ok;
}

const struct hv_emulator_ops pl011_emulator_ops = {
	.name = "pl011",
	.reset = pl011_reset,
	.mmio = pl011_mmio,
};
