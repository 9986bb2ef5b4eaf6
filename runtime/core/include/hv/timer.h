/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time and one-shot timers.
 *
 * hv_time_ns() is a monotonic clock in nanoseconds that every pCPU shares (the arch's system counter,
 * arch_counter_read()), counting from some moment before the hypervisor started.
 *
 * A timer is armed for an absolute deadline on that clock and then belongs to the pCPU that armed it: its
 * callback runs on that pCPU, once, at the first of these points after the deadline:
 *
 *   - before the pCPU returns to its guest (every trap passes there), and
 *   - in the loop where a pCPU waits (its vCPU off, its guest stopped or being reset).
 *
 * Each pCPU programs its hardware timer for its earliest deadline only. When a host interrupt controller
 * is linked (hv_config.irqchip.ops), that timer's interrupt ends the guest's run, or the wait, so callbacks
 * run on time. Without one nothing interrupts a guest: timers are then checked whenever the pCPU passes
 * through the hypervisor (a trap: an MMIO access, a trapped WFI, a hypercall) or waits, and a guest that
 * computes without trapping delays them for as long as it does.
 *
 * Callbacks run with no lock held and may arm (re-arm) timers, queue work, raise interrupt lines, and take
 * their emulator's lock. They run on the pCPU's own stack, between guest runs: keep them short.
 *
 * Concurrency: arm and cancel may be called on any pCPU, also with the caller's own lock held (the timer
 * lock nests inside every other lock). Cancelling does not wait for a callback that another pCPU has
 * already started: a callback must take its emulator's lock and check, under it, that what it is about to
 * do is still wanted (see the PL011 and PL031 emulators).
 */
#ifndef HV_TIMER_H
#define HV_TIMER_H

#include <hv/core.h>

#define HV_NS_PER_SEC	1000000000UL

struct hv_timer {
	void (*fn)(struct hv_timer *timer);	/* container_of() leads to the emulator's state */
	u64 deadline;				/* hv_time_ns() value */
	struct hv_timer *next;			/* in the arming pCPU's queue, by deadline */
	u64 pcpu;				/* the queue it is on */
	bool armed;
};

/* Nanoseconds since some moment before the hypervisor started, the same on every pCPU. */
u64 hv_time_ns(void);

/*
 * The first hv_time_ns() value at which the system counter (arch_counter_read()) has reached `ticks`, for a
 * deadline the hardware states in counter ticks; ~0 when it lies beyond what the clock can count.
 */
u64 hv_counter_deadline_ns(u64 ticks);

/*
 * Sets the callback. Call before the first arm, and never while the timer is armed (a zeroed timer is not
 * armed: a reset hook cancels, then initialises).
 */
void hv_timer_init(struct hv_timer *timer, void (*fn)(struct hv_timer *timer));

/*
 * Arms the timer for deadline (hv_time_ns() units) on the calling pCPU; an armed timer moves to the new
 * deadline and to this pCPU. A deadline that has passed fires at the next of the points above.
 */
void hv_timer_arm(struct hv_timer *timer, u64 deadline);

/* Disarms the timer. True when it was armed (its callback then will not run for that deadline). */
bool hv_timer_cancel(struct hv_timer *timer);

#endif /* HV_TIMER_H */
