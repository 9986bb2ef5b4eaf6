// SPDX-License-Identifier: Apache-2.0
/*
 * A guest's RISC-V PLIC (the platform-level interrupt controller of the RISC-V PLIC specification, as
 * QEMU's virt and Linux's irq-sifive-plic know it), with context n for vCPU n's S-mode external interrupt.
 *
 * Each source is level-sensitive through its gateway: a line that is high makes the source pending unless
 * it is in service (claimed and not yet completed); completing it lets a line still high make it pending
 * again. A context's external interrupt is "some pending source it enables has a priority above its
 * threshold"; it reaches the vCPU as hvip.VSEIP, brought up to date before every return to the guest
 * (flush), and a vCPU on another hart is kicked when a line change may have given it one.
 *
 * Registers are 32 bits wide, at 4-byte aligned offsets: priorities from 0, pending bits at 0x1000, context
 * n's enables at 0x2000 + 0x80 * n, its threshold at 0x200000 + 0x1000 * n and claim/complete 4 bytes on.
 * Priorities and thresholds have 3 bits (0-7, as QEMU's PLIC); priority 0 never interrupts. Registers of
 * sources or contexts the guest does not have read as 0 and ignore writes.
 */
#include <hv/arch.h>
#include <hv/emulator.h>
#include <hv/vintc.h>
#include <arch/csr.h>
#include "vplic.h"

#define PRIORITY_BASE	0x000000
#define PENDING_BASE	0x001000
#define ENABLE_BASE	0x002000
#define ENABLE_STRIDE	0x80
#define CONTEXT_BASE	0x200000
#define CONTEXT_STRIDE	0x1000
#define CONTEXT_CLAIM	4

#define PRIORITY_MASK	7

static bool test(const u32 *bits, u64 n)
{
	return bits[n / 32] & (1U << (n % 32));
}

static void assign(u32 *bits, u64 n, bool v)
{
	if (v)
		bits[n / 32] |= 1U << (n % 32);
	else
		bits[n / 32] &= ~(1U << (n % 32));
}

static u64 contexts(const struct hv_device *dev)
{
	struct hv_guest *guest = hv_device_guest(dev);

	return guest ? guest->cfg->vcpu_count : 0;
}

/* With the lock held: the source context `c` would claim now, or 0. Highest priority first, then the lowest number. */
static u64 best(const struct vplic_state *s, u64 c)
{
	const struct vplic_context *ctx = &s->ctx[c];
	u64 id = 0;
	u32 prio = ctx->threshold;

	for (u64 w = 0; w < VPLIC_WORDS; w++) {
		u32 candidates = s->pending[w] & ctx->enable[w];

		while (candidates) {
			u64 n = w * 32 + (u64)__builtin_ctz(candidates);

			candidates &= candidates - 1;
			if (n < VPLIC_SOURCES && s->priority[n] > prio) {
				prio = s->priority[n];
				id = n;
			}
		}
	}
	return id;
}

static void vplic_reset(const struct hv_device *dev)
{
	struct vplic_state *s = dev->state;

	hv_spin_lock(&s->lock);
	memset(s->priority, 0, sizeof(s->priority));
	memset(s->pending, 0, sizeof(s->pending));
	memset(s->claimed, 0, sizeof(s->claimed));
	memset(s->level, 0, sizeof(s->level));
	memset(s->ctx, 0, sizeof(s->ctx));
	hv_spin_unlock(&s->lock);
}

static void vplic_vcpu_init(struct hv_vcpu *vcpu, const struct hv_device *dev)
{
	(void)dev;
	/* Its WFI need not trap: a virtual interrupt (or the hypervisor's kick) ends it. */
	arch_vcpu_trap_wfi(vcpu, false);
	/* Flushed on every return: the flush is what lowers VSEIP once the guest has claimed its interrupt. */
	WRITE_ONCE(vcpu->vintc_flush, 1);
}

static void vplic_vcpu_reset(struct hv_vcpu *vcpu, const struct hv_device *dev)
{
	struct vplic_state *s = dev->state;

	hv_spin_lock(&s->lock);
	memset(&s->ctx[vcpu->index], 0, sizeof(s->ctx[vcpu->index]));
	hv_spin_unlock(&s->lock);
	csr_clear(hvip, HVIP_VSEIP);
}

