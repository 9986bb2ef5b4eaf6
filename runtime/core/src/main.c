// SPDX-License-Identifier: Apache-2.0
/*
 * Boot, guest loading, the vCPU life cycle and fault containment.
 *
 * Every vCPU is pinned to its own pCPU, so "running a vCPU" is: set it up once, enter the guest, and from
 * then on handle each trap on that pCPU and return to the guest. A vCPU that is off, or whose guest stopped,
 * waits inside hv_vcpu_settle() on its pCPU until there is something to run again.
 */
#include <hv/core.h>

static struct hv_guest guests[CONFIG_HV_MAX_CPUS];
static struct hv_vcpu vcpus[CONFIG_HV_MAX_CPUS];	/* by pCPU index */
static u64 running_guests;
static bool guests_ready;	/* the config checked out and every guest is set up */

struct hv_vcpu *hv_current_vcpu(void)
{
	return &vcpus[arch_cpu_id()];
}

/*
 * A guest's name prefixes its console lines ("[name] "), so it must not be the hypervisor's "hv" nor hold
 * anything that could end the prefix or the line: device-tree node-name characters only.
 */
static bool guest_name_ok(const char *name)
{
	size_t n = 0;

	for (; name[n]; n++) {
		char c = name[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ',' ||
		      c == '.' || c == '_' || c == '+' || c == '-'))
			return false;
	}
	return n && !(n == 2 && (name[0] | 0x20) == 'h' && (name[1] | 0x20) == 'v');
}

/*
 * The compiler already checked all of this; checking again costs nothing and turns a compiler/runtime
 * mismatch into a clear message instead of a wild memory access.
 */
static void check_config(void)
{
	const struct hv_system_config *c = &hv_config;

	if (c->abi_version != HV_CONFIG_ABI_VERSION)
		hv_panic("config ABI version %lu, runtime expects %u", c->abi_version, HV_CONFIG_ABI_VERSION);
	if (c->pcpu_count == 0 || c->pcpu_count > CONFIG_HV_MAX_CPUS)
		hv_panic("config has %lu CPUs, runtime built for 1..%u", c->pcpu_count, CONFIG_HV_MAX_CPUS);
	if (c->guest_count > c->pcpu_count)
		hv_panic("config has %lu guests for %lu CPUs", c->guest_count, c->pcpu_count);

	for (u64 gi = 0; gi < c->guest_count; gi++) {
		const struct hv_guest_config *g = &c->guests[gi];

		if (!guest_name_ok(g->name))
			hv_panic("guest %lu's name cannot prefix its console lines (see HV3044)", gi);
		if (g->vcpu_count == 0 || g->vcpu_count > c->pcpu_count)
			hv_panic("guest '%s' has %lu vCPUs", g->name, g->vcpu_count);
		if (!g->s2_root || ((uintptr_t)g->s2_root & 0xfff))
			hv_panic("guest '%s': stage-2 root table %p is missing or not 4 KiB aligned", g->name,
				 (const void *)g->s2_root);
		/* 8-bit VMIDs (VTCR_EL2.VS = 0), one per guest: a shared VMID would share TLB entries. */
		if (g->vmid > 0xff)
			hv_panic("guest '%s': VMID %lu does not fit in 8 bits", g->name, g->vmid);
		for (u64 other = 0; other < gi; other++)
			if (c->guests[other].vmid == g->vmid)
				hv_panic("guests '%s' and '%s' share VMID %lu", c->guests[other].name, g->name, g->vmid);
		for (u64 vi = 0; vi < g->vcpu_count; vi++) {
			u64 p = g->vcpus[vi].pcpu;

			if (p >= c->pcpu_count || c->pcpus[p].guest != gi || c->pcpus[p].vcpu != vi)
				hv_panic("guest '%s' vCPU %lu: pCPU %lu does not point back at it", g->name, vi, p);
		}
	}
	for (u64 p = 0; p < c->pcpu_count; p++) {
		const struct hv_pcpu_config *pc = &c->pcpus[p];

		if (pc->guest != HV_NO_GUEST &&
		    (pc->guest >= c->guest_count || pc->vcpu >= c->guests[pc->guest].vcpu_count))
			hv_panic("pCPU %lu names guest %lu vCPU %lu, which does not exist", p, pc->guest, pc->vcpu);
	}
}

