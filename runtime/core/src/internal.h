/* SPDX-License-Identifier: Apache-2.0 */
/* What the core's own source files share and nothing else sees. */
#ifndef HV_CORE_INTERNAL_H
#define HV_CORE_INTERNAL_H

#include <hv/arch.h>
#include <hv/console.h>
#include <hv/core.h>
#include <hv/irqchip.h>
#include <hv/power.h>
#include <hv/sched.h>
#include <hv/trap.h>
#include <hv/vintc.h>

extern struct hv_guest hv_guests[CONFIG_HV_MAX_VCPUS];	/* by guest index */
extern struct hv_vcpu hv_vcpus[CONFIG_HV_MAX_VCPUS];	/* guest 0's vCPUs, then guest 1's, ... */
extern u64 hv_running_guests;
extern bool hv_guests_ready;	/* the config checked out and every guest is set up */
extern u64 hv_panicking;

/* guest.c */
void hv_guest_load(struct hv_guest *guest);
void hv_stop_all_guests(void);

/* console.c */
void hv_console_init(void);
void hv_guest_console_putc(struct hv_guest *guest, char c);
void hv_guest_console_flush(struct hv_guest *guest);	/* with the guest's lock held */

/* irq.c: waiting and waking pCPUs. */
void hv_cpu_notify(void);
void hv_cpu_wait(void);

/* mem.c: the RAM region holding [gpa, gpa + size) whole, or NULL. */
const struct hv_mem_region *hv_guest_ram(const struct hv_guest *guest, u64 gpa, u64 size);

/* timer.c */
void hv_timers_init(void);
/* Runs this pCPU's expired timers, then its deferred work, until neither has anything left. */
void hv_cpu_run_pending(void);
/* The hypervisor timer fired on this pCPU (the arch quieted it): its queue is looked at next time round. */
void hv_timer_interrupt(void);

#endif /* HV_CORE_INTERNAL_H */