static void vplic_set_level(const struct hv_device *dev, u64 id, bool level)
{
	struct vplic_state *s = dev->state;
	struct hv_guest *guest = hv_device_guest(dev);
	u64 wake = 0;

	if (id == 0 || id >= VPLIC_SOURCES || !guest)
		return;
	hv_spin_lock(&s->lock);
	assign(s->level, id, level);
	if (level && !test(s->claimed, id) && !test(s->pending, id)) {
		assign(s->pending, id, true);
		for (u64 c = 0; c < guest->cfg->vcpu_count; c++)
			if (test(s->ctx[c].enable, id) && best(s, c) == id)
				wake |= BIT(c);
	}
	hv_spin_unlock(&s->lock);
	/* Outside the lock: a kick is a firmware call. */
	for (u64 c = 0; c < guest->cfg->vcpu_count; c++)
		if (wake & BIT(c))
			hv_vcpu_kick(guest->vcpus[c]);
}

static bool vplic_host_irq(struct hv_vcpu *vcpu, const struct hv_device *dev, u64 id)
{
	(void)vcpu;
	(void)dev;
	(void)id;
	return false;	/* no physical interrupt is forwarded to guests */
}

static void vplic_flush(struct hv_vcpu *vcpu, const struct hv_device *dev)
{
	struct vplic_state *s = dev->state;
	bool eip;

	hv_spin_lock(&s->lock);
	eip = best(s, vcpu->index) != 0;
	hv_spin_unlock(&s->lock);
	if (eip)
		csr_set(hvip, HVIP_VSEIP);
	else
		csr_clear(hvip, HVIP_VSEIP);
}

static u64 claim(struct vplic_state *s, u64 c)
{
	u64 id = best(s, c);

	if (id) {
		assign(s->pending, id, false);
		assign(s->claimed, id, true);
	}
	return id;
}

static void complete(struct vplic_state *s, u64 c, u64 id)
{
	/* A completion for a source the context does not enable is ignored (PLIC specification). */
	if (id == 0 || id >= VPLIC_SOURCES || !test(s->ctx[c].enable, id))
		return;
	assign(s->claimed, id, false);
	if (test(s->level, id))
		assign(s->pending, id, true);
}

static bool vplic_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *access)
{
	struct vplic_state *s = dev->state;
	u64 off = access->offset;
	u64 n = contexts(dev);
	u32 v = (u32)access->value;
	u64 out = 0;

	(void)vcpu;
	if (access->size != 4 || (off & 3))
		return false;
	hv_spin_lock(&s->lock);
	if (off < PENDING_BASE) {
		u64 id = off / 4;

		if (id && id < VPLIC_SOURCES) {
			if (access->write)
				s->priority[id] = v & PRIORITY_MASK;
			else
				out = s->priority[id];
		}
	} else if (off < ENABLE_BASE) {
		u64 w = (off - PENDING_BASE) / 4;

		if (!access->write && w < VPLIC_WORDS)
			out = s->pending[w];
	} else if (off < CONTEXT_BASE) {
		u64 c = (off - ENABLE_BASE) / ENABLE_STRIDE;
		u64 w = (off - ENABLE_BASE) % ENABLE_STRIDE / 4;

		if (c < n && w < VPLIC_WORDS) {
			if (access->write)
				/* Source 0 does not exist; nor do those past the last. */
				s->ctx[c].enable[w] = v & ~(w == 0 ? 1U : 0U) &
						      (w == VPLIC_WORDS - 1 && VPLIC_SOURCES % 32 ? (1U << (VPLIC_SOURCES % 32)) - 1 : ~0U);
			else
				out = s->ctx[c].enable[w];
		}
	} else {
		u64 c = (off - CONTEXT_BASE) / CONTEXT_STRIDE;
		u64 reg = (off - CONTEXT_BASE) % CONTEXT_STRIDE;

		if (c < n && reg == 0) {
			if (access->write)
				s->ctx[c].threshold = v & PRIORITY_MASK;
			else
				out = s->ctx[c].threshold;
		} else if (c < n && reg == CONTEXT_CLAIM) {
			if (access->write)
				complete(s, c, v);
			else
				out = claim(s, c);
		}
	}
	hv_spin_unlock(&s->lock);
	if (!access->write)
		access->value = out;
	return true;
}

static const struct hv_vintc_ops vplic_vintc_ops = {
	.vcpu_init = vplic_vcpu_init,
	.vcpu_reset = vplic_vcpu_reset,
	.set_level = vplic_set_level,
	.host_irq = vplic_host_irq,
	.flush = vplic_flush,
	.sysreg = NULL,		/* RISC-V has no system registers of an interrupt controller to trap */
};

const struct hv_emulator_ops vplic_emulator_ops = {
	.name = "vplic",
	.reset = vplic_reset,
	.mmio = vplic_mmio,
	.vintc = &vplic_vintc_ops,
};
