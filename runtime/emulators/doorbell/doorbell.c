// SPDX-License-Identifier: Apache-2.0
/*
 * A doorbell between guests that share memory (examples/shared-memory): a guest rings one of its targets,
 * a doorbell of another guest, and that guest gets an interrupt.
 *
 * Ringing runs on the ringing guest's pCPU and takes only the target's lock (never its own while holding
 * another), so two guests ringing each other cannot deadlock. The target's line is level: high while its
 * PENDING register is not zero, so a ring that arrives while the guest handles the previous one is not
 * lost. The targets come from the compiler (a 'devices' parameter), which checked that each is a doorbell
 * of another guest sharing the region; the emulator checks again that each is a doorbell before touching
 * its state, since a wrong pointer here would be another guest's memory.
 *
 * A guest reset clears its doorbell's PENDING; doorbells of other guests are not told (their guest sees
 * the shared memory and can tell).
 */
#include <hv/emulator.h>
#include <params/doorbell-emulator.h>
#include "doorbell.h"

#define DB_ID		0x000
#define DB_TARGETS	0x004
#define DB_RING		0x008
#define DB_PENDING	0x00c
#define DB_ACK		0x010
#define DB_RINGS	0x014

#define DOORBELL_ID	0x62647668	/* "hvdb" */
#define FROM_UNLISTED	31

extern const struct hv_emulator_ops doorbell_emulator_ops;

static const struct doorbell_emulator_params *params_of(const struct hv_device *dev)
{
	return dev->params;
}

/* With the lock held. */
static void update_irq(struct doorbell_state *s)
{
	bool level = s->pending != 0;

	if (level != s->irq_level) {
		s->irq_level = level;
		hv_device_irq_set(s->dev, 0, level);
	}
}

/* Which bit of the target's PENDING says `from` rang: its place in the target's own list, or 31. */
static u32 source_bit(const struct hv_device *target, const struct hv_device *from)
{
	const struct doorbell_emulator_params *p = params_of(target);

	for (u64 i = 0; i < p->targets_count && i < FROM_UNLISTED; i++)
		if (p->targets[i] == from)
			return (u32)i;
	return FROM_UNLISTED;
}

static void ring(const struct hv_device *from, u64 n)
{
	const struct doorbell_emulator_params *p = params_of(from);
	const struct hv_device *target;
	struct doorbell_state *t;

	if (n >= p->targets_count)
		return;		/* no such target: nothing to ring, as a bell without a wire */
	target = p->targets[n];
	if (!target || target->ops != &doorbell_emulator_ops)
		return;
	t = target->state;
	hv_spin_lock(&t->lock);
	t->pending |= BIT(source_bit(target, from));
	t->rings++;
	update_irq(t);
	hv_spin_unlock(&t->lock);
}

static void doorbell_reset(const struct hv_device *dev)
{
	struct doorbell_state *s = dev->state;

	hv_spin_lock(&s->lock);
	s->dev = dev;
	s->pending = 0;
	s->rings = 0;
	s->sent = 0;
	s->irq_level = false;
	hv_spin_unlock(&s->lock);
	hv_device_irq_set(dev, 0, false);
}

static bool doorbell_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *a)
{
	struct doorbell_state *s = dev->state;
	bool ok = true;

	(void)vcpu;
	if (a->size != 4 || (a->offset & 3))
		return false;
	if (a->write && a->offset == DB_RING) {
		/* Not under our own lock: ringing takes the target's. */
		ring(dev, (u32)a->value);
		hv_spin_lock(&s->lock);
		s->sent++;
		hv_spin_unlock(&s->lock);
		return true;
	}
	hv_spin_lock(&s->lock);
	if (a->write) {
		if (a->offset == DB_ACK) {
			s->pending &= ~(u32)a->value;
			update_irq(s);
		} else {
			ok = false;	/* the rest is read-only */
		}
	} else {
		switch (a->offset) {
		case DB_ID:		a->value = DOORBELL_ID; break;
		case DB_TARGETS:	a->value = params_of(dev)->targets_count; break;
		case DB_PENDING:	a->value = s->pending; break;
		case DB_RINGS:		a->value = s->rings; break;
		default:		ok = false; break;	/* RING and ACK are write-only */
		}
	}
	hv_spin_unlock(&s->lock);
	return ok;
}

const struct hv_emulator_ops doorbell_emulator_ops = {
	.name = "doorbell",
	.reset = doorbell_reset,
	.mmio = doorbell_mmio,
};
