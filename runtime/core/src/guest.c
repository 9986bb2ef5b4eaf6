// SPDX-License-Identifier: Apache-2.0
/*
 * The guest life cycle (load, stop, reset), the decision whether a vCPU may run on, MMIO dispatch and fault
 * containment.
 */
#include <hv/lz4.h>
#include "internal.h"

#ifdef CONFIG_HV_GUEST_STATS
#define IS_ENABLED_STATS	1
#else
#define IS_ENABLED_STATS	0
#endif

/* Guests reset on any pCPU, and there is one scratch buffer for the dictionaries. */
static hv_spinlock_t image_scratch_lock;

/* The compiler wrote the block: one that does not fill the segment exactly means a damaged image. */
static bool segment_expand(const struct hv_load_segment *s)
{
	const struct hv_load_segment *d = s->dict;
	u8 *dest = (u8 *)(uintptr_t)s->dest_pa;
	bool ok;

	if (!d)
		return hv_lz4_expand(dest, s->size, s->src, s->stored_size, NULL, 0) == (s64)s->size;
	hv_spin_lock(&image_scratch_lock);
	ok = d->size <= hv_config.image_scratch_size && !d->dict &&
	     hv_lz4_expand(hv_config.image_scratch, d->size, d->src, d->stored_size, NULL, 0) == (s64)d->size &&
	     hv_lz4_expand(dest, s->size, s->src, s->stored_size, hv_config.image_scratch, d->size) == (s64)s->size;
	hv_spin_unlock(&image_scratch_lock);
	return ok;
}

/* Copies the guest's image into its RAM and puts its devices in their reset state. */
void hv_guest_load(struct hv_guest *guest)
{
	const struct hv_guest_config *g = guest->cfg;

	for (u64 i = 0; i < g->segment_count; i++) {
		const struct hv_load_segment *s = &g->segments[i];
		u8 *dest = (u8 *)(uintptr_t)s->dest_pa;

		if (s->stored_size != s->size) {
			if (!segment_expand(s))
				hv_panic("guest '%s': its image is damaged (PA 0x%lx)", g->name, s->dest_pa);
		} else if (s->size) {
			memcpy(dest, s->src, s->size);
		}
		if (s->zero_size)
			memset(dest + s->size, 0, s->zero_size);
		/* The guest starts with its MMU and caches off, so the data must reach memory. */
		arch_sync_guest_memory(s->dest_pa, s->size + s->zero_size);
	}
	for (u64 i = 0; i < g->device_count; i++) {
		const struct hv_device *dev = &g->devices[i];

		if (dev->ops->reset)
			dev->ops->reset(dev);
	}
}

/* What the guest cost the hypervisor: its vCPUs' traps and its devices' own counts. */
static void guest_print_stats(struct hv_guest *guest)
{
	const struct hv_guest_config *g = guest->cfg;
	u64 traps = 0;

	for (u64 i = 0; i < g->vcpu_count; i++)
		traps += READ_ONCE(guest->vcpus[i]->traps);
	hv_log("guest '%s': %lu traps to the hypervisor", g->name, traps);
	for (u64 i = 0; i < g->device_count; i++) {
		const struct hv_device *dev = &g->devices[i];
		char buf[192];

		if (!dev->ops->stats)
			continue;
		dev->ops->stats(dev, buf, sizeof(buf));
		hv_log("guest '%s': %s: %s", g->name, dev->path, buf);
	}
}

/* Before a cold start: nothing of the guest's previous run may be left in its RAM. */
static void guest_clear_ram(struct hv_guest *guest)
{
	const struct hv_guest_config *g = guest->cfg;

	for (u64 i = 0; i < g->mem_count; i++) {
		if (!(g->mem[i].flags & HV_MEM_RAM))
			continue;
		memset((void *)(uintptr_t)g->mem[i].pa, 0, g->mem[i].size);
		arch_sync_guest_memory(g->mem[i].pa, g->mem[i].size);
	}
}

