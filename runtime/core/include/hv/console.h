/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest consoles: output from a guest's console device to the host console, input to it.
 *
 * Output is collected per guest and printed a whole line at a time as "[name] text", under one console
 * lock, so lines from different pCPUs never mix. Input goes to the guest's console device, the one its
 * stdout-path names (hv_guest_config.console), through that device's emulator's input hook: an emulator
 * that can be a guest's console ("guest-console" in its manifest) implements it.
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <hv/core.h>

/*
 * One byte of the guest's console output, from its console device's emulator (any pCPU; takes the guest's
 * output lock and the console lock, so the emulator may hold only its own). '\r' is dropped, '\n' ends the
 * line.
 */
void hv_vcpu_console_putc(struct hv_vcpu *vcpu, char c);

/*
 * The lock that guards the output of the device's guest. An emulator that prints most of what it is asked
 * (a UART) may use it as its own state lock, and print with hv_vcpu_console_putc_locked() while it holds
 * it: one lock per byte rather than two. It nests inside no emulator lock, and the console lock and the
 * interrupt controller's nest inside it, as inside an emulator's own.
 */
hv_spinlock_t *hv_device_output_lock(const struct hv_device *dev);

/* hv_vcpu_console_putc() with the vCPU's guest's output lock held (hv_device_output_lock()). */
void hv_vcpu_console_putc_locked(struct hv_vcpu *vcpu, char c);

/*
 * Hands one byte of input to the guest's console device (its emulator's input hook, which raises its
 * receive interrupt as the guest programmed it). Any pCPU, no lock held. False when the byte was not taken:
 * the guest has no console device, its emulator cannot receive, or its receive FIFO is full (the caller
 * keeps the byte and tries again later, which is flow control, not loss).
 */
bool hv_guest_console_input(struct hv_guest *guest, u8 byte);

#endif /* HV_CONSOLE_H */
