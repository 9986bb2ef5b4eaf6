// SPDX-License-Identifier: Apache-2.0
/*
 * A guest's virtual GICv3 (one security state, affinity routing, no LPIs, CONFIG_HV_VGIC_SPIS SPIs).
 *
 * The distributor (window 0) and the redistributors (window 1, 128 KiB per vCPU, vCPU n's frame n) are
 * emulated: every guest access traps and lands in vgic_mmio(). The CPU interface is the hardware's virtual
 * one: the guest's ICC_* accesses reach the ICV_* registers, fed from the list registers ICH_LR<n>_EL2 of
 * the pCPU the vCPU runs on. Only that pCPU writes them, in vgic_flush(), just before each return to the
 * guest:
 *
 *   - list registers the guest has finished with (state invalid) are freed;
 *   - interrupts pending and enabled for the vCPU are put in free ones, highest priority first.
 *
 * Anything that changes what a vCPU should see (a device line, an SGI, an enable) updates the state below
 * under the lock, marks the vCPU dirty and, when it runs on another pCPU, kicks it with a host SGI so it
 * traps and flushes.
 *
 * The virtual timer's physical PPI 27 is left active by the host driver and forwarded with the list
 * register's HW bit: the guest's EOI deactivates the physical interrupt too. Level-sensitive device
 * interrupts ask for an EOI maintenance interrupt, so their line is sampled again once the guest is done.
 * SGIs are sent by writing ICC_SGI1R_EL1, which traps to EL2 (HCR_EL2.IMO) and lands in vgic_sysreg() (so do
 * ICC_ASGI1R_EL1 and ICC_SGI0R_EL1, which only generate Group 0 SGIs here, of which there are none).
 *
 * When vCPUs share pCPUs, a vCPU's interface (list registers, active priorities, VMCR, HCR) is saved when it
 * leaves its pCPU and restored where it runs next (vgic_vcpu_put()/vgic_vcpu_load()). The physical timer
 * interrupt the guest still owes a deactivation goes with it: deactivated on the pCPU it leaves, activated on
 * the one it arrives on, so the guest's EOI deactivates it there. While it waits off its pCPU its timer is
 * watched by the scheduler, which calls vgic_timer_fired() at the timer's deadline.
 */
#include <hv/arch.h>
#include <hv/emulator.h>
#include <arch/regs.h>
#include <arch/sysreg.h>
#include <drivers/gicv3.h>
#include "vgic.h"

#define NR_PRIVATE	VGIC_NR_PRIVATE
#define NR_SPIS		VGIC_NR_SPIS
#define NR_IRQS		VGIC_NR_IRQS
#define MAX_LRS		VGIC_MAX_LRS

/* Distributor. */
#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IIDR	0x0008
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_ICENABLER	0x0180
#define GICD_ISPENDR	0x0200
#define GICD_ICPENDR	0x0280
#define GICD_ISACTIVER	0x0300
#define GICD_ICACTIVER	0x0380
#define GICD_IPRIORITYR	0x0400
#define GICD_ICFGR	0x0c00
#define GICD_IROUTER	0x6000
#define GICD_PIDR2	0xffe8

#define GICD_CTLR_GRP1	BIT(1)
#define GICD_CTLR_ARE	BIT(4)
#define GICD_CTLR_DS	BIT(6)

/* Redistributor: RD_base, then SGI_base at +64 KiB. */
#define GICR_FRAME	0x20000
#define GICR_CTLR	0x0000
#define GICR_IIDR	0x0004
#define GICR_TYPER	0x0008
#define GICR_WAKER	0x0014
#define GICR_PIDR2	0xffe8
#define GICR_SGI	0x10000
#define GICR_TYPER_LAST	BIT(4)
#define GICR_WAKER_SLEEP	BIT(1)
#define GICR_WAKER_ASLEEP	BIT(2)

#define IIDR_ARM	0x0000043b
#define PIDR2_GICV3	0x3b

/* ICH_LR<n>_EL2. */
#define LR_STATE_SHIFT	62
#define LR_PENDING	(1UL << 62)
#define LR_ACTIVE	(1UL << 63)
#define LR_HW		BIT(61)
#define LR_GROUP1	BIT(60)
#define LR_PRIO_SHIFT	48
#define LR_EOI		BIT(41)		/* maintenance interrupt on deactivation (HW clear) */
#define LR_PINTID_SHIFT	32

#define ICH_HCR_EN	BIT(0)
#define ICH_HCR_UIE	BIT(1)		/* maintenance interrupt when at most one list register is in use */