void hv_guest_stop(struct hv_guest *guest, const char *line)
{
	hv_spin_lock(&guest->lock);
	if (guest->state == HV_GUEST_STOPPED) {
		hv_spin_unlock(&guest->lock);
		return;
	}
	hv_guest_console_flush(guest);
	if (line)
		hv_log("%s", line);
	store_release(&guest->state, HV_GUEST_STOPPED);
	/* The guest's vCPUs on other pCPUs may be running: make them trap, then they see the stop. */
	arch_guest_block(guest);
	hv_spin_unlock(&guest->lock);
	if (IS_ENABLED_STATS)
		guest_print_stats(guest);
	hv_cpu_notify();

	if (__atomic_sub_fetch(&hv_running_guests, 1, __ATOMIC_ACQ_REL) == 0) {
		if (hv_config.scheduler)
			hv_config.scheduler->report();
		/* The terminal can start them again: it keeps the machine up. */
		if (hv_terminal()) {
			hv_log("all guests have stopped; the management terminal keeps the machine up (%s t)",
			       hv_session_escape_name());
			return;
		}
		hv_session_end();
		hv_log("all guests have stopped, powering off");
		arch_host_system_off();
	}
}

void hv_guest_request_reset(struct hv_guest *guest, const char *why)
{
	hv_spin_lock(&guest->lock);
	if (guest->state == HV_GUEST_RUNNING) {
		hv_guest_console_flush(guest);
		hv_log("guest '%s' requested a reset (%s), restarting it", guest->cfg->name, why);
		store_release(&guest->epoch, guest->epoch + 1);
		arch_guest_block(guest);
	}
	hv_spin_unlock(&guest->lock);
	hv_cpu_notify();
}

/* Runs on vCPU 0's pCPU once vCPU 0 has acknowledged reset `epoch`. */
static void guest_restart(struct hv_vcpu *vcpu0, u64 epoch)
{
	struct hv_guest *guest = vcpu0->guest;

	for (u64 i = 1; i < guest->cfg->vcpu_count; i++) {
		while (load_acquire(&guest->vcpus[i]->epoch) != epoch) {
			/* Another reset or a stop overtook this one: start over in the caller. A pause does not. */
			if (load_acquire(&guest->epoch) != epoch || load_acquire(&guest->state) == HV_GUEST_STOPPED)
				return;
			hv_cpu_wait();
		}
	}

	/* Every vCPU is out of the guest: its memory can be reloaded, then mapped again. */
	hv_passthrough_irqs_quiesce(guest);
	if (hv_manage_take_cold(guest))
		guest_clear_ram(guest);
	hv_guest_load(guest);

	hv_spin_lock(&guest->lock);
	/* Not if a stop or another reset came meanwhile: it blocked the guest, and the block must hold. */
	if (guest->epoch == epoch && guest->state != HV_GUEST_STOPPED) {
		arch_guest_unblock(guest);
		vcpu0->on_entry = guest->cfg->entry;
		vcpu0->on_context = guest->cfg->boot_arg;
		store_release(&vcpu0->power, HV_VCPU_ON_PENDING);
	}
	hv_spin_unlock(&guest->lock);
}

bool hv_vcpu_must_yield(struct hv_vcpu *vcpu)
{
	struct hv_guest *guest = vcpu->guest;

	/*
	 * Plain loads: nothing published with these is read when the answer is no, and a yes is settled by
	 * settle(), which loads them again with acquire. A change that these loads miss blocked the guest, so
	 * the vCPU traps again before it runs on (see hv_vcpu_settle_mmio()).
	 */
	return READ_ONCE(hv_panicking) || READ_ONCE(guest->state) != HV_GUEST_RUNNING ||
	       vcpu->epoch != READ_ONCE(guest->epoch);
}

/* After a panic: make every vCPU trap (it then halts in hv_vcpu_settle()). */
void hv_stop_all_guests(void)
{
	if (!load_acquire(&hv_guests_ready))
		return;		/* no guest has run yet */
	for (u64 gi = 0; gi < hv_config.guest_count; gi++)
		arch_guest_block(&hv_guests[gi]);
	hv_cpu_notify();
}

