// SPDX-License-Identifier: Apache-2.0
/*
 * Interrupts: device lines to the guest's virtual interrupt controller, physical interrupts from the host
 * interrupt controller's driver, and how pCPUs wait for and wake each other.
 */
#include <hv/irq.h>
#include "internal.h"

void hv_device_irq_set(const struct hv_device *dev, u64 n, bool level)
{
	struct hv_guest *guest;

	if (n >= dev->irq_count)
		return;
	guest = hv_device_guest(dev);
	if (guest && guest->vintc)
		guest->vintc->ops->vintc->set_level(guest->vintc, dev->irqs[n].id, level);
}

void hv_device_irq_pulse(const struct hv_device *dev, u64 n)
{
	hv_device_irq_set(dev, n, true);
	hv_device_irq_set(dev, n, false);
}

void hv_vcpu_kick(struct hv_vcpu *vcpu)
{
	const struct hv_irqchip_ops *ops = hv_config.irqchip.ops;

	/* It may not be running at all, but waiting for this very interrupt: only the scheduler knows. */
	if (hv_config.scheduler) {
		hv_config.scheduler->kick(vcpu);
		return;
	}
	if (ops && vcpu->pcpu != arch_cpu_id())
		ops->kick(hv_config.pcpus[vcpu->pcpu].hwid);
}

/*
 * Tells every other pCPU that shared state changed (a vCPU was powered on, a guest stopped or reset). With a
 * host interrupt controller they wait in WFI-like sleep and its kick wakes them (a vCPU may also sleep in
 * its guest's own wait for interrupt); without one they wait for an event.
 */
void hv_cpu_notify(void)
{
	const struct hv_irqchip_ops *ops = hv_config.irqchip.ops;

	if (hv_config.scheduler) {
		hv_config.scheduler->notify();
		return;
	}
	arch_send_event();
	if (!ops)
		return;
	for (u64 p = 0; p < hv_config.pcpu_count; p++)
		if (p != arch_cpu_id() && hv_config.pcpus[p].guest != HV_NO_GUEST)
			ops->kick(hv_config.pcpus[p].hwid);
}

/*
 * Sleeps until an interrupt or an event. Waiting for an event would do, but an emulator of the machine may
 * run that as a busy loop; waiting for an interrupt really sleeps. Interrupts stay masked in the hypervisor: a
 * pending one still ends the wait, and is then acknowledged here.
 */
static void cpu_sleep(void)
{
	const struct hv_irqchip_ops *ops = hv_config.irqchip.ops;

	if (ops) {
		arch_wait_interrupt();
		ops->handle();
	} else {
		arch_wait_event();
	}
}

/*
 * Waits until another pCPU calls hv_cpu_notify(), a timer of this pCPU fires, or (spuriously) a little
 * less, then runs what became due. Under a scheduler it is the calling vCPU's thread that waits, and the pCPU
 * runs others meanwhile.
 */
void hv_cpu_wait(void)
{
	struct hv_vcpu *vcpu = hv_config.scheduler ? hv_current_vcpu() : NULL;

	if (vcpu)
		hv_config.scheduler->wait_event(vcpu);
	else
		cpu_sleep();
	hv_cpu_run_pending();
}

void hv_cpu_idle(void)
{
	if (load_acquire(&hv_panicking))
		arch_halt();
	cpu_sleep();
	hv_cpu_run_pending();
}

void hv_vcpu_wait_interrupt(struct hv_vcpu *vcpu)
{
	/* Without a scheduler nobody else could use the pCPU: the wait completes at once. */
	if (hv_config.scheduler)
		hv_config.scheduler->wait_interrupt(vcpu);
}

void hv_vcpu_yield(struct hv_vcpu *vcpu)
{
	if (hv_config.scheduler)
		hv_config.scheduler->yield(vcpu);
}

void hv_vcpu_host_irqs(struct hv_vcpu *vcpu)
{
	(void)vcpu;	/* the driver acknowledges what is pending on this pCPU, which is the vCPU's */
	hv_config.irqchip.ops->handle();
}

bool hv_guest_irq_passed_through(const struct hv_guest *guest, u64 id)
{
	const struct hv_guest_config *g = guest->cfg;

	for (u64 i = 0; i < g->passthrough_irq_count; i++)
		if (g->passthrough_irqs[i].id == id)
			return true;
	return false;
}

/*
 * Boot pCPU, before the others start: every guest's passed-through interrupts go to the pCPU of its vCPU 0,
 * where its virtual interrupt controller takes them (and hands them on to another vCPU if the guest routes
 * them there).
 */
void hv_passthrough_irqs_route(void)
{
	const struct hv_irqchip_ops *ops = hv_config.irqchip.ops;

	if (!ops || !ops->enable)
		return;
	for (u64 gi = 0; gi < hv_config.guest_count; gi++) {
		const struct hv_guest_config *g = &hv_config.guests[gi];
		u64 hwid = hv_config.pcpus[g->vcpus[0].pcpu].hwid;

		for (u64 i = 0; i < g->passthrough_irq_count; i++)
			if (!ops->enable(&g->passthrough_irqs[i], hwid))
				hv_panic("guest '%s': the interrupt controller cannot deliver passed-through interrupt %lu",
					 g->name, g->passthrough_irqs[i].id);
	}
}

/* The guest is being reset, none of its vCPUs runs: whatever of its interrupts it left active is ended. */
void hv_passthrough_irqs_quiesce(struct hv_guest *guest)
{
	const struct hv_irqchip_ops *ops = hv_config.irqchip.ops;
	const struct hv_guest_config *g = guest->cfg;

	if (!ops || !ops->deactivate)
		return;
	for (u64 i = 0; i < g->passthrough_irq_count; i++)
		ops->deactivate(g->passthrough_irqs[i].id);
}

bool hv_host_irq(u64 id)
{
	struct hv_vcpu *vcpu = hv_current_vcpu();

	if (arch_timer_irq(id)) {
		hv_timer_interrupt();
		return false;
	}
	if (hv_input_irq(id))
		return false;
	/* An idle pCPU (no vCPU on it) has no virtual interface that could take it. */
	if (vcpu && vcpu->guest->vintc)
		return vcpu->guest->vintc->ops->vintc->host_irq(vcpu, vcpu->guest->vintc, id);
	return false;
}
