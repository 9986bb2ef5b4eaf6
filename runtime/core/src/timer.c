// SPDX-License-Identifier: Apache-2.0
/*
 * Time, timers and deferred work (see hv/timer.h and hv/work.h).
 *
 * Each pCPU has a queue of its armed timers, sorted by deadline, and programs its hardware timer for the
 * head only. All the queues share one lock: timers are armed and cancelled rarely (a device register write,
 * a callback), and arming a timer that another pCPU's queue holds must move it atomically. Each pCPU's work
 * queue is touched by that pCPU alone, so it needs no lock.
 */
#include <hv/timer.h>
#include <hv/work.h>
#include "internal.h"

#define NEVER	(~0UL)

/* A cache line each: every exit reads its own pCPU's, and one address computation finds it. */
struct cpu_queues {
	struct hv_timer *timers;	/* under timer_lock */
	u64 next;			/* the head's deadline or NEVER; written under timer_lock */
	bool fired;			/* the hardware timer fired and was stopped: set it again */
	struct hv_work *work_head;	/* this pCPU's own */
	struct hv_work *work_tail;
} __aligned(64);

static struct cpu_queues queues[CONFIG_HV_MAX_CPUS];
static hv_spinlock_t timer_lock;
static u64 counter_hz;

void hv_timers_init(void)
{
	counter_hz = arch_counter_freq();
	/* The conversions below stay within 64 bits for any frequency up to this. */
	if (counter_hz == 0 || counter_hz > ~0UL / HV_NS_PER_SEC)
		hv_panic("the system counter's frequency (%lu Hz) is unknown or out of range", counter_hz);
	for (u64 p = 0; p < CONFIG_HV_MAX_CPUS; p++)
		queues[p].next = NEVER;
}

u64 hv_time_ns(void)
{
	u64 ticks = arch_counter_read();

	return ticks / counter_hz * HV_NS_PER_SEC + ticks % counter_hz * HV_NS_PER_SEC / counter_hz;
}

u64 hv_counter_deadline_ns(u64 ticks)
{
	u64 secs = ticks / counter_hz;

	if (secs > ~0UL / HV_NS_PER_SEC - 1)
		return NEVER;
	return secs * HV_NS_PER_SEC + DIV_ROUND_UP(ticks % counter_hz * HV_NS_PER_SEC, counter_hz);
}

/* The first counter value at or after `ns`: the hardware must never fire before the deadline. */
static u64 ns_to_ticks(u64 ns)
{
	u64 secs = ns / HV_NS_PER_SEC;

	if (secs > ~0UL / counter_hz - 1)
		return NEVER;
	return secs * counter_hz + DIV_ROUND_UP(ns % HV_NS_PER_SEC * counter_hz, HV_NS_PER_SEC);
}

/*
 * With the lock held: pCPU p's queue changed. Only p can program its own hardware timer; another pCPU only
 * ever removes timers from p's queue, which makes the head later, and p then takes one early interrupt and
 * finds nothing due. Without a host interrupt controller the timer's interrupt could not be taken, so the
 * hardware is left alone and the queues are only polled.
 */
static void queue_changed(u64 p)
{
	struct cpu_queues *q = &queues[p];

	WRITE_ONCE(q->next, q->timers ? q->timers->deadline : NEVER);
	if (p != arch_cpu_id() || !hv_config.irqchip.ops)
		return;
	if (q->next == NEVER)
		arch_timer_stop();
	else
		arch_timer_set(ns_to_ticks(q->next));
}

/* With the lock held. */
static void unlink_timer(struct hv_timer *timer)
{
	struct hv_timer **link = &queues[timer->pcpu].timers;

	while (*link != timer)
		link = &(*link)->next;
	*link = timer->next;
	timer->next = NULL;
	timer->armed = false;
	queue_changed(timer->pcpu);
}

void hv_timer_init(struct hv_timer *timer, void (*fn)(struct hv_timer *timer))
{
	timer->fn = fn;
	timer->next = NULL;
	timer->armed = false;
}

