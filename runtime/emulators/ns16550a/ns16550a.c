// SPDX-License-Identifier: Apache-2.0
/*
 * A guest's NS16550A UART, complete enough for bare-metal guests and Linux's 8250 driver: transmitted bytes
 * go to the core's per-guest line buffer at once, so the transmitter is always empty (LSR.THRE and TEMT
 * set); received bytes come from hv_guest_console_input() into a 16-byte FIFO (one byte when FCR has the
 * FIFOs off).
 *
 * Interrupts, as the 16550A prioritizes them in IIR: received data (IER.ERBFI, while the FIFO holds a
 * byte), then THR empty (IER.ETBEI: raised when enabled and after every THR write, since the byte leaves at
 * once; cleared by reading IIR while it is the one reported, or by writing THR). Line and modem status
 * interrupts never occur: there are no errors and the modem lines do not change (MSR says DCD, DSR, CTS).
 * The line level is "IIR reports something", on the device's first interrupt.
 */
#include <hv/emulator.h>
#include <params/ns16550a-emulator.h>
#include "ns16550a.h"

#define REG_RBR_THR_DLL	0
#define REG_IER_DLM	1
#define REG_IIR_FCR	2
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define REG_MSR		6
#define REG_SCR		7

#define IER_ERBFI	0x01
#define IER_ETBEI	0x02
#define IER_MASK	0x0f

#define IIR_NONE	0x01
#define IIR_THRE	0x02
#define IIR_RDA		0x04
#define IIR_FIFOS	0xc0

#define FCR_FIFOE	0x01
#define FCR_RX_RESET	0x02

#define LCR_DLAB	0x80

#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

#define MSR_IDLE	0xb0	/* DCD, DSR, CTS asserted, nothing changed */
#define MCR_LOOP	0x10

static u32 rx_depth(const struct ns16550a_regs *r)
{
	return (r->fcr & FCR_FIFOE) ? NS16550A_FIFO_DEPTH : 1;
}

static u8 iir(const struct ns16550a_regs *r)
{
	u8 fifos = (r->fcr & FCR_FIFOE) ? IIR_FIFOS : 0;

	if ((r->ier & IER_ERBFI) && r->rx_count)
		return fifos | IIR_RDA;
	if ((r->ier & IER_ETBEI) && r->thre_pending)
		return fifos | IIR_THRE;
	return fifos | IIR_NONE;
}

/* With the lock held. */
static void update_irq(struct ns16550a_state *s)
{
	bool level = !(iir(&s->r) & IIR_NONE);

	if (level != s->r.irq_level) {
		s->r.irq_level = level;
		hv_device_irq_set(s->dev, 0, level);
	}
}

static void ns16550a_reset(const struct hv_device *dev)
{
	struct ns16550a_state *s = dev->state;

	hv_spin_lock(&s->lock);
	s->dev = dev;
	s->r = (struct ns16550a_regs){ 0 };
	hv_spin_unlock(&s->lock);
	hv_device_irq_set(dev, 0, false);
}

static bool ns16550a_input(const struct hv_device *dev, u8 byte)
{
	struct ns16550a_state *s = dev->state;
	struct ns16550a_regs *r = &s->r;
	bool taken = false;

	hv_spin_lock(&s->lock);
	if (r->rx_count < rx_depth(r)) {
		r->rx_fifo[(r->rx_head + r->rx_count) % NS16550A_FIFO_DEPTH] = byte;
		r->rx_count++;
		update_irq(s);
		taken = true;
	}
	hv_spin_unlock(&s->lock);
	return taken;
}

static u8 rx_pop(struct ns16550a_regs *r)
{
	u8 byte;

	if (!r->rx_count)
		return 0;
	byte = r->rx_fifo[r->rx_head];
	r->rx_head = (r->rx_head + 1) % NS16550A_FIFO_DEPTH;
	r->rx_count--;
	return byte;
}

static u8 reg_read(struct ns16550a_regs *r, u64 reg)
{
	u8 v;

	switch (reg) {
	case REG_RBR_THR_DLL:
		return (r->lcr & LCR_DLAB) ? r->dll : rx_pop(r);
	case REG_IER_DLM:
		return (r->lcr & LCR_DLAB) ? r->dlm : r->ier;
	case REG_IIR_FCR:
		v = iir(r);
		/* Reading IIR while it reports "THR empty" is what acknowledges that interrupt. */
		if ((v & 0x0f) == IIR_THRE)
			r->thre_pending = false;
		return v;
	case REG_LCR:
		return r->lcr;
	case REG_MCR:
		return r->mcr;
	case REG_LSR:
		return LSR_THRE | LSR_TEMT | (r->rx_count ? LSR_DR : 0);
	case REG_MSR:
		/* In loopback the modem inputs follow MCR's outputs: drivers probe the UART with that. */
		if (r->mcr & MCR_LOOP)
			return (u8)((r->mcr & 0x0c) << 4 | (r->mcr & 0x01) << 5 | (r->mcr & 0x02) << 3);
		return MSR_IDLE;
	default:
		return r->scr;
	}
}

static void reg_write(struct hv_vcpu *vcpu, struct ns16550a_regs *r, u64 reg, u8 v)
{
	switch (reg) {
	case REG_RBR_THR_DLL:
		if (r->lcr & LCR_DLAB) {
			r->dll = v;
		} else {
			/* In loopback a transmitted byte would come back in; nobody relies on that: it is shown. */
			hv_vcpu_console_putc(vcpu, (char)v);
			r->thre_pending = true;		/* sent at once: THR is empty again */
		}
		break;
	case REG_IER_DLM:
		if (r->lcr & LCR_DLAB) {
			r->dlm = v;
		} else {
			/* Enabling the THR empty interrupt while THR is empty raises it (as the 16550A does). */
			if ((v & IER_ETBEI) && !(r->ier & IER_ETBEI))
				r->thre_pending = true;
			r->ier = v & IER_MASK;
		}
		break;
	case REG_IIR_FCR:
		if ((v & FCR_FIFOE) != (r->fcr & FCR_FIFOE) || (v & FCR_RX_RESET))
			r->rx_count = r->rx_head = 0;
		r->fcr = v & 0xc9;
		break;
	case REG_LCR:
		r->lcr = v;
		break;
	case REG_MCR:
		r->mcr = v & 0x1f;
		break;
	case REG_LSR:
	case REG_MSR:
		break;			/* read-only; writes are ignored as on hardware */
	default:
		r->scr = v;
		break;
	}
}

static bool ns16550a_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *access)
{
	const struct ns16550a_emulator_params *params = dev->params;
	struct ns16550a_state *s = dev->state;
	u64 shift = params ? params->reg_shift : 0;
	u64 reg = access->offset >> shift;

	/* One register per access, at its address; 8-bit registers read and written in accesses up to 32 bits (reg-io-width 4). */
	if (access->size > 4 || (access->offset & ((1UL << shift) - 1)) || reg > REG_SCR)
		return false;
	hv_spin_lock(&s->lock);
	if (access->write)
		reg_write(vcpu, &s->r, reg, (u8)access->value);
	else
		access->value = reg_read(&s->r, reg);
	update_irq(s);
	hv_spin_unlock(&s->lock);
	return true;
}

const struct hv_emulator_ops ns16550a_emulator_ops = {
	.name = "ns16550a",
	.reset = ns16550a_reset,
	.mmio = ns16550a_mmio,
	.input = ns16550a_input,
};