/* Copies the guest's image into its RAM and puts its devices in their reset state. */
static void guest_load(struct hv_guest *guest)
{
	const struct hv_guest_config *g = guest->cfg;

	for (u64 i = 0; i < g->segment_count; i++) {
		const struct hv_load_segment *s = &g->segments[i];
		u8 *dest = (u8 *)(uintptr_t)s->dest_pa;

		if (s->size)
			memcpy(dest, s->src, s->size);
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

static void guest_print_summary(const struct hv_guest *guest)
{
	const struct hv_guest_config *g = guest->cfg;

	hv_log("guest '%s': VMID %lu, %lu vCPU(s), entry 0x%lx, %lu device(s)", g->name, g->vmid, g->vcpu_count,
	       g->entry, g->device_count);
	for (u64 i = 0; i < g->mem_count; i++)
		hv_log("guest '%s': RAM IPA 0x%lx-0x%lx at PA 0x%lx", g->name, g->mem[i].ipa,
		       g->mem[i].ipa + g->mem[i].size - 1, g->mem[i].pa);
}

/*
 * Stops the guest for good: its vCPUs park (each on its next trap), its partial output line is printed,
 * then `line` (if any). When it was the last running guest the machine is powered off.
 */
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
	hv_spin_unlock(&guest->lock);
	/* The guest's vCPUs on other pCPUs may be running: make them trap, then they see the stop. */
	arch_guest_block(guest);
	hv_cpu_notify();

	if (__atomic_sub_fetch(&running_guests, 1, __ATOMIC_ACQ_REL) == 0) {
		hv_log("all guests have stopped, powering off");
		arch_host_system_off();
	}
}

/*
 * SYSTEM_RESET of one guest: every vCPU drops what it was doing (on its next trap), then vCPU 0's pCPU
 * reloads the image, resets the devices and restarts vCPU 0 at the entry point.
 */
void hv_guest_request_reset(struct hv_guest *guest)
{
	hv_spin_lock(&guest->lock);
	if (guest->state == HV_GUEST_RUNNING) {
		hv_guest_console_flush(guest);
		hv_log("guest '%s' requested a reset (PSCI SYSTEM_RESET), restarting it", guest->cfg->name);
		store_release(&guest->epoch, guest->epoch + 1);
	}
	hv_spin_unlock(&guest->lock);
	arch_guest_block(guest);
	hv_cpu_notify();
}

/* Runs on vCPU 0's pCPU once vCPU 0 has acknowledged reset `epoch`. */
static void guest_restart(struct hv_vcpu *vcpu0, u64 epoch)
{
	struct hv_guest *guest = vcpu0->guest;

	for (u64 i = 1; i < guest->cfg->vcpu_count; i++) {
		while (load_acquire(&guest->vcpus[i]->epoch) != epoch) {
			/* Another reset or a stop overtook this one: start over in the caller. */
			if (load_acquire(&guest->epoch) != epoch || load_acquire(&guest->state) != HV_GUEST_RUNNING)
				return;
			hv_cpu_wait();
		}
	}

	/* Every vCPU is out of the guest: its memory can be mapped again and reloaded. */
	arch_guest_unblock(guest);
	guest_load(guest);

	hv_spin_lock(&guest->lock);
	if (guest->epoch == epoch && guest->state == HV_GUEST_RUNNING) {
		vcpu0->on_entry = guest->cfg->entry;
		vcpu0->on_context = guest->cfg->boot_arg;
		store_release(&vcpu0->power, HV_VCPU_ON_PENDING);
	}
	hv_spin_unlock(&guest->lock);
}

/*
 * True when the guest is stopped or being reset: whatever made this vCPU trap no longer matters (it may
 * well be the stage-2 fault arch_guest_block() provoked), it must not run on.
 */
bool hv_vcpu_must_yield(struct hv_vcpu *vcpu)
{
	struct hv_guest *guest = vcpu->guest;

	return load_acquire(&hv_panicking) || load_acquire(&guest->state) == HV_GUEST_STOPPED ||
	       vcpu->epoch != load_acquire(&guest->epoch);
}

/* After a panic: make every vCPU trap (it then halts in hv_vcpu_settle()). */
void hv_stop_all_guests(void)
{
	if (!load_acquire(&guests_ready))
		return;		/* no guest has run yet */
	for (u64 gi = 0; gi < hv_config.guest_count; gi++)
		arch_guest_block(&guests[gi]);
	hv_cpu_notify();
}

/*
 * Called before every return to the guest: decides whether this vCPU may run, and waits on this pCPU while
 * it may not (vCPU off, guest stopped, guest being reset). Returns with the vCPU's registers ready to enter.
 */
void hv_vcpu_settle(struct hv_vcpu *vcpu)
{
	struct hv_guest *guest = vcpu->guest;

	for (;;) {
		u64 epoch = load_acquire(&guest->epoch);
		u64 power;

		if (load_acquire(&hv_panicking))
			arch_halt();

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

		power = load_acquire(&vcpu->power);
		if (power == HV_VCPU_ON_PENDING) {
			arch_vcpu_reset(vcpu, vcpu->on_entry, vcpu->on_context);
			if (guest->vintc)
				guest->vintc->ops->vintc->vcpu_reset(vcpu, guest->vintc);
			store_release(&vcpu->power, HV_VCPU_ON);
			power = HV_VCPU_ON;
		}
		if (power == HV_VCPU_ON) {
			if (guest->vintc)
				guest->vintc->ops->vintc->flush(vcpu, guest->vintc);
			return;
		}
		hv_cpu_wait();
	}
}

void hv_vcpu_fault(struct hv_vcpu *vcpu, const char *what, const struct hv_trap_info *info)
{
	char line[256];
	char ipa[40] = "";

	if (info->has_ipa)
		hv_snprintf(ipa, sizeof(ipa), " at IPA 0x%lx", info->ipa);
	hv_snprintf(line, sizeof(line), "guest '%s' stopped: vCPU %lu %s%s, PC 0x%lx, ESR 0x%08lx (EC 0x%02lx %s%s%s)",
		    vcpu->guest->cfg->name, vcpu->index, what, ipa, info->pc, info->esr, info->esr >> 26,
		    info->class_name, info->detail ? ", " : "", info->detail ? info->detail : "");
	hv_guest_stop(vcpu->guest, line);
}

const struct hv_device *hv_guest_find_device(struct hv_guest *guest, u64 ipa, u32 *window)
{
	const struct hv_guest_config *g = guest->cfg;

	for (u64 i = 0; i < g->device_count; i++) {
		const struct hv_device *dev = &g->devices[i];

		for (u64 w = 0; w < dev->window_count; w++) {
			if (ipa >= dev->windows[w].base && ipa - dev->windows[w].base < dev->windows[w].size) {
				if (window)
					*window = (u32)w;
				return dev;
			}
		}
	}
	return NULL;
}

bool hv_vcpu_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *access)
{
	/* An access straddling the end of the window belongs to no device. */
	if (access->offset + access->size > dev->windows[access->window].size)
		return false;
	return dev->ops->mmio(vcpu, dev, access);
}

