// SPDX-License-Identifier: Apache-2.0
/*
 * A guest's ARM PL031 real-time clock (PrimeCell RTC, r1p3 register map).
 *
 * The counter (DR) counts seconds: the value last loaded through LR plus the whole seconds of hv_time_ns()
 * since that load. Before the guest loads anything it reads the seconds since the system counter started
 * (the hypervisor knows no wall-clock time; a guest that does sets it through LR). The counter keeps
 * running across a reset of the guest, as a battery-backed RTC does; the match, mask and interrupt state
 * are reset.
 *
 * The match interrupt is raised when the counter becomes equal to MR, i.e. at the start of the second in
 * which DR reads MR; writing an MR equal to the current DR therefore matches only when the counter comes
 * round again (2^32 seconds later). A core timer is armed for that moment whenever MR or LR is written,
 * and its callback latches RIS; the line level is RIS & IMSC, on the device's first interrupt, and stays
 * high until the guest clears it through ICR (or masks it). CR reads 1: the counter is always running, as
 * a board's firmware leaves it, and the start bit cannot stop it (writes to CR are ignored, as the
 * hardware ignores them once started).
 *
 * Registers take 32-bit accesses only, as the PL031's APB interface does.
 */
#include <hv/emulator.h>
#include "pl031.h"

#define RTCDR		0x000	/* data (the counter), read-only */
#define RTCMR		0x004	/* match */
#define RTCLR		0x008	/* load */
#define RTCCR		0x00c	/* control: bit 0 start */
#define RTCIMSC		0x010	/* interrupt mask set/clear: bit 0 */
#define RTCRIS		0x014	/* raw interrupt status */
#define RTCMIS		0x018	/* masked interrupt status */
#define RTCICR		0x01c	/* interrupt clear, write-only */
#define RTCPERIPHID0	0xfe0
#define RTCPCELLID3	0xffc

#define INT_MATCH	1U
#define CR_START	1U

#define NEVER		(~0UL)

/* PeriphID0-3 (PL031, ARM, revision r0, configuration 0) then PCellID0-3, at 0xfe0, 0xfe4, ... 0xffc. */
static const u8 id_regs[8] = { 0x31, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

/* Whole seconds since the load: the counter's ticks so far. */
static u64 seconds_since_load(const struct pl031_state *s, u64 now)
{
	return (now - s->load_ns) / HV_NS_PER_SEC;
}

static u32 counter(const struct pl031_state *s, u64 now)
{
	return (u32)(s->lr + seconds_since_load(s, now));
}

/* With the lock held. */
static void update_irq(struct pl031_state *s)
{
	bool level = (s->ris & s->imsc) != 0;

	if (level != s->irq_level) {
		s->irq_level = level;
		hv_device_irq_set(s->dev, 0, level);
	}
}

/*
 * With the lock held: MR or the counter changed, or the last match happened. Arms the timer for the next
 * second boundary at which the counter becomes MR: at least one tick away, at most 2^32.
 */
static void arm_match(struct pl031_state *s, u64 now)
{
	u64 ticks = seconds_since_load(s, now);
	u64 ahead = (u32)(s->mr - counter(s, now));

	if (!ahead)
		ahead = 1UL << 32;
	s->match_ns = s->load_ns + (ticks + ahead) * HV_NS_PER_SEC;
	hv_timer_arm(&s->match_timer, s->match_ns);
}

static void pl031_match(struct hv_timer *timer)
{
	struct pl031_state *s = container_of(timer, struct pl031_state, match_timer);
	u64 now = hv_time_ns();

	hv_spin_lock(&s->lock);
	/*
	 * MR or LR was written (match_ns moved on, the timer re-armed) or the device was reset (NEVER) while
	 * this callback was on its way: that match is not wanted any more.
	 */
	if (now >= s->match_ns) {
		s->ris |= INT_MATCH;
		update_irq(s);
		arm_match(s, now);
	}
	hv_spin_unlock(&s->lock);
}

static void pl031_reset(const struct hv_device *dev)
{
	struct pl031_state *s = dev->state;

	hv_spin_lock(&s->lock);
	/* A match may be on its way on another pCPU: it takes the lock, and finds match_ns NEVER. */
	hv_timer_cancel(&s->match_timer);
	hv_timer_init(&s->match_timer, pl031_match);
	s->dev = dev;
	s->mr = 0;
	s->imsc = 0;
	s->ris = 0;
	s->match_ns = NEVER;
	s->irq_level = false;
	hv_spin_unlock(&s->lock);
	hv_device_irq_set(dev, 0, false);
}

static bool pl031_read(struct pl031_state *s, u64 off, u64 *value)
{
	switch (off) {
	case RTCDR:	*value = counter(s, hv_time_ns()); break;
	case RTCMR:	*value = s->mr; break;
	case RTCLR:	*value = s->lr; break;
	case RTCCR:	*value = CR_START; break;
	case RTCIMSC:	*value = s->imsc; break;
	case RTCRIS:	*value = s->ris; break;
	case RTCMIS:	*value = s->ris & s->imsc; break;
	default:
		if (off >= RTCPERIPHID0 && off <= RTCPCELLID3) {
			*value = id_regs[(off - RTCPERIPHID0) / 4];
			break;
		}
		return false;	/* ICR is write-only; the rest is reserved */
	}
	return true;
}

static bool pl031_write(struct pl031_state *s, u64 off, u32 v)
{
	u64 now = hv_time_ns();

	switch (off) {
	case RTCDR:	break;			/* read-only; writes are ignored as on hardware */
	case RTCMR:
		s->mr = v;
		arm_match(s, now);
		break;
	case RTCLR:
		s->lr = v;
		s->load_ns = now;
		arm_match(s, now);
		break;
	case RTCCR:	break;			/* started for good */
	case RTCIMSC:	s->imsc = v & INT_MATCH; break;
	case RTCRIS:	break;			/* read-only */
	case RTCMIS:	break;			/* read-only */
	case RTCICR:	s->ris &= ~(v & INT_MATCH); break;
	default:
		return false;			/* the ID registers are read-only; the rest is reserved */
	}
	return true;
}

static bool pl031_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *access)
{
	struct pl031_state *s = dev->state;
	bool ok;

	(void)vcpu;
	if (access->size != 4 || (access->offset & 3))
		return false;

	hv_spin_lock(&s->lock);
	if (access->write)
		ok = pl031_write(s, access->offset, (u32)access->value);
	else
		ok = pl031_read(s, access->offset, &access->value);
	if (ok)
		update_irq(s);
	hv_spin_unlock(&s->lock);
	return ok;
}

const struct hv_emulator_ops pl031_emulator_ops = {
	.name = "pl031",
	.reset = pl031_reset,
	.mmio = pl031_mmio,
};
