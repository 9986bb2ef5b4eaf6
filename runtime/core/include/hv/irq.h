/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A device's interrupt lines, as its emulator drives them.
 *
 * Line n is the device's nth interrupts specifier in its device-tree node (hv_device.irqs[n]), decoded by
 * the compiler into the number of the guest's interrupt controller (irqs[n].id). A change goes to the
 * guest's virtual interrupt controller (hv_guest.vintc, its set_level hook), which delivers it as the guest
 * programmed it (enable, priority, target vCPU, trigger). A line the node does not have (n >= irq_count), or
 * a guest without a virtual interrupt controller, takes the change and delivers nothing: the wire is not
 * connected, as on a board where it is not routed.
 *
 * Callers: emulators, on any pCPU, from mmio handlers, input, timer callbacks and deferred work; also with
 * the emulator's own lock held (the interrupt controller's lock is always taken inside a device's, never
 * the other way round). Cheap enough to call on every register access that may change the line, but an
 * emulator usually calls it only when the level changes (it keeps the last one in its state).
 */
#ifndef HV_IRQ_H
#define HV_IRQ_H

#include <hv/core.h>

/* Sets the level of line n: true is asserted, whatever the line's polarity in the device tree. */
void hv_device_irq_set(const struct hv_device *dev, u64 n, bool level);

/*
 * One edge on line n (asserted, then deasserted at once), for edge-triggered interrupts. The controller
 * latches it if the guest configured the interrupt as edge-triggered; a guest that configured it as
 * level-sensitive may never see it, as with real hardware.
 */
void hv_device_irq_pulse(const struct hv_device *dev, u64 n);

#endif /* HV_IRQ_H */