static __noinline void settle(struct hv_vcpu *vcpu);

/* Out of line, so that an exit with nothing to flush does not load what the call needs. */
static __noinline void vintc_flush_now(struct hv_vcpu *vcpu)
{
	const struct hv_device *vintc = vcpu->guest->vintc;

	vintc->ops->vintc->flush(vcpu, vintc);
}

/* Only a vCPU whose guest has an interrupt controller ever has vintc_flush set (by that controller). */
static inline void vintc_flush(struct hv_vcpu *vcpu)
{
	if (READ_ONCE(vcpu->vintc_flush))
		vintc_flush_now(vcpu);
}

__attribute__((always_inline)) bool hv_vcpu_settle_fast(struct hv_vcpu *vcpu)
{
	struct hv_guest *guest = vcpu->guest;

	if (IS_ENABLED_STATS)
		vcpu->traps++;
	hv_pcpu_exit_count[arch_cpu_id()]++;

	/*
	 * Every exit ends here, and nearly always the guest runs on as it was: the first round of settle()'s
	 * loop, with the same loads in the same order, without its frame. Anything else, and every exit under
	 * a scheduler (settle() holds its preemption point), is settle()'s. Plain loads, as in
	 * hv_vcpu_must_yield(): when they all say the vCPU runs on, nothing they publish is read, and a change
	 * they miss blocked the guest, which makes the vCPU trap again and settle() see it.
	 */
	if (!READ_ONCE(hv_panicking) && !hv_config.scheduler) {
		u64 epoch;

		hv_cpu_run_pending();
		epoch = READ_ONCE(guest->epoch);
		if (READ_ONCE(guest->state) == HV_GUEST_RUNNING && vcpu->epoch == epoch &&
		    READ_ONCE(vcpu->power) == HV_VCPU_ON) {
			vintc_flush(vcpu);
			return true;
		}
	}
	return false;
}

__attribute__((always_inline)) bool hv_vcpu_settle_mmio(struct hv_vcpu *vcpu)
{
	if (IS_ENABLED_STATS)
		vcpu->traps++;
	hv_pcpu_exit_count[arch_cpu_id()]++;
	if (hv_config.scheduler)
		return false;
	hv_cpu_run_pending();
	vintc_flush(vcpu);
	return true;
}

void hv_vcpu_settle_rest(struct hv_vcpu *vcpu)
{
	settle(vcpu);
}

__attribute__((always_inline)) void hv_vcpu_settle(struct hv_vcpu *vcpu)
{
	if (!hv_vcpu_settle_fast(vcpu))
		settle(vcpu);
}

static __noinline void settle(struct hv_vcpu *vcpu)
{
	struct hv_guest *guest = vcpu->guest;

	for (;;) {
		u64 epoch;
		u64 power;

		if (load_acquire(&hv_panicking))
			arch_halt();
		/* Timers and work first: they may raise interrupts this very return should deliver. */
		hv_cpu_run_pending();
		epoch = load_acquire(&guest->epoch);

		if (load_acquire(&guest->state) == HV_GUEST_STOPPED) {
			WRITE_ONCE(vcpu->power, HV_VCPU_OFF);
			hv_cpu_wait();
			continue;
		}
		if (vcpu->epoch != epoch) {
			/* The guest is being reset: this vCPU is off until vCPU 0 has restarted it. */
			hv_spin_lock(&guest->lock);
			vcpu->power = HV_VCPU_OFF;
			store_release(&vcpu->epoch, epoch);
			hv_spin_unlock(&guest->lock);
			hv_cpu_notify();
			if (vcpu->index == 0)
				guest_restart(vcpu, epoch);
			continue;
		}
		/* Paused: every register and the power state stay as they are until it is resumed. */
		if (load_acquire(&guest->state) == HV_GUEST_PAUSED) {
			hv_cpu_wait();
			continue;
		}

		power = load_acquire(&vcpu->power);
		if (power == HV_VCPU_ON_PENDING) {
			arch_vcpu_reset(vcpu, vcpu->on_entry, vcpu->on_context);
			if (guest->vintc)
				guest->vintc->ops->vintc->vcpu_reset(vcpu, guest->vintc);
			store_release(&vcpu->power, HV_VCPU_ON);
			power = HV_VCPU_ON;
		}
		if (power == HV_VCPU_ON) {
			/* Others may be due first; when it comes back, maybe much later, it looks again. */
			if (hv_config.scheduler && hv_config.scheduler->preempt(vcpu))
				continue;
			vintc_flush(vcpu);
			return;
		}
		hv_cpu_wait();
	}
}

