/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vCPU scheduler's contract with the core.
 *
 * The scheduler is a component of kind "service" ("service": "scheduler" in its manifest), which the compiler
 * links only when some pCPU may run more than one vCPU, and points hv_config.scheduler at its ops. Without one,
 * every vCPU owns its pCPU: the core runs it there directly, on the pCPU's own stack, and nothing below is used.
 *
 * With one, every vCPU is a thread of the hypervisor. It has an EL2 stack of its own, whose top holds its
 * register frame (so a trap saves the guest's registers straight into it, as for a pinned vCPU), and it runs
 * hv_vcpu_thread() on that stack. Each pCPU also has an idle thread, on its boot stack. The scheduler switches
 * pCPUs between these threads with the arch port's thread switch, and moves a vCPU's state (EL1 registers,
 * FP/SIMD, timer, virtual interrupt interface) in and out of the pCPU with arch_vcpu_load()/arch_vcpu_put()
 * and the virtual interrupt controller's hooks of the same names.
 *
 * Because a vCPU is a thread, the core's waits need no change: where the core waits on behalf of a vCPU
 * (hv_cpu_wait() in hv_vcpu_settle(), a reset waiting for the other vCPUs), the thread blocks and the pCPU
 * runs others. A thread may resume on another pCPU than the one it blocked on: nothing on a vCPU's call
 * chain may keep a per-pCPU pointer across a call that can switch (they all end in hv_vcpu_settle()).
 *
 * Unless said otherwise the hooks run on the calling vCPU's thread, on the pCPU it runs on, no lock held.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include <hv/core.h>

/* What the scheduler knows of a vCPU, for a management console. */
enum hv_sched_state {
	HV_SCHED_RUNNING = 0,		/* on a pCPU */
	HV_SCHED_READY = 1,		/* runnable, waiting for its turn */
	HV_SCHED_BLOCKED = 2,		/* waiting for an interrupt or an event */
};

struct hv_sched_stats {
	u64 state;			/* enum hv_sched_state */
	u64 pcpu;			/* the pCPU it runs on, or last ran on */
	u64 run_ns;			/* time spent on a pCPU, guest and hypervisor */
	u64 switches;			/* times it was switched onto a pCPU */
	u64 migrations;			/* times it moved to another pCPU */
};

struct hv_scheduler_ops {
	const char *name;
	/* On the boot pCPU, once per vCPU, before any pCPU runs one: its thread and its first runqueue. */
	void (*vcpu_init)(struct hv_vcpu *vcpu);
	/* On every pCPU some vCPU may run on, once its interrupt controller is set up: runs vCPUs there for good. */
	__noreturn void (*cpu_run)(u64 pcpu);
	/*
	 * The vCPU is about to return to its guest: let others run first if they should (a higher priority, or
	 * its time slice is over). True when it was switched out and has come back, possibly on another pCPU:
	 * the caller looks at the vCPU's state again before returning to the guest.
	 */
	bool (*preempt)(struct hv_vcpu *vcpu);
	/*
	 * The vCPU executed a wait for interrupt: it gives up its pCPU until one of its virtual interrupts is
	 * pending or its timer fires; at once when nothing could ever wake it (the guest then goes on, as the
	 * architecture allows).
	 */
	void (*wait_interrupt)(struct hv_vcpu *vcpu);
	/* The vCPU executed a wait for event: others of its priority on its pCPU get a turn first. */
	void (*yield)(struct hv_vcpu *vcpu);
	/* hv_cpu_wait() on the vCPU's thread: blocks until the next hv_cpu_notify() (or a little less). */
	void (*wait_event)(struct hv_vcpu *vcpu);
	/* hv_cpu_notify(), any pCPU: wakes every waiting vCPU, and makes the running ones trap. */
	void (*notify)(void);
	/* hv_vcpu_kick(), any pCPU, any lock held: the vCPU has new virtual interrupts. */
	void (*kick)(struct hv_vcpu *vcpu);
	/* A snapshot of the vCPU's figures (any pCPU; they may be a moment old). */
	void (*stats)(const struct hv_vcpu *vcpu, struct hv_sched_stats *out);
	/* Before the machine powers off: one hv_log() line per vCPU and per pCPU with their figures. */
	void (*report)(void);
};

/* --- What the core provides a scheduler --- */

/* The body of a vCPU's thread, on its own stack, from the first time the scheduler switches to it. */
__noreturn void hv_vcpu_thread(struct hv_vcpu *vcpu);

/* Tells the core which vCPU the calling pCPU now runs (NULL: its idle thread). */
void hv_cpu_set_vcpu(struct hv_vcpu *vcpu);

/*
 * The idle thread's wait: sleeps until an interrupt (a kick, a timer), takes it and runs what became due on
 * this pCPU (timers, deferred work). Returns early at times; halts the pCPU after a panic.
 */
void hv_cpu_idle(void);

#endif /* HV_SCHED_H */