struct hv_guest *hv_device_guest(const struct hv_device *dev)
{
	for (u64 gi = 0; gi < hv_config.guest_count; gi++) {
		const struct hv_guest_config *g = &hv_config.guests[gi];

		if (dev >= g->devices && dev < g->devices + g->device_count)
			return &guests[gi];
	}
	return NULL;
}

/* The line goes to the guest's interrupt controller; a guest without one gets no interrupts. */
void hv_device_irq_level(const struct hv_device *dev, bool level)
{
	struct hv_guest *guest = hv_device_guest(dev);

	if (guest && guest->vintc && dev->irq)
		guest->vintc->ops->vintc->set_level(guest->vintc, dev->irq, level);
}

void hv_vcpu_kick(struct hv_vcpu *vcpu)
{
	const struct hv_irqchip_ops *ops = hv_config.irqchip.ops;

	if (ops && vcpu->pcpu != arch_cpu_id())
		ops->kick(hv_config.pcpus[vcpu->pcpu].mpidr);
}

/*
 * Tells every other pCPU that shared state changed (a vCPU was started, a guest stopped or reset). With a
 * host interrupt controller they wait in WFI and an SGI wakes them (a vCPU may also be in a WFI of its
 * guest's); without one they wait in WFE and SEV wakes them.
 */
void hv_cpu_notify(void)
{
	const struct hv_irqchip_ops *ops = hv_config.irqchip.ops;

	arch_send_event();
	if (!ops)
		return;
	for (u64 p = 0; p < hv_config.pcpu_count; p++)
		if (p != arch_cpu_id() && hv_config.pcpus[p].guest != HV_NO_GUEST)
			ops->kick(hv_config.pcpus[p].mpidr);
}