void hv_vcpu_fault(struct hv_vcpu *vcpu, const struct hv_fault *fault)
{
	char line[256];
	char syndrome[128];

	arch_trap_describe(syndrome, sizeof(syndrome), fault->syndrome, fault->detail);
	if (fault->has_gpa)
		hv_snprintf(line, sizeof(line), "guest '%s' stopped: vCPU %lu %s at IPA 0x%lx, PC 0x%lx, %s",
			    vcpu->guest->cfg->name, vcpu->index, fault->what, fault->gpa, fault->pc, syndrome);
	else
		hv_snprintf(line, sizeof(line), "guest '%s' stopped: vCPU %lu %s, PC 0x%lx, %s", vcpu->guest->cfg->name,
			    vcpu->index, fault->what, fault->pc, syndrome);
	hv_manage_fault(vcpu->guest, line);
	hv_guest_stop(vcpu->guest, line);
}

const struct hv_device *hv_guest_find_device(struct hv_guest *guest, u64 gpa, u32 *window)
{
	const struct hv_guest_config *g = guest->cfg;

	for (u64 i = 0; i < g->device_count; i++) {
		const struct hv_device *dev = &g->devices[i];

		for (u64 w = 0; w < dev->window_count; w++) {
			if (gpa >= dev->windows[w].base && gpa - dev->windows[w].base < dev->windows[w].size) {
				if (window)
					*window = (u32)w;
				return dev;
			}
		}
	}
	return NULL;
}

const struct hv_device *hv_vcpu_find_device_slow(struct hv_vcpu *vcpu, u64 gpa)
{
	u32 window;
	const struct hv_device *dev = hv_guest_find_device(vcpu->guest, gpa, &window);

	if (!dev)
		return NULL;
	vcpu->mmio_dev = dev;
	vcpu->mmio_base = dev->windows[window].base;
	vcpu->mmio_size = dev->windows[window].size;
	vcpu->mmio_window = window;
	return dev;
}

bool hv_vcpu_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *access)
{
	/* An access straddling the end of the window belongs to no device. */
	if (access->window >= dev->window_count ||
	    access->offset + access->size > dev->windows[access->window].size)
		return false;
	if (access->write && dev->ops->mmio_write)
		return dev->ops->mmio_write(vcpu, dev, access->window, access->offset, access->size, access->value);
	return dev->ops->mmio(vcpu, dev, access);
}

/*
 * Never inlined: the access struct is built, in a frame of its own, only for an emulator without a write
 * hook; inlined, its frame would be set up on every MMIO exit.
 */
__noinline bool hv_device_write_access(struct hv_vcpu *vcpu, const struct hv_device *dev, u32 window, u64 offset,
				       u32 size, u64 value)
{
	struct hv_mmio_access access = {
		.offset = offset, .value = value, .size = size, .window = window, .write = true,
	};

	return dev->ops->mmio(vcpu, dev, &access);
}

struct hv_guest *hv_device_guest(const struct hv_device *dev)
{
	for (u64 gi = 0; gi < hv_config.guest_count; gi++) {
		const struct hv_guest_config *g = &hv_config.guests[gi];

		if (dev >= g->devices && dev < g->devices + g->device_count)
			return &hv_guests[gi];
	}
	return NULL;
}
