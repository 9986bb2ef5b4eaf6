/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A guest's virtual interrupt controller: the emulator whose hv_emulator_ops.vintc is set. The core finds
 * it among the guest's devices (hv_guest.vintc) and calls it to bring the vCPUs' virtual interrupt
 * interface up to date; emulators reach it only through hv/irq.h.
 *
 * Unless said otherwise a hook runs on the vCPU's own pCPU, with no lock held.
 */
#ifndef HV_VINTC_H
#define HV_VINTC_H

#include <hv/core.h>

struct hv_vintc_ops {
	/* Once per vCPU before it first runs. */
	void (*vcpu_init)(struct hv_vcpu *vcpu, const struct hv_device *dev);
	/* The vCPU (re)starts (power-on, guest reset): its private interrupts and interface are cleared. */
	void (*vcpu_reset)(struct hv_vcpu *vcpu, const struct hv_device *dev);
	/*
	 * A device's interrupt line `id` (in the controller's own numbering: hv_irq.id) changed level. Any
	 * pCPU, possibly with the device emulator's lock held (so the controller must not call back into
	 * device emulators while it holds its own lock).
	 */
	void (*set_level)(const struct hv_device *dev, u64 id, bool level);
	/*
	 * A physical interrupt that belongs to this vCPU (e.g. its virtual timer's) or to its guest (a
	 * passed-through device's: hv_guest_irq_passed_through()) arrived. True when it was handed to the
	 * guest as a hardware interrupt that the guest's own completion deactivates.
	 */
	bool (*host_irq)(struct hv_vcpu *vcpu, const struct hv_device *dev, u64 id);
	/*
	 * Just before a return to the guest: bring the virtual interrupt interface up to date. Called only while
	 * the vCPU's vintc_flush is set, which the controller sets (before it kicks the vCPU) whenever the vCPU
	 * may have something to deliver or to take back, and clears once it has nothing; a controller that
	 * never clears it is flushed on every return.
	 */
	void (*flush)(struct hv_vcpu *vcpu, const struct hv_device *dev);
	/*
	 * A trapped system-register access of the vCPU; `syndrome` is the arch's description of the trap,
	 * opaque to the core. False when it is not one the controller handles (the guest is then stopped).
	 */
	bool (*sysreg)(struct hv_vcpu *vcpu, const struct hv_device *dev, u64 syndrome);

	/*
	 * Only when vCPUs share pCPUs (hv/sched.h). The vCPU leaves its pCPU (put) or arrives on one, possibly
	 * another (load): save its virtual interface and leave the pCPU's clean, or restore it. On that pCPU.
	 */
	void (*vcpu_put)(struct hv_vcpu *vcpu, const struct hv_device *dev);
	void (*vcpu_load)(struct hv_vcpu *vcpu, const struct hv_device *dev);
	/*
	 * Whether one of its interrupts would end a wait for interrupt now (whatever the guest's PSTATE mask).
	 * On its pCPU while it is loaded, before it blocks; saying yes too often only ends a wait early.
	 */
	bool (*pending)(struct hv_vcpu *vcpu, const struct hv_device *dev);
	/*
	 * Its timer reached its deadline while it was off its pCPU, where no physical interrupt could tell: kick
	 * it (hv_vcpu_kick()) when the timer's interrupt could reach it, so that it comes back to a pCPU, where
	 * its restored timer raises the interrupt. Any pCPU.
	 */
	void (*timer_fired)(struct hv_vcpu *vcpu, const struct hv_device *dev);
};

/*
 * Makes a vCPU running on another pCPU trap to the hypervisor soon, so it flushes its new virtual
 * interrupts (through the host interrupt controller's kick; nothing without one, or for the calling
 * pCPU's own vCPU, which flushes before it returns to the guest anyway). Any pCPU, any lock held.
 */
void hv_vcpu_kick(struct hv_vcpu *vcpu);

/*
 * Whether physical interrupt `id` is one of the guest's passed-through devices' (hv_guest_config's
 * passthrough_irqs), which its virtual interrupt controller delivers under the same number. Any pCPU.
 */
bool hv_guest_irq_passed_through(const struct hv_guest *guest, u64 id);

#endif /* HV_VINTC_H */
