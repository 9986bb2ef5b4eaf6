/* SPDX-License-Identifier: Apache-2.0 */
/* What the core's own source files share and nothing else sees. */
#ifndef HV_CORE_INTERNAL_H
#define HV_CORE_INTERNAL_H

#include <hv/arch.h>
#include <hv/console.h>
#include <hv/core.h>
#include <hv/irqchip.h>
#include <hv/manage.h>
#include <hv/power.h>
#include <hv/sched.h>
#include <hv/session.h>
#include <hv/trap.h>
#include <hv/vintc.h>

extern struct hv_guest hv_guests[CONFIG_HV_MAX_VCPUS];	/* by guest index */
extern struct hv_vcpu hv_vcpus[CONFIG_HV_MAX_VCPUS];	/* guest 0's vCPUs, then guest 1's, ... */
extern u64 hv_running_guests;
extern bool hv_guests_ready;	/* the config checked out and every guest is set up */
extern u64 hv_panicking;

/* config-check.c: panics unless the configuration is one this runtime can run */
void hv_check_config(void);

/* guest.c */
void hv_guest_load(struct hv_guest *guest);
void hv_stop_all_guests(void);

/* console.c */
void hv_console_init(void);
void hv_guest_console_putc(struct hv_guest *guest, char c);
void hv_guest_console_flush(struct hv_guest *guest);	/* takes the output lock */
/* The console lock and the raw writer under it, for session.c. */
void hv_console_lock(void);
void hv_console_unlock(void);
void hv_console_write_locked(const char *s, size_t n);

/* session.c: the screen side of the console session (hv/session.h). */
void hv_session_init(void);
/* Console lock held, before and after a whole line; false when the line is muted (not to be printed). */
bool hv_session_line_begin(const struct hv_guest *guest);
void hv_session_line_end(void);
/* Guest's output lock held: true when the byte went to the screen as it is (the guest has the focus). */
bool hv_session_putc(struct hv_guest *guest, char c);
/* Input path: the first byte of input arrived. */
void hv_session_go_interactive(void);
bool hv_session_interactive(void);
u64 hv_session_muted_lines(void);
/* The machine goes off: the focus's line is ended and nothing is drawn again. */
void hv_session_end(void);

/* input.c: the keyboard side. */
void hv_input_init(void);
/* Any pCPU, no lock held: read the console when it is polled. */
void hv_input_poll(void);
/* From hv_host_irq(): true when `id` was the console's receive interrupt (then handled). */
bool hv_input_irq(u64 id);

/* manage.c */
extern u64 hv_pcpu_exit_count[CONFIG_HV_MAX_CPUS];
void hv_manage_fault(struct hv_guest *guest, const char *report);
/* True once after a cold start or reset was asked for: the restart clears the guest's RAM. */
bool hv_manage_take_cold(struct hv_guest *guest);

/* irq.c: waiting and waking pCPUs; passed-through interrupts. */
void hv_cpu_notify(void);
void hv_cpu_wait(void);
void hv_passthrough_irqs_route(void);
void hv_passthrough_irqs_quiesce(struct hv_guest *guest);

/* mem.c: the RAM region holding [gpa, gpa + size) whole, or NULL. */
const struct hv_mem_region *hv_guest_ram(const struct hv_guest *guest, u64 gpa, u64 size);

/* timer.c */
void hv_timers_init(void);
/* Runs this pCPU's expired timers, then its deferred work, until neither has anything left. */
void hv_cpu_run_pending(void);
/* The hypervisor timer fired on this pCPU (the arch quieted it): its queue is looked at next time round. */
void hv_timer_interrupt(void);

#endif /* HV_CORE_INTERNAL_H */