static struct virq *irq_of(struct vgic_v3_state *s, u64 vcpu, u64 intid)
{
	if (intid < NR_PRIVATE)
		return &s->cpu[vcpu].priv[intid];
	if (intid < NR_IRQS)
		return &s->spi[intid - NR_PRIVATE];
	return NULL;
}

/* Keeps the enabled bitmaps (what fill_lrs() scans) in step with virq.enabled. */
static void set_enabled_bit(struct vgic_v3_state *s, u64 vcpu, u64 intid, bool on)
{
	u64 *word;
	u64 bit;

	if (intid < NR_PRIVATE) {
		word = &s->cpu[vcpu].enabled_priv;
		bit = intid;
	} else if (intid < NR_IRQS) {
		word = &s->enabled_spi[(intid - NR_PRIVATE) / 64];
		bit = (intid - NR_PRIVATE) % 64;
	} else {
		return;
	}
	if (on)
		*word |= BIT(bit);
	else
		*word &= ~BIT(bit);
}

static bool deliverable(const struct virq *v)
{
	return v->enabled && (v->latched || (!v->edge && v->level));
}

/* --- list registers (this pCPU's) --- */

#define LR_CASE(n)							\
	case n:								\
		if (write)						\
			write_sysreg(ich_lr##n##_el2, value);		\
		else							\
			value = read_sysreg(ich_lr##n##_el2);		\
		break

static u64 lr_access(unsigned int n, bool write, u64 value)
{
	switch (n) {
	LR_CASE(0); LR_CASE(1); LR_CASE(2); LR_CASE(3);
	LR_CASE(4); LR_CASE(5); LR_CASE(6); LR_CASE(7);
	LR_CASE(8); LR_CASE(9); LR_CASE(10); LR_CASE(11);
	LR_CASE(12); LR_CASE(13); LR_CASE(14); LR_CASE(15);
	}
	return value;
}

static u64 lr_read(unsigned int n)
{
	return lr_access(n, false, 0);
}

static void lr_write(unsigned int n, u64 value)
{
	lr_access(n, true, value);
}

#define APR_CASE(n)							\
	case n:								\
		if (write) {						\
			write_sysreg(ich_ap0r##n##_el2, *ap0);		\
			write_sysreg(ich_ap1r##n##_el2, *ap1);		\
		} else {						\
			*ap0 = (u32)read_sysreg(ich_ap0r##n##_el2);	\
			*ap1 = (u32)read_sysreg(ich_ap1r##n##_el2);	\
		}							\
		break

/* Active priority register n of both groups: only those ICH_VTR_EL2.PRIbits implies exist. */
static void apr_access(unsigned int n, bool write, u32 *ap0, u32 *ap1)
{
	switch (n) {
	APR_CASE(0); APR_CASE(1); APR_CASE(2); APR_CASE(3);
	}
}

/*
 * Frees the list registers the guest is done with, withdraws pending ones that no longer should be, and
 * folds new edges into those still in use.
 */
static void sync_lrs(struct vgic_v3_state *s, struct hv_vcpu *vcpu)
{
	struct vgic_cpu *c = &s->cpu[vcpu->index];

	for (unsigned int n = 0; n < s->nr_lrs; n++) {
		struct virq *v;
		u64 lr;

		if (!(c->lr_used & BIT(n)))
			continue;
		v = irq_of(s, vcpu->index, c->lr_intid[n]);
		lr = lr_read(n);
		if (!(lr & (LR_PENDING | LR_ACTIVE))) {
			/* Deactivated by the guest: the line (if level) is looked at again below. */
			lr_write(n, 0);
			c->lr_used &= ~BIT(n);
			v->lr = 0;
			c->dirty = 1;
		} else if (!v->hw && !v->edge && (lr & (LR_PENDING | LR_ACTIVE)) == LR_PENDING &&
			   !(v->enabled && v->level)) {
			/* Not taken yet, and no longer wanted: a level line that dropped, or disabled. */
			lr_write(n, 0);
			c->lr_used &= ~BIT(n);
			v->lr = 0;
		} else if (v->latched && !(lr & LR_PENDING) && !v->hw) {
			/* A new edge while the guest handles the previous one: pending and active. */
			lr_write(n, lr | LR_PENDING);
			v->latched = 0;
		}
	}
}

static bool put_in_lr(struct vgic_v3_state *s, struct hv_vcpu *vcpu, u64 intid, struct virq *v)
{
	struct vgic_cpu *c = &s->cpu[vcpu->index];
	u64 lr;

	for (unsigned int n = 0; n < s->nr_lrs; n++) {
		if (c->lr_used & BIT(n))
			continue;
		lr = LR_PENDING | LR_GROUP1 | (u64)v->priority << LR_PRIO_SHIFT | intid;
		if (v->hw)
			lr |= LR_HW | intid << LR_PINTID_SHIFT;
		else if (!v->edge)
			lr |= LR_EOI;
		lr_write(n, lr);
		c->lr_used |= BIT(n);
		c->lr_intid[n] = (u16)intid;
		v->lr = (u8)(n + 1);
		v->latched = 0;
		return true;
	}
	return false;
}

/* Puts what is deliverable to this vCPU into free list registers, highest priority (lowest value) first. */
static void fill_lrs(struct vgic_v3_state *s, struct hv_vcpu *vcpu)
{
	struct vgic_cpu *c = &s->cpu[vcpu->index];
	bool overflow = false;

	if (!(s->ctlr & GICD_CTLR_GRP1))
		return;
	for (;;) {
		struct virq *best = NULL;
		u64 best_id = 0;

		/* Only the enabled ones can be deliverable: their bitmaps, in ascending INTID as before. */
		for (u64 w = 0; w <= (NR_SPIS + 63) / 64; w++) {
			u64 bits = w == 0 ? c->enabled_priv : s->enabled_spi[w - 1];

			while (bits) {
				u64 id = (w == 0 ? 0 : NR_PRIVATE + (w - 1) * 64) + (u64)__builtin_ctzll(bits);
				struct virq *v = irq_of(s, vcpu->index, id);

				bits &= bits - 1;
				if (!v || v->lr || !deliverable(v) || (id >= NR_PRIVATE && v->target != vcpu->index))
					continue;
				if (!best || v->priority < best->priority) {
					best = v;
					best_id = id;
				}
			}
		}
		if (!best)
			break;
		if (!put_in_lr(s, vcpu, best_id, best)) {
			overflow = true;
			break;
		}
	}
	c->dirty = 0;
	/* More than fits: ask for a maintenance interrupt when the list registers drain. */
	write_sysreg(ich_hcr_el2, ICH_HCR_EN | (overflow ? ICH_HCR_UIE : 0));
	if (overflow)
		c->dirty = 1;
}

/*
 * With the lock held: whether the core must call vgic_flush() before the vCPU enters the guest again. Set
 * while a list register is in use (only a flush sees the guest finish with it) or something may be
 * deliverable; the exits that find it clear, most of them, skip the flush.
 */
static void set_flush_hint(struct hv_vcpu *vcpu, const struct vgic_cpu *c)
{
	WRITE_ONCE(vcpu->vintc_flush, c->lr_used || c->dirty);
}

/* Called by the core only while the vCPU's hint says there is work (set_flush_hint()), and on maintenance. */
static void vgic_flush(struct hv_vcpu *vcpu, const struct hv_device *dev)
{
	struct vgic_v3_state *s = dev->state;
	struct vgic_cpu *c = &s->cpu[vcpu->index];

	hv_spin_lock(&s->lock);
	sync_lrs(s, vcpu);
	if (c->dirty)
		fill_lrs(s, vcpu);
	set_flush_hint(vcpu, c);
	hv_spin_unlock(&s->lock);
	isb();
}

/* Called with the lock held: the vCPU must look at its interrupts again. */
static void mark(struct vgic_v3_state *s, const struct hv_device *dev, u64 vcpu_index)
{
	struct hv_guest *guest = hv_device_guest(dev);

	s->cpu[vcpu_index].dirty = 1;
	if (guest && vcpu_index < guest->cfg->vcpu_count) {
		/* Before the kick, which makes it trap and look at the hint. */
		set_flush_hint(guest->vcpus[vcpu_index], &s->cpu[vcpu_index]);
		hv_vcpu_kick(guest->vcpus[vcpu_index]);
	}
}

/* --- hooks --- */

static void vgic_reset(const struct hv_device *dev)
{
	struct vgic_v3_state *s = dev->state;
	u64 vtr = read_sysreg(ich_vtr_el2);
	u64 prio_bits;

	memset(s, 0, sizeof(*s));
	s->nr_lrs = (vtr & 0x1f) + 1;
	if (s->nr_lrs > MAX_LRS)
		s->nr_lrs = MAX_LRS;
	/* 5, 6 or 7 bits of virtual priority need 1, 2 or 4 active priority registers per group. */
	prio_bits = ((vtr >> 29) & 7) + 1;
	s->nr_aprs = prio_bits > 5 ? 1U << (prio_bits - 5) : 1;
	if (s->nr_aprs > VGIC_MAX_APRS)
		s->nr_aprs = VGIC_MAX_APRS;
	for (u64 i = 0; i < CONFIG_HV_MAX_CPUS; i++) {
		s->cpu[i].waker = GICR_WAKER_SLEEP | GICR_WAKER_ASLEEP;
		for (u64 id = 0; id < 16; id++)
			s->cpu[i].priv[id].edge = 1;	/* SGIs are edge-triggered */
	}
}

static void vgic_vcpu_init(struct hv_vcpu *vcpu, const struct hv_device *dev)
{
	if (dev->window_count < 2 || dev->windows[1].size < (vcpu->index + 1) * GICR_FRAME)
		hv_log("guest '%s': the GIC's redistributor window has no 128 KiB frame for vCPU %lu",
		       vcpu->guest->cfg->name, vcpu->index);
	write_sysreg(ich_vmcr_el2, 0);
	write_sysreg(ich_hcr_el2, ICH_HCR_EN);
	isb();
	gicv3_ppi_enable(GICV3_PPI_MAINTENANCE, true);
	gicv3_ppi_enable(GICV3_PPI_VTIMER, true);
}

static void vgic_vcpu_reset(struct hv_vcpu *vcpu, const struct hv_device *dev)
{
	struct vgic_v3_state *s = dev->state;
	struct vgic_cpu *c = &s->cpu[vcpu->index];

	hv_spin_lock(&s->lock);
	for (unsigned int n = 0; n < s->nr_lrs; n++)
		lr_write(n, 0);
	for (u64 id = 0; id < NR_SPIS; id++)
		if (s->spi[id].lr && s->spi[id].target == vcpu->index)
			s->spi[id].lr = 0;
	/*
	 * A virtual timer interrupt the guest never deactivated would keep the physical PPI active, and the
	 * timer silent, for good. (Unconditionally: a guest reset zeroed this state on another pCPU.)
	 */
	gicv3_ppi_deactivate(GICV3_PPI_VTIMER);
	memset(c->priv, 0, sizeof(c->priv));
	c->enabled_priv = 0;
	for (u64 id = 0; id < 16; id++)
		c->priv[id].edge = 1;
	c->lr_used = 0;
	c->dirty = 0;
	set_flush_hint(vcpu, c);
	c->waker = GICR_WAKER_SLEEP | GICR_WAKER_ASLEEP;
	write_sysreg(ich_vmcr_el2, 0);
	write_sysreg(ich_hcr_el2, ICH_HCR_EN);
	hv_spin_unlock(&s->lock);
	isb();
}

static void vgic_set_level(const struct hv_device *dev, u64 intid, bool level)
{
	struct vgic_v3_state *s = dev->state;
	struct virq *v = intid >= NR_PRIVATE ? irq_of(s, 0, intid) : NULL;

	if (!v)
		return;	/* only SPIs come from devices */
	hv_spin_lock(&s->lock);
	if (v->edge && level && !v->level)
		v->latched = 1;
	v->level = level;
	if (level && v->enabled)
		mark(s, dev, v->target);
	hv_spin_unlock(&s->lock);
}

static bool vgic_host_irq(struct hv_vcpu *vcpu, const struct hv_device *dev, u64 intid)
{
	struct vgic_v3_state *s = dev->state;
	struct vgic_cpu *c = &s->cpu[vcpu->index];
	struct virq *v;

	if (intid == GICV3_PPI_MAINTENANCE) {
		/*
		 * A list register the guest finished with asked for it (EOI), or they ran low while more is
		 * pending (underflow). The maintenance interrupt is level-sensitive: bring the list registers up
		 * to date now, so its condition is gone before the driver deactivates it.
		 */
		vgic_flush(vcpu, dev);
		return false;
	}
	if (intid >= NR_PRIVATE && intid < NR_IRQS && hv_guest_irq_passed_through(vcpu->guest, intid)) {
		/*
		 * A passed-through device's SPI: pending for whichever vCPU the guest routes it to, left active
		 * physically, and listed with the HW bit so the guest's own deactivation ends it. A level
		 * interrupt the device still asserts then comes back by itself.
		 */
		hv_spin_lock(&s->lock);
		v = &s->spi[intid - NR_PRIVATE];
		v->hw = 1;
		v->latched = 1;
		mark(s, dev, v->target);
		hv_spin_unlock(&s->lock);
		return true;
	}
	if (intid != GICV3_PPI_VTIMER)
		return false;	/* the maintenance interrupt: the flush on the way out does the work */
	hv_spin_lock(&s->lock);
	v = &c->priv[intid];
	v->hw = 1;
	v->latched = 1;
	c->dirty = 1;
	set_flush_hint(vcpu, c);
	hv_spin_unlock(&s->lock);
	return true;
}

/*
 * Whether the physical timer interrupt is active on the vCPU's behalf: it was forwarded and the guest has not
 * deactivated it yet (latched, or in a list register still pending or active). `lrs` are its list registers
 * as they were saved.
 */
static bool vtimer_owed(const struct vgic_cpu *c)
{
	const struct virq *v = &c->priv[GICV3_PPI_VTIMER];

	return v->hw && (v->latched || (v->lr && (c->saved_lr[v->lr - 1] & (LR_PENDING | LR_ACTIVE))));
}

static void vgic_vcpu_put(struct hv_vcpu *vcpu, const struct hv_device *dev)
{
	struct vgic_v3_state *s = dev->state;
	struct vgic_cpu *c = &s->cpu[vcpu->index];

	hv_spin_lock(&s->lock);
	/* Cleared too: the next vCPU here may belong to a guest that must not see this one's interrupts. */
	for (unsigned int n = 0; n < s->nr_lrs; n++) {
		c->saved_lr[n] = lr_read(n);
		lr_write(n, 0);
	}
	for (unsigned int n = 0; n < s->nr_aprs; n++) {
		u32 zero0 = 0, zero1 = 0;

		apr_access(n, false, &c->saved_ap0r[n], &c->saved_ap1r[n]);
		apr_access(n, true, &zero0, &zero1);
	}
	c->saved_vmcr = (u32)read_sysreg(ich_vmcr_el2);
	c->saved_hcr = (u32)read_sysreg(ich_hcr_el2);
	write_sysreg(ich_hcr_el2, 0);
	if (vtimer_owed(c))
		gicv3_ppi_deactivate(GICV3_PPI_VTIMER);
	/* Nobody here to forward them to: the next vCPU's load enables them again if its guest has a GIC. */
	gicv3_ppi_enable(GICV3_PPI_VTIMER, false);
	gicv3_ppi_enable(GICV3_PPI_MAINTENANCE, false);
	hv_spin_unlock(&s->lock);
	isb();
}

static void vgic_vcpu_load(struct hv_vcpu *vcpu, const struct hv_device *dev)
{
	struct vgic_v3_state *s = dev->state;
	struct vgic_cpu *c = &s->cpu[vcpu->index];

	hv_spin_lock(&s->lock);
	for (unsigned int n = 0; n < s->nr_lrs; n++)
		lr_write(n, c->saved_lr[n]);
	for (unsigned int n = 0; n < s->nr_aprs; n++)
		apr_access(n, true, &c->saved_ap0r[n], &c->saved_ap1r[n]);
	write_sysreg(ich_vmcr_el2, c->saved_vmcr);
	write_sysreg(ich_hcr_el2, c->saved_hcr);
	/* Before the timer (restored already) can raise it again: the guest's EOI is to deactivate it here. */
	if (vtimer_owed(c))
		gicv3_ppi_activate(GICV3_PPI_VTIMER);
	gicv3_ppi_enable(GICV3_PPI_MAINTENANCE, true);
	gicv3_ppi_enable(GICV3_PPI_VTIMER, true);
	hv_spin_unlock(&s->lock);
	isb();
}

/*
 * Would a pending interrupt end the vCPU's wait for interrupt: one in a list register, or one that the next
 * flush would put there, above the guest's priority mask with group 1 enabled. On its pCPU, while it is
 * loaded. It may say yes where the hardware would not (the running priority is not looked at): a wait
 * that ends early is one the guest has to allow anyway.
 */
static bool vgic_pending(struct hv_vcpu *vcpu, const struct hv_device *dev)
{
	struct vgic_v3_state *s = dev->state;
	struct vgic_cpu *c = &s->cpu[vcpu->index];
	u64 vmcr = read_sysreg(ich_vmcr_el2);
	u64 pmr = (vmcr >> 24) & 0xff;
	bool pending = false;

	if (!(vmcr & BIT(1)))	/* VENG1 */
		return false;
	hv_spin_lock(&s->lock);
	sync_lrs(s, vcpu);
	for (unsigned int n = 0; n < s->nr_lrs && !pending; n++) {
		u64 lr = lr_read(n);

		pending = (c->lr_used & BIT(n)) && (lr & LR_PENDING) && ((lr >> LR_PRIO_SHIFT) & 0xff) < pmr;
	}
	for (u64 id = 0; id < NR_IRQS && !pending && (s->ctlr & GICD_CTLR_GRP1); id++) {
		const struct virq *v = irq_of(s, vcpu->index, id);

		pending = !v->lr && deliverable(v) && (id < NR_PRIVATE || v->target == vcpu->index) && v->priority < pmr;
	}
	hv_spin_unlock(&s->lock);
	return pending;
}

/*
 * The vCPU's timer reached its deadline while the vCPU was off its pCPU, where no physical interrupt could
 * say so. Nothing is latched: once the vCPU is back on a pCPU its restored timer raises the physical
 * interrupt, which is forwarded as ever (and a deadline the guest has moved since raises nothing). It is only
 * woken, and only when that interrupt could reach it: enabled, and not still being handled (the physical
 * interrupt would then be active, and silent). Any pCPU.
 */
static void vgic_timer_fired(struct hv_vcpu *vcpu, const struct hv_device *dev)
{
	struct vgic_v3_state *s = dev->state;
	struct vgic_cpu *c = &s->cpu[vcpu->index];

	hv_spin_lock(&s->lock);
	if (c->priv[GICV3_PPI_VTIMER].enabled && !vtimer_owed(c))
		hv_vcpu_kick(vcpu);
	hv_spin_unlock(&s->lock);
}

/*
 * A vCPU's affinity in the MPIDR layout (Aff3 at 39:32, Aff2..Aff0 at 23:0), which GICD_IROUTER and
 * the ICC_SGI1R_EL1 target fields use too.
 */
#define AFF_MASK	0xff00ffffffUL

static u64 vcpu_affinity(const struct hv_guest *guest, u64 index)
{
	return guest->cfg->vcpus[index].hwid & AFF_MASK;
}

/*
 * ICC_SGI1R_EL1 (S3_0_C12_C11_5), ICC_ASGI1R_EL1 (S3_0_C12_C11_6) and ICC_SGI0R_EL1 (S3_0_C12_C11_7): the
 * guest sends SGIs to its vCPUs. (op1 1, 2 are the AArch32 encodings' opc1 for ASGI1R and SGI0R, not the
 * AArch64 ones.)
 */
static bool vgic_sysreg(struct hv_vcpu *vcpu, const struct hv_device *dev, u64 esr)
{
	struct vgic_v3_state *s = dev->state;
	struct hv_guest *guest = vcpu->guest;
	u64 iss = ESR_ISS(esr);
	u64 op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7, crn = (iss >> 10) & 15;
	u64 crm = (iss >> 1) & 15, rt = (iss >> 5) & 31;
	u64 count = guest->cfg->vcpu_count;
	u64 value, intid, cluster;
	bool broadcast;

	if (op0 != 3 || op1 != 0 || crn != 12 || crm != 11 || op2 < 5 || (iss & 1))
		return false;
	/*
	 * With one Security state (GICD_CTLR.DS reads 1) ICC_SGI0R_EL1 generates Group 0 SGIs, and so does
	 * ICC_ASGI1R_EL1, whose "other Security state" does not exist (GIC architecture specification,
	 * "Forwarding an SGI to a target PE"; QEMU's own GIC and KVM's agree). An SGI is forwarded only to a
	 * PE where it is configured in the group generated, and every interrupt here is Group 1: the write
	 * is accepted and makes nothing pending.
	 */
	if (op2 != 5)
		return true;
	value = arch_vcpu_reg(vcpu, (unsigned int)rt);
	intid = (value >> 24) & 0xf;
	broadcast = value & BIT(40);	/* IRM: every vCPU but the sender */
	/* Aff3.Aff2.Aff1 of the targets, and RS: which 16 Aff0 values the target list's bits stand for. */
	cluster = ((value >> 48) & 0xff) << 32 | ((value >> 32) & 0xff) << 16 | ((value >> 16) & 0xff) << 8;

	hv_spin_lock(&s->lock);
	for (u64 t = 0; t < count; t++) {
		u64 aff = vcpu_affinity(guest, t);

		if (broadcast ? t == vcpu->index
			      : (aff & ~0xffUL) != cluster || ((aff & 0xff) >> 4) != ((value >> 44) & 0xf) ||
				!(value & BIT(aff & 0xf)))
			continue;
		s->cpu[t].priv[intid].latched = 1;
		mark(s, dev, t);
	}
	hv_spin_unlock(&s->lock);
	return true;
}

/* --- MMIO --- */

/* A bit-per-interrupt register (set/clear enable/pending/active): 32 interrupts from `first`. */
static u64 bits_read(struct vgic_v3_state *s, u64 vcpu, u64 first, u64 reg)
{
	u64 value = 0;

	for (u64 i = 0; i < 32; i++) {
		struct virq *v = irq_of(s, vcpu, first + i);
		bool bit = false;

		if (!v)
			continue;
		switch (reg) {
		case GICD_ISENABLER:
		case GICD_ICENABLER:
			bit = v->enabled;
			break;
		case GICD_ISPENDR:
		case GICD_ICPENDR:
			bit = v->latched || (!v->edge && v->level) || v->lr;
			break;
		case GICD_ISACTIVER:
		case GICD_ICACTIVER:
			bit = v->lr != 0;	/* approximately: in the guest's hands */
			break;
		case GICD_IGROUPR:
			bit = true;		/* everything is group 1 */
			break;
		}
		if (bit)
			value |= BIT(i);
	}
	return value;
}

static void bits_write(struct vgic_v3_state *s, const struct hv_device *dev, u64 vcpu, u64 first, u64 reg, u32 value)
{
	for (u64 i = 0; i < 32; i++) {
		struct virq *v = irq_of(s, vcpu, first + i);
		u64 target = first + i < NR_PRIVATE ? vcpu : 0;

		if (!v || !(value & BIT(i)))
			continue;
		if (first + i >= NR_PRIVATE)
			target = v->target;
		switch (reg) {
		case GICD_ISENABLER:
			v->enabled = 1;
			set_enabled_bit(s, vcpu, first + i, true);
			mark(s, dev, target);
			break;
		case GICD_ICENABLER:
			v->enabled = 0;
			set_enabled_bit(s, vcpu, first + i, false);
			break;
		case GICD_ISPENDR:
			v->latched = 1;
			mark(s, dev, target);
			break;
		case GICD_ICPENDR:
			v->latched = 0;
			break;
		default:
			break;	/* IGROUPR (all group 1), ISACTIVER/ICACTIVER: ignored */
		}
	}
}

/* The registers the distributor and the SGI_base frame share the layout of, for interrupts first..first+N. */
static bool irq_regs(struct vgic_v3_state *s, const struct hv_device *dev, u64 vcpu, u64 off, bool spis,
		     struct hv_mmio_access *a)
{
	u64 limit = spis ? NR_IRQS : NR_PRIVATE;

	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
		u64 reg = off & ~0x7fUL;
		u64 first = (off & 0x7f) * 8;

		if (a->size != 4)
			return false;
		if (first >= limit || (spis && first < NR_PRIVATE)) {
			a->value = 0;	/* private interrupts live in the redistributor with ARE */
			return true;
		}
		if (a->write)
			bits_write(s, dev, vcpu, first, reg, (u32)a->value);
		else
			a->value = bits_read(s, vcpu, first, reg);
		return true;
	}
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 0x400) {
		u64 first = off - GICD_IPRIORITYR;

		a->value = a->write ? a->value : 0;
		for (u64 i = 0; i < a->size; i++) {
			struct virq *v = first + i < limit ? irq_of(s, vcpu, first + i) : NULL;

			if (!v || (spis && first + i < NR_PRIVATE))
				continue;
			if (a->write)
				v->priority = (u8)(a->value >> (8 * i));
			else
				a->value |= (u64)v->priority << (8 * i);
		}
		return true;
	}
	if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
		u64 first = (off - GICD_ICFGR) * 4;

		if (a->size != 4)
			return false;
		if (!a->write)
			a->value = 0;
		for (u64 i = 0; i < 16; i++) {
			struct virq *v = first + i < limit ? irq_of(s, vcpu, first + i) : NULL;

			if (!v || (spis && first + i < NR_PRIVATE))
				continue;
			if (a->write && first + i >= 16)	/* SGIs are always edge */
				v->edge = (a->value >> (2 * i + 1)) & 1;
			else if (!a->write)
				a->value |= (u64)v->edge << (2 * i + 1);
		}
		return true;
	}
	/* IGRPMODR, NSACR and the rest of the frame: RAZ/WI. */
	if (!a->write)
		a->value = 0;
	return true;
}

static bool dist_mmio(struct vgic_v3_state *s, const struct hv_device *dev, struct hv_vcpu *vcpu,
		      struct hv_mmio_access *a)
{
	u64 off = a->offset;
	u64 count = vcpu->guest->cfg->vcpu_count;

	switch (off) {
	case GICD_CTLR:
		if (a->write)
			s->ctlr = (u32)a->value & GICD_CTLR_GRP1;
		else
			a->value = s->ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
		if (a->write)
			for (u64 i = 0; i < count; i++)
				mark(s, dev, i);
		return true;
	case GICD_TYPER:
		/*
		 * ITLinesNumber: interrupts up to 32 * (N + 1), those past NR_IRQS reserved (RAZ/WI); IDbits 10;
		 * CPUNumber; no LPIs, no MBIs, no security extensions.
		 */
		a->value = a->write ? a->value : (DIV_ROUND_UP(NR_IRQS, 32) - 1) | 9UL << 19 | ((count - 1) & 7) << 5;
		return true;
	case GICD_IIDR:
		a->value = a->write ? a->value : IIDR_ARM;
		return true;
	case GICD_PIDR2:
		a->value = a->write ? a->value : PIDR2_GICV3;
		return true;
	}
	if (off >= GICD_IROUTER + NR_PRIVATE * 8 && off < GICD_IROUTER + NR_IRQS * 8) {
		u64 spi = (off - GICD_IROUTER) / 8 - NR_PRIVATE;
		u64 shift = (off & 4) * 8;

		if (a->write) {
			u64 mask = (a->size == 8 ? ~0UL : 0xffffffffUL) << shift;
			u64 r = (s->irouter[spi] & ~mask) | ((a->value << shift) & mask);
			u64 target = 0;

			s->irouter[spi] = r;
			/* IRM (any vCPU), or an affinity no vCPU has: the first vCPU takes it. */
			if (!(r & BIT(31)))
				for (u64 t = 0; t < count; t++)
					if (vcpu_affinity(vcpu->guest, t) == (r & AFF_MASK))
						target = t;
			s->spi[spi].target = (u8)target;
			mark(s, dev, target);
		} else {
			a->value = s->irouter[spi] >> shift;
		}
		return true;
	}
	if (off >= GICD_IROUTER)
		return (a->value = a->write ? a->value : 0), true;
	return irq_regs(s, dev, 0, off, true, a);
}

static bool redist_mmio(struct vgic_v3_state *s, const struct hv_device *dev, struct hv_vcpu *vcpu,
			struct hv_mmio_access *a)
{
	u64 count = vcpu->guest->cfg->vcpu_count;
	u64 frame = a->offset / GICR_FRAME;
	u64 off = a->offset % GICR_FRAME;
	struct vgic_cpu *c;

	if (frame >= count) {
		/* Frames past the last vCPU's: nothing there. */
		if (!a->write)
			a->value = 0;
		return true;
	}
	c = &s->cpu[frame];
	if (off >= GICR_SGI)
		return irq_regs(s, dev, frame, off - GICR_SGI, false, a);

	switch (off & ~7UL) {
	case GICR_TYPER: {
		/* Affinity_Value (Aff3.Aff2.Aff1.Aff0 of the vCPU), Processor_Number, Last. */
		u64 aff = vcpu_affinity(vcpu->guest, frame);
		u64 typer = (((aff >> 8) & 0xff000000) | (aff & 0xffffff)) << 32 | frame << 8 |
			    (frame == count - 1 ? GICR_TYPER_LAST : 0);

		if (!a->write)
			a->value = typer >> ((off & 4) * 8);
		return true;
	}
	}
	switch (off) {
	case GICR_CTLR:
		if (!a->write)
			a->value = 0;	/* no LPIs; writes complete at once */
		return true;
	case GICR_IIDR:
		a->value = a->write ? a->value : IIDR_ARM;
		return true;
	case GICR_WAKER:
		if (a->write)
			c->waker = (a->value & GICR_WAKER_SLEEP) ? GICR_WAKER_SLEEP | GICR_WAKER_ASLEEP : 0;
		else
			a->value = c->waker;
		return true;
	case GICR_PIDR2:
		a->value = a->write ? a->value : PIDR2_GICV3;
		return true;
	}
	/* PROPBASER, PENDBASER (no LPIs), STATUSR, the ID registers: RAZ/WI. */
	if (!a->write)
		a->value = 0;
	return true;
}

static bool vgic_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *access)
{
	struct vgic_v3_state *s = dev->state;
	bool ok;

	if (access->size < 4 && !(access->window == 0 && access->offset >= GICD_IPRIORITYR &&
				  access->offset < GICD_IPRIORITYR + 0x400) &&
	    !(access->window == 1 && access->offset % GICR_FRAME >= GICR_SGI + GICD_IPRIORITYR &&
	      access->offset % GICR_FRAME < GICR_SGI + GICD_IPRIORITYR + 0x20))
		return false;	/* byte accesses only to the priority registers */

	hv_spin_lock(&s->lock);
	if (access->window == 0)
		ok = dist_mmio(s, dev, vcpu, access);
	else
		ok = redist_mmio(s, dev, vcpu, access);
	hv_spin_unlock(&s->lock);
	return ok;
}

static const struct hv_vintc_ops vgic_v3_vintc_ops = {
	.vcpu_init = vgic_vcpu_init,
	.vcpu_reset = vgic_vcpu_reset,
	.set_level = vgic_set_level,
	.host_irq = vgic_host_irq,
	.flush = vgic_flush,
	.sysreg = vgic_sysreg,
	.vcpu_put = vgic_vcpu_put,
	.vcpu_load = vgic_vcpu_load,
	.pending = vgic_pending,
	.timer_fired = vgic_timer_fired,
};

const struct hv_emulator_ops vgic_v3_emulator_ops = {
	.name = "vgic-v3",
	.reset = vgic_reset,
	.mmio = vgic_mmio,
	.vintc = &vgic_v3_vintc_ops,
};