void hv_timer_arm(struct hv_timer *timer, u64 deadline)
{
	u64 me = arch_cpu_id();
	struct hv_timer **link = &queues[me].timers;

	hv_spin_lock(&timer_lock);
	if (timer->armed)
		unlink_timer(timer);
	/* Behind those with the same deadline: they fire in the order they were armed. */
	while (*link && (*link)->deadline <= deadline)
		link = &(*link)->next;
	timer->deadline = deadline;
	timer->pcpu = me;
	timer->armed = true;
	timer->next = *link;
	*link = timer;
	queue_changed(me);
	hv_spin_unlock(&timer_lock);
}

bool hv_timer_cancel(struct hv_timer *timer)
{
	bool was_armed;

	hv_spin_lock(&timer_lock);
	was_armed = timer->armed;
	if (was_armed)
		unlink_timer(timer);
	hv_spin_unlock(&timer_lock);
	return was_armed;
}

void hv_timer_interrupt(void)
{
	queues[arch_cpu_id()].fired = true;
}

/* Runs the timers of this pCPU that were due when it started. True when it ran any. */
static bool run_timers(struct cpu_queues *q)
{
	u64 now;
	bool ran = false;

	/* On every exit: with nothing armed and nothing fired, no need to read the clock. */
	if (!q->fired && READ_ONCE(q->next) == NEVER)
		return false;
	now = hv_time_ns();
	if (!q->fired && READ_ONCE(q->next) > now)
		return false;
	hv_spin_lock(&timer_lock);
	q->fired = false;
	while (q->timers && q->timers->deadline <= now) {
		struct hv_timer *timer = q->timers;
		void (*fn)(struct hv_timer *timer) = timer->fn;

		q->timers = timer->next;
		timer->next = NULL;
		timer->armed = false;
		/* Unlocked: the callback may arm timers, and take locks that are held around hv_timer_arm(). */
		hv_spin_unlock(&timer_lock);
		fn(timer);
		ran = true;
		hv_spin_lock(&timer_lock);
	}
	queue_changed(arch_cpu_id());
	hv_spin_unlock(&timer_lock);
	return ran;
}

void hv_work_init(struct hv_work *work, void (*fn)(struct hv_work *work))
{
	work->fn = fn;
	work->next = NULL;
}

bool hv_work_queue(struct hv_work *work)
{
	struct cpu_queues *q = &queues[arch_cpu_id()];
	u64 idle = 0;

	/* Whoever claims it queues it: a second pCPU finds it taken and leaves it to the first. */
	if (!__atomic_compare_exchange_n(&work->queued, &idle, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return false;
	work->next = NULL;
	if (q->work_tail)
		q->work_tail->next = work;
	else
		q->work_head = work;
	q->work_tail = work;
	return true;
}

/* True when it ran any. */
static bool run_work(struct cpu_queues *q)
{
	struct hv_work *work = q->work_head;

	if (!work)
		return false;
	q->work_head = NULL;
	q->work_tail = NULL;
	while (work) {
		struct hv_work *next = work->next;

		/* Released first, so that the function may queue it again. */
		store_release(&work->queued, 0);
		work->fn(work);
		work = next;
	}
	return true;
}

/* Out of line: the common case (nothing due) is hv_cpu_run_pending()'s few loads, without this frame. */
static __noinline void run_pending(struct cpu_queues *q)
{
	/* Until nothing is left: a callback may queue work, work may arm a timer that is already due. */
	for (;;) {
		bool ran = run_timers(q);

		if (run_work(q))
			ran = true;
		if (!ran)
			return;
	}
}

void hv_cpu_run_pending(void)
{
	struct cpu_queues *q;

	/* Console input, when it is polled rather than taken by its interrupt: passing through is when. */
	hv_input_poll();
	/* Found after the poll, so that nothing of this is kept across its call. */
	q = &queues[arch_cpu_id()];
	/*
	 * Every exit passes here: none fired, no work queued is the answer most of the time. With a host
	 * interrupt controller the hardware timer says when the head is due (fired, from its interrupt); without
	 * one the queue is polled, and an armed timer means looking at the time.
	 */
	if (q->fired || q->work_head || (!hv_config.irqchip.ops && READ_ONCE(q->next) != NEVER))
		run_pending(q);
}