/*
 * Waits until another pCPU calls hv_cpu_notify() (or, spuriously, a little less). WFE would do, but an
 * emulator may run WFE as a busy loop; WFI really sleeps. Interrupts stay masked at EL2: a pending one still
 * ends the WFI, and is then acknowledged here.
 */
void hv_cpu_wait(void)
{
	const struct hv_irqchip_ops *ops = hv_config.irqchip.ops;

	if (!ops) {
		arch_wait_event();
		return;
	}
	arch_wait_interrupt();
	ops->handle();
}

void hv_vcpu_host_irqs(struct hv_vcpu *vcpu)
{
	(void)vcpu;
	hv_config.irqchip.ops->handle();
}

bool hv_host_irq(u64 intid)
{
	struct hv_vcpu *vcpu = hv_current_vcpu();
	struct hv_guest *guest = vcpu->guest;

	if (guest && guest->vintc)
		return guest->vintc->ops->vintc->host_irq(vcpu, guest->vintc, intid);
	return false;
}

static __noreturn void cpu_run(u64 pcpu)
{
	const struct hv_pcpu_config *pc = &hv_config.pcpus[pcpu];
	struct hv_vcpu *vcpu = &vcpus[pcpu];

	if (pc->guest == HV_NO_GUEST)
		arch_halt();	/* a CPU the system reserves but no guest uses */

	if (hv_config.irqchip.ops)
		hv_config.irqchip.ops->cpu_init(pcpu);
	arch_vcpu_init(vcpu);
	if (vcpu->guest->vintc)
		vcpu->guest->vintc->ops->vintc->vcpu_init(vcpu, vcpu->guest->vintc);
	hv_vcpu_settle(vcpu);
	arch_vcpu_enter(vcpu);
}

/* The boot CPU's C entry, from start.S: MMU on, .bss zeroed, on pCPU 0's stack. */
void hv_main(void)
{
	const struct hv_system_config *c = &hv_config;

	hv_console_init();
	hv_log("hvcc hypervisor starting: system '%s', %lu guest(s) on %lu CPU(s)", c->system_name,
	       c->guest_count, c->pcpu_count);
	check_config();
	if (c->irqchip.ops) {
		hv_log("host interrupt controller: %s", c->irqchip.ops->name);
		c->irqchip.ops->init(&c->irqchip);
	}

	for (u64 p = 0; p < c->pcpu_count; p++) {
		const struct hv_pcpu_config *pc = &c->pcpus[p];
		struct hv_vcpu *vcpu = &vcpus[p];

		vcpu->pcpu = p;
		vcpu->regs = arch_cpu_regs(p);
		if (pc->guest == HV_NO_GUEST)
			continue;
		vcpu->guest = &guests[pc->guest];
		vcpu->index = pc->vcpu;
		vcpu->power = HV_VCPU_OFF;
		guests[pc->guest].vcpus[pc->vcpu] = vcpu;
	}
	for (u64 gi = 0; gi < c->guest_count; gi++) {
		struct hv_guest *guest = &guests[gi];
		struct hv_vcpu *vcpu0;

		guest->cfg = &c->guests[gi];
		guest->index = gi;
		for (u64 i = 0; i < guest->cfg->device_count; i++)
			if (guest->cfg->devices[i].ops->vintc)
				guest->vintc = &guest->cfg->devices[i];
		guest_print_summary(guest);
		guest_load(guest);
		/* PSCI: only the boot vCPU runs at first; the guest starts the others with CPU_ON. */
		vcpu0 = guest->vcpus[0];
		vcpu0->on_entry = guest->cfg->entry;
		vcpu0->on_context = guest->cfg->boot_arg;
		vcpu0->power = HV_VCPU_ON_PENDING;
	}
	running_guests = c->guest_count;
	store_release(&guests_ready, true);
	if (!running_guests) {
		hv_log("no guests to run, powering off");
		arch_host_system_off();
	}

	for (u64 p = 1; p < c->pcpu_count; p++) {
		s64 ret = arch_host_cpu_on(c->pcpus[p].mpidr, p);

		if (ret)
			hv_panic("host PSCI CPU_ON for pCPU %lu (MPIDR 0x%lx) failed: %ld", p, c->pcpus[p].mpidr, ret);
	}
	cpu_run(0);
}

/* A secondary pCPU's C entry, from start.S (host PSCI CPU_ON context_id = pCPU index). */
void hv_secondary_main(u64 pcpu)
{
	cpu_run(pcpu);
}
