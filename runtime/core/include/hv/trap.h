/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core's side of trap handling, called by the arch port's trap handler on the trapping vCPU's own
 * pCPU, with no lock held. The arch decodes the trap; the core finds who handles it and decides whether,
 * and when, the vCPU goes back to its guest.
 */
#ifndef HV_TRAP_H
#define HV_TRAP_H

#include <hv/core.h>

/* The guest's device one of whose windows holds gpa, and which window; NULL if none. */
const struct hv_device *hv_guest_find_device(struct hv_guest *guest, u64 gpa, u32 *window);

/*
 * The same for an access of the vCPU, `size` bytes at gpa: the device and window, and the offset into it,
 * or NULL when the access is in no device's window or straddles a window's end. The window last hit is
 * remembered per vCPU, so a run of accesses to one device costs a compare each.
 */
const struct hv_device *hv_vcpu_find_device_slow(struct hv_vcpu *vcpu, u64 gpa);

static inline const struct hv_device *hv_vcpu_find_device(struct hv_vcpu *vcpu, u64 gpa, u64 size, u32 *window,
							   u64 *offset)
{
	u64 off = gpa - vcpu->mmio_base;

	if (off >= vcpu->mmio_size && !hv_vcpu_find_device_slow(vcpu, gpa))
		return NULL;
	off = gpa - vcpu->mmio_base;
	if (size > vcpu->mmio_size - off)
		return NULL;
	*window = (u32)vcpu->mmio_window;
	*offset = off;
	return vcpu->mmio_dev;
}

/* Hands a decoded access to the device's emulator. False when the emulator refuses it. */
bool hv_vcpu_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *access);

/* hv_device_write() for an emulator without a write hook: through its mmio, with an access struct. */
bool hv_device_write_access(struct hv_vcpu *vcpu, const struct hv_device *dev, u32 window, u64 offset, u32 size,
			    u64 value);

/*
 * A write found in the device's window by hv_vcpu_find_device(), to its emulator: to its write hook when it
 * has one (hv_emulator_ops.mmio_write). False when the emulator refuses it.
 */
static inline bool hv_device_write(struct hv_vcpu *vcpu, const struct hv_device *dev, u32 window, u64 offset,
				   u32 size, u64 value)
{
	if (dev->ops->mmio_write)
		return dev->ops->mmio_write(vcpu, dev, window, offset, size, value);
	return hv_device_write_access(vcpu, dev, window, offset, size, value);
}

/* What a vCPU did that stops its guest, for the one-line report. */
struct hv_fault {
	const char *what;	/* in words, after "vCPU <n> ": "wrote 4 bytes outside its memory" */
	u64 pc;			/* the guest's program counter */
	u64 gpa;		/* the guest-physical address it touched, when has_gpa */
	bool has_gpa;
	u64 syndrome;		/* the arch's record of the trap, opaque to the core (see arch_trap_describe()) */
	const char *detail;	/* the arch's further words on it (a fault status, a register name), or NULL */
};

/*
 * Stops the vCPU's guest with the report
 * "guest '<name>' stopped: vCPU <n> <what>[ at IPA <gpa>], PC <pc>, <arch_trap_describe()>".
 */
void hv_vcpu_fault(struct hv_vcpu *vcpu, const struct hv_fault *fault);

/*
 * True when the guest is stopped, paused or being reset: whatever made this vCPU trap no longer matters
 * (it may be the stage-2 fault arch_guest_block() provoked), it must not run on. Settle it instead. The
 * arch drops the trap so that the vCPU takes it again if it goes on from where it was (a paused guest
 * resumed): its return address must be the instruction that trapped.
 */
bool hv_vcpu_must_yield(struct hv_vcpu *vcpu);

/*
 * Last step of every trap: runs what is due on this pCPU (timers, deferred work), decides whether the vCPU
 * may go back to its guest and waits while it may not (vCPU off, guest stopped or paused, guest being
 * reset).
 * Returns with the vCPU's registers ready to enter and its virtual interrupt interface up to date.
 */
void hv_vcpu_settle(struct hv_vcpu *vcpu);

/*
 * hv_vcpu_settle() in two halves, for an arch trap path that saves the guest's whole register frame only
 * when it must: the first counts the exit and, when the vCPU may simply go back as it is (the common
 * case: nothing to wait for, no scheduler to ask), does what hv_vcpu_settle() would and returns true;
 * otherwise it returns false having changed nothing of the vCPU, and hv_vcpu_settle_rest() must follow
 * (with the whole frame saved: it may switch threads, reset the vCPU, report).
 */
bool hv_vcpu_settle_fast(struct hv_vcpu *vcpu);
void hv_vcpu_settle_rest(struct hv_vcpu *vcpu);

/*
 * hv_vcpu_settle_fast() after an exit that hv_vcpu_must_yield() let the vCPU handle and that cannot change
 * its own power (an MMIO access): the guest's state and epoch are not looked at again. Whatever changed them
 * since, on any pCPU, the access itself included (a stop, pause, reset or panic), also blocked the guest
 * (arch_guest_block()), so that the vCPU traps again before it runs on, and settles then.
 */
bool hv_vcpu_settle_mmio(struct hv_vcpu *vcpu);

/*
 * The vCPU executed a wait for interrupt that trapped (its PC already past it). With a scheduler the vCPU
 * gives up its pCPU until one of its interrupts or its timer wants it; without one the wait completes at once.
 */
void hv_vcpu_wait_interrupt(struct hv_vcpu *vcpu);

/* The vCPU executed a wait for event that trapped: with a scheduler, others on its pCPU get a turn first. */
void hv_vcpu_yield(struct hv_vcpu *vcpu);

/* A physical interrupt ended the guest's run: the host interrupt controller's driver takes it. */
void hv_vcpu_host_irqs(struct hv_vcpu *vcpu);

#endif /* HV_TRAP_H */
