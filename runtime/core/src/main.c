// SPDX-License-Identifier: Apache-2.0
/*
 * Boot: check the configuration, set up every guest and vCPU, start the other pCPUs, and run.
 *
 * When every vCPU owns its pCPU, "running a vCPU" is: set it up once, enter the guest, and from then on
 * handle each trap on that pCPU and return to the guest. A vCPU that is off, or whose guest stopped, waits
 * inside hv_vcpu_settle() on its pCPU until there is something to run again. When pCPUs are shared, the
 * scheduler (hv/sched.h) runs each vCPU as a thread of its own doing the same, and every pCPU schedules.
 */
#include "internal.h"

struct hv_guest hv_guests[CONFIG_HV_MAX_VCPUS];
struct hv_vcpu hv_vcpus[CONFIG_HV_MAX_VCPUS];
u64 hv_running_guests;
bool hv_guests_ready;

/* What each pCPU runs; written by that pCPU alone (the boot pCPU sets the pinned ones before they start). */
static struct hv_vcpu *cpu_vcpu[CONFIG_HV_MAX_CPUS];

struct hv_vcpu *hv_current_vcpu(void)
{
	return cpu_vcpu[arch_cpu_id()];
}

void hv_cpu_set_vcpu(struct hv_vcpu *vcpu)
{
	cpu_vcpu[arch_cpu_id()] = vcpu;
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

/* Whether some vCPU may run on the pCPU. */
static bool cpu_used(u64 pcpu)
{
	for (u64 gi = 0; gi < hv_config.guest_count; gi++)
		for (u64 vi = 0; vi < hv_config.guests[gi].vcpu_count; vi++)
			if (hv_config.guests[gi].vcpus[vi].affinity & BIT(pcpu))
				return true;
	return false;
}

void hv_vcpu_thread(struct hv_vcpu *vcpu)
{
	const struct hv_device *vintc = vcpu->guest->vintc;

	if (vintc)
		vintc->ops->vintc->vcpu_init(vcpu, vintc);
	hv_vcpu_settle(vcpu);
	arch_vcpu_enter(vcpu);
}

static __noreturn void cpu_run(u64 pcpu)
{
	const struct hv_scheduler_ops *sched = hv_config.scheduler;
	struct hv_vcpu *vcpu = cpu_vcpu[pcpu];

	if (!cpu_used(pcpu))
		arch_halt();	/* a CPU the system reserves but no guest uses */

	if (hv_config.irqchip.ops)
		hv_config.irqchip.ops->cpu_init(pcpu);
	if (sched) {
		/* Nothing is armed on this pCPU yet (a pinned vCPU's arch_vcpu_init() does the same). */
		arch_timer_stop();
		sched->cpu_run(pcpu);
	}

	arch_vcpu_init(vcpu);
	/* A guest with a virtual interrupt controller sleeps in its own WFI until one of its interrupts comes. */
	if (vcpu->guest->vintc)
		arch_vcpu_trap_wfi(vcpu, false);
	hv_vcpu_thread(vcpu);
}

/* The boot pCPU's C entry, from the arch's entry code: MMU on, .bss zeroed, on pCPU 0's stack. */
void hv_main(void)
{
	const struct hv_system_config *c = &hv_config;

	hv_console_init();
	hv_log("hvcc hypervisor starting: system '%s', %lu guest(s) on %lu CPU(s)", c->system_name,
	       c->guest_count, c->pcpu_count);
	hv_check_config();
	/* Before any reset hook, which may cancel a timer. */
	hv_timers_init();
	if (c->irqchip.ops) {
		hv_log("host interrupt controller: %s", c->irqchip.ops->name);
		c->irqchip.ops->init(&c->irqchip);
	}

	/* Disks and networks first: the guests' devices that use them are reset as the guests are loaded. */
	for (u64 i = 0; i < c->host_device_count; i++) {
		const struct hv_host_device *dev = &c->host_devices[i];

		if (!dev->ops)
			hv_panic("host device %s has no driver", dev->path);
		if (dev->ops->init)
			dev->ops->init(dev);
	}

	for (u64 gi = 0, n = 0; gi < c->guest_count; gi++) {
		struct hv_guest *guest = &hv_guests[gi];
		struct hv_vcpu *vcpu0;

		guest->cfg = &c->guests[gi];
		guest->index = gi;
		for (u64 i = 0; i < guest->cfg->device_count; i++)
			if (guest->cfg->devices[i].ops->vintc)
				guest->vintc = &guest->cfg->devices[i];
		for (u64 vi = 0; vi < guest->cfg->vcpu_count; vi++) {
			struct hv_vcpu *vcpu = &hv_vcpus[n++];

			vcpu->guest = guest;
			vcpu->index = vi;
			vcpu->pcpu = guest->cfg->vcpus[vi].pcpu;
			vcpu->power = HV_VCPU_OFF;
			guest->vcpus[vi] = vcpu;
			/* Owning its pCPU, it keeps its registers at the top of that pCPU's stack. */
			if (!c->scheduler) {
				vcpu->regs = arch_cpu_regs(vcpu->pcpu);
				cpu_vcpu[vcpu->pcpu] = vcpu;
			}
		}
		guest_print_summary(guest);
		hv_guest_load(guest);
		if (guest->cfg->flags & HV_GUEST_NO_AUTOSTART) {
			/* Its vCPUs park until the terminal starts it (which loads it again, cold). */
			guest->state = HV_GUEST_STOPPED;
			hv_log("guest '%s' does not start at boot (no-autostart)", guest->cfg->name);
			continue;
		}
		/* Only the boot vCPU runs at first; the guest powers the others on. */
		vcpu0 = guest->vcpus[0];
		vcpu0->on_entry = guest->cfg->entry;
		vcpu0->on_context = guest->cfg->boot_arg;
		vcpu0->power = HV_VCPU_ON_PENDING;
		hv_running_guests++;
	}
	/* The guests' state exists now, so an interrupt taken as soon as a pCPU starts finds it. */
	hv_passthrough_irqs_route();
	if (c->scheduler) {
		hv_log("vCPU scheduler: %s", c->scheduler->name);
		for (u64 gi = 0; gi < c->guest_count; gi++)
			for (u64 vi = 0; vi < c->guests[gi].vcpu_count; vi++)
				c->scheduler->vcpu_init(hv_guests[gi].vcpus[vi]);
	}
	hv_input_init();
	store_release(&hv_guests_ready, true);
	if (!hv_running_guests) {
		if (!hv_terminal()) {
			hv_log("no guests to run, powering off");
			arch_host_system_off();
		}
		hv_log("no guest starts at boot; the management terminal keeps the machine up");
	}

	for (u64 p = 1; p < c->pcpu_count; p++) {
		s64 ret = arch_host_cpu_on(c->pcpus[p].hwid, p);

		if (ret)
			hv_panic("the firmware did not start pCPU %lu (hardware ID 0x%lx): error %ld", p,
				 c->pcpus[p].hwid, ret);
	}
	cpu_run(0);
}

/* A secondary pCPU's C entry, from the arch's entry code, with its index. */
void hv_secondary_main(u64 pcpu)
{
	cpu_run(pcpu);
}
