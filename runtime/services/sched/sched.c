// SPDX-License-Identifier: Apache-2.0
/*
 * The vCPU scheduler (hv/sched.h): linked only when some pCPU may run more than one vCPU.
 *
 * Every vCPU is a thread with an EL2 stack of its own and runs the core's vCPU loop on it. Each pCPU has a
 * runqueue: the vCPU it runs (curr), the runnable ones waiting for it (ready, highest priority first, in
 * arrival order within a priority) and its idle thread, which runs on the pCPU's boot stack when nothing
 * else can. The policy is fixed-priority round robin:
 *
 *   - a vCPU runs until it waits (WFI), yields (WFE), or a vCPU of higher priority becomes ready on its
 *     pCPU, or its time slice ends while one of the same priority is ready;
 *   - a preempted vCPU keeps the rest of its slice and the head of its priority's line; one whose slice
 *     ended goes to the back of it with a fresh slice; lower priorities run only when nothing above them can.
 *
 * Decisions are taken at one point, hv_vcpu_settle()'s last step before the guest (sched_preempt()), which
 * every trap passes: the hypervisor timer's interrupt (the slice end) and the kick SGI (a wake-up that wants
 * this pCPU) are physical interrupts routed to EL2, taken whatever the guest's PSTATE masks. Timekeeping is
 * tickless: the slice timer is armed only while a vCPU of the current one's priority is ready, so a pCPU
 * with one runnable vCPU takes no ticks; a waiting vCPU's own timer is watched by a one-shot hypervisor timer
 * at its deadline.
 *
 * Placement: a vCPU starts on the pCPU the compiler chose (the least loaded of its affinity); a vCPU woken
 * goes to an idle pCPU of its affinity if there is one, else back where it ran; a pCPU going idle pulls a
 * waiting vCPU of its affinity from another runqueue. There is no periodic balancing.
 *
 * Locking: each runqueue's lock guards its curr and ready fields and the state and cpu of the vCPUs on it
 * (a vCPU belongs to the runqueue its cpu names). Wakers may hold emulator and interrupt-controller locks,
 * so runqueue locks nest inside those, and are never held across a call that takes them (the vCPU's
 * put/load hooks run after the lock is dropped). At most one runqueue lock is held at a time. A vCPU in the
 * middle of moving is WAKING and belongs to whoever moves it.
 *
 * A vCPU's registers live on one pCPU at a time. on_cpu says they may still be on one: set when a pCPU loads
 * it, cleared by the thread that pCPU switches to once the switch away is complete. A vCPU is queued on
 * another pCPU than the one its registers are on only once on_cpu is clear, so a pCPU never waits for
 * another to finish a switch.
 */
#include <hv/arch.h>
#include <hv/sched.h>
#include <hv/timer.h>
#include <hv/vintc.h>
#include <arch/context.h>

#define NEVER	(~0UL)

enum vcpu_state {
	VCPU_RUNNING,	/* its runqueue's curr */
	VCPU_READY,	/* on its runqueue's ready list */
	VCPU_BLOCKED,	/* on no list, until woken; cpu is where it ran */
	VCPU_WAKING,	/* being moved to a runqueue by the one who woke or pulled it */
};

struct hv_sched_vcpu {
	struct hv_vcpu *vcpu;
	struct arch_thread thread;
	struct arch_vcpu_context ctx;
	struct hv_sched_vcpu *next;	/* on the ready list */
	u64 affinity;			/* bit n: it may run on pCPU n */
	u64 priority;
	u64 slice_ns;
	u64 cpu;			/* its runqueue */
	u64 state;			/* enum vcpu_state */
	bool blocking;			/* RUNNING, about to block: a wake-up meanwhile cancels that */
	u64 on_cpu;			/* its registers are, or may still be, on a pCPU */
	u64 notified;			/* an hv_cpu_notify() it has not waited for yet */
	u64 slice_left;			/* what its next turn lasts */
	u64 slice_end;			/* hv_time_ns() at which its turn ends, while RUNNING */
	struct hv_timer wake;		/* its timer's deadline, while it waits for an interrupt off its pCPU */
	/* Figures, for sched_stats() and the report. */
	u64 since;			/* hv_time_ns() it was last switched in */
	u64 run_ns;
	u64 switches;
	u64 migrations;
};

struct runqueue {
	hv_spinlock_t lock;
	struct hv_sched_vcpu *curr;	/* NULL: the idle thread runs */
	struct hv_sched_vcpu *ready;
	struct hv_sched_vcpu *prev;	/* the vCPU the last switch here left, for the next thread to release */
	struct arch_thread idle;
	struct hv_timer slice;		/* curr's turn ends; armed only while another of its priority is ready */
	u64 slice_deadline;		/* what slice is armed for, or NEVER; this pCPU's alone */
	/* Figures. */
	u64 slice_ends;			/* slice timer interrupts (ticks) */
	u64 switches;
	u64 idle_ns;
	u64 idle_since;
};

static struct runqueue runqueues[CONFIG_HV_MAX_CPUS];
static struct hv_sched_vcpu sched_vcpus[CONFIG_HV_MAX_VCPUS];
static u64 nr_vcpus;
static u8 vcpu_stacks[CONFIG_HV_MAX_VCPUS][CONFIG_HV_STACK_SIZE] __aligned(16);

static struct runqueue *this_rq(void)
{
	return &runqueues[arch_cpu_id()];
}

static u64 rq_cpu(const struct runqueue *rq)
{
	return (u64)(rq - runqueues);
}

/* A hint, read without its lock: nothing runs or waits there. */
static bool rq_idle(const struct runqueue *rq)
{
	return !READ_ONCE(rq->curr) && !READ_ONCE(rq->ready);
}

static void kick_cpu(u64 cpu)
{
	if (cpu != arch_cpu_id())
		hv_config.irqchip.ops->kick(hv_config.pcpus[cpu].hwid);
}

/* Locks the runqueue the vCPU belongs to; it cannot move while that is held (unless it is WAKING). */
static struct runqueue *lock_vcpu_rq(struct hv_sched_vcpu *sv)
{
	for (;;) {
		struct runqueue *rq = &runqueues[READ_ONCE(sv->cpu)];

		hv_spin_lock(&rq->lock);
		if (rq_cpu(rq) == sv->cpu)
			return rq;
		hv_spin_unlock(&rq->lock);
	}
}

/* With the lock held: behind the ready vCPUs of its priority, or (a preempted one) ahead of them. */
static void enqueue(struct runqueue *rq, struct hv_sched_vcpu *sv, bool head)
{
	struct hv_sched_vcpu **link = &rq->ready;

	while (*link && ((*link)->priority > sv->priority || (!head && (*link)->priority == sv->priority)))
		link = &(*link)->next;
	sv->next = *link;
	*link = sv;
	sv->state = VCPU_READY;
}

static void dequeue(struct runqueue *rq, struct hv_sched_vcpu *sv)
{
	struct hv_sched_vcpu **link = &rq->ready;

	while (*link != sv)
		link = &(*link)->next;
	*link = sv->next;
	sv->next = NULL;
}

/* With the lock held, on rq's pCPU: the slice timer armed for `deadline`, or not at all. */
static void arm_slice(struct runqueue *rq, u64 deadline)
{
	if (deadline == rq->slice_deadline)
		return;
	rq->slice_deadline = deadline;
	if (deadline == NEVER)
		hv_timer_cancel(&rq->slice);
	else
		hv_timer_arm(&rq->slice, deadline);
}

/* Only while a vCPU of curr's priority waits for the pCPU does curr's turn have an end. */
static u64 slice_deadline(const struct runqueue *rq)
{
	const struct hv_sched_vcpu *curr = rq->curr;

	return curr && rq->ready && rq->ready->priority == curr->priority ? curr->slice_end : NEVER;
}

/* Runs at the next settle of the pCPU, which then preempts its vCPU. */
static void slice_expired(struct hv_timer *timer)
{
	struct runqueue *rq = container_of(timer, struct runqueue, slice);

	rq->slice_deadline = NEVER;
	rq->slice_ends++;
}

/* An idle pCPU of the vCPU's affinity, other than `except`; -1 when none. */
static s64 idle_cpu_for(const struct hv_sched_vcpu *sv, u64 except)
{
	for (u64 cpu = 0; cpu < hv_config.pcpu_count; cpu++)
		if ((sv->affinity & BIT(cpu)) && cpu != except && rq_idle(&runqueues[cpu]))
			return (s64)cpu;
	return -1;
}

/* First thing a thread does when a switch resumes it: let go of the vCPU the switch left. */
static void finish_switch(void)
{
	struct runqueue *rq = this_rq();
	struct hv_sched_vcpu *prev = rq->prev;
	s64 idle;

	if (!prev)
		return;
	rq->prev = NULL;
	store_release(&prev->on_cpu, 0);
	/* Left waiting here, it could run at once on an idle pCPU of its affinity: tell that one to pull it. */
	if (READ_ONCE(prev->state) == VCPU_READY && (idle = idle_cpu_for(prev, rq_cpu(rq))) >= 0)
		kick_cpu((u64)idle);
}

/*
 * With rq locked, on prev's thread (NULL: the idle thread's), prev no longer curr (already READY again, or
 * BLOCKED): runs the first ready vCPU, or the idle thread. Returns, unlocked, when a switch comes back.
 */
static void schedule(struct runqueue *rq, struct hv_sched_vcpu *prev)
{
	struct hv_sched_vcpu *next = rq->ready;
	const struct hv_device *vintc;
	u64 now = hv_time_ns();

	if (next) {
		dequeue(rq, next);
		next->state = VCPU_RUNNING;
		next->slice_end = now + next->slice_left;
		next->slice_left = next->slice_ns;
	}
	rq->curr = next;
	arm_slice(rq, slice_deadline(rq));
	if (next == prev) {
		hv_spin_unlock(&rq->lock);
		return;
	}
	rq->switches++;
	hv_spin_unlock(&rq->lock);

	if (prev) {
		prev->run_ns += now - prev->since;
		vintc = prev->vcpu->guest->vintc;
		if (vintc)
			vintc->ops->vintc->vcpu_put(prev->vcpu, vintc);
		arch_vcpu_put(prev->vcpu, &prev->ctx);
		/* Off its pCPU no physical interrupt tells when its timer fires: a hypervisor timer does. */
		if (READ_ONCE(prev->state) == VCPU_BLOCKED) {
			u64 deadline = arch_vcpu_timer_deadline(&prev->ctx);

			if (deadline != NEVER)
				hv_timer_arm(&prev->wake, hv_counter_deadline_ns(deadline));
		}
	} else {
		rq->idle_ns += now - rq->idle_since;
	}

	if (next) {
		if (load_acquire(&next->on_cpu))
			hv_panic("sched: vCPU %lu of guest '%s' queued on pCPU %lu while still on another",
				 next->vcpu->index, next->vcpu->guest->cfg->name, rq_cpu(rq));
		WRITE_ONCE(next->on_cpu, 1);
		if (next->vcpu->pcpu != rq_cpu(rq))
			next->migrations++;
		next->vcpu->pcpu = rq_cpu(rq);
		next->since = now;
		next->switches++;
		arch_vcpu_load(next->vcpu, &next->ctx);
		vintc = next->vcpu->guest->vintc;
		if (vintc)
			vintc->ops->vintc->vcpu_load(next->vcpu, vintc);
		hv_cpu_set_vcpu(next->vcpu);
	} else {
		rq->idle_since = now;
		hv_cpu_set_vcpu(NULL);
	}

	rq->prev = prev;
	arch_thread_switch(prev ? &prev->thread : &rq->idle, next ? &next->thread : &rq->idle);
	finish_switch();
}

/*
 * Makes a blocked vCPU runnable, on an idle pCPU of its affinity if there is one, else where it ran; stops
 * one that is about to block from doing so. `kick` also makes a vCPU running on another pCPU trap, to see
 * its new interrupts. Any pCPU, any non-scheduler lock held.
 */
static void wake(struct hv_sched_vcpu *sv, bool kick)
{
	struct runqueue *rq = lock_vcpu_rq(sv);
	struct runqueue *target;
	struct hv_sched_vcpu *curr;
	bool resched;
	s64 idle;

	if (sv->state == VCPU_RUNNING) {
		u64 cpu = rq_cpu(rq);
		bool was_blocking = sv->blocking;

		/* One on its way to block goes back to its guest instead, flushing what is new. */
		sv->blocking = false;
		hv_spin_unlock(&rq->lock);
		if (kick && !was_blocking)
			kick_cpu(cpu);
		return;
	}
	if (sv->state != VCPU_BLOCKED) {
		hv_spin_unlock(&rq->lock);	/* ready already, or someone else is moving it */
		return;
	}
	sv->state = VCPU_WAKING;
	hv_spin_unlock(&rq->lock);
	hv_timer_cancel(&sv->wake);

	/* Its registers may still be on the pCPU it blocked on: then only that pCPU can take it. */
	target = rq;
	if (!load_acquire(&sv->on_cpu) && !rq_idle(rq) && (idle = idle_cpu_for(sv, rq_cpu(rq))) >= 0)
		target = &runqueues[idle];

	hv_spin_lock(&target->lock);
	WRITE_ONCE(sv->cpu, rq_cpu(target));
	sv->slice_left = sv->slice_ns;
	enqueue(target, sv, false);
	curr = target->curr;
	/* A higher priority preempts; an equal one gives the current vCPU's turn an end (the slice timer). */
	resched = !curr || sv->priority >= curr->priority;
	hv_spin_unlock(&target->lock);
	if (resched)
		kick_cpu(rq_cpu(target));
}

/*
 * An idle pCPU pulls the first ready vCPU of its affinity from another runqueue, if one waits whose
 * registers are off every pCPU. True when it got one.
 */
static bool pull(struct runqueue *rq)
{
	u64 me = rq_cpu(rq);

	for (u64 cpu = 0; cpu < hv_config.pcpu_count; cpu++) {
		struct runqueue *src = &runqueues[cpu];
		struct hv_sched_vcpu *sv;

		if (src == rq || !READ_ONCE(src->ready))
			continue;
		hv_spin_lock(&src->lock);
		for (sv = src->ready; sv; sv = sv->next)
			if ((sv->affinity & BIT(me)) && !load_acquire(&sv->on_cpu))
				break;
		if (sv) {
			dequeue(src, sv);
			sv->state = VCPU_WAKING;
		}
		hv_spin_unlock(&src->lock);
		if (!sv)
			continue;
		hv_spin_lock(&rq->lock);
		WRITE_ONCE(sv->cpu, me);
		enqueue(rq, sv, false);
		hv_spin_unlock(&rq->lock);
		return true;
	}
	return false;
}

/*
 * The calling vCPU gives up its pCPU until woken, unless `ready` finds it need not. `ready` runs with no
 * scheduler lock held (it may take the interrupt controller's) after the vCPU has declared that it blocks,
 * so a wake-up between the two is never lost: the waker sees it blocking, and cancels that.
 */
static void block(struct hv_sched_vcpu *sv, bool (*ready)(struct hv_sched_vcpu *sv))
{
	struct runqueue *rq = this_rq();

	hv_spin_lock(&rq->lock);
	sv->blocking = true;
	hv_spin_unlock(&rq->lock);
	if (ready(sv)) {
		hv_spin_lock(&rq->lock);
		sv->blocking = false;
		hv_spin_unlock(&rq->lock);
		return;
	}
	hv_spin_lock(&rq->lock);
	if (!sv->blocking) {
		hv_spin_unlock(&rq->lock);
		return;
	}
	sv->blocking = false;
	sv->state = VCPU_BLOCKED;
	schedule(rq, sv);
}

static bool has_interrupt(struct hv_sched_vcpu *sv)
{
	const struct hv_device *vintc = sv->vcpu->guest->vintc;

	if (vintc)
		return vintc->ops->vintc->pending(sv->vcpu, vintc);
	/* Without an interrupt controller only its timer's condition ends its wait. */
	return arch_vcpu_timer_state() == ARCH_VTIMER_FIRED;
}

static bool consume_notify(struct hv_sched_vcpu *sv)
{
	return __atomic_exchange_n(&sv->notified, 0, __ATOMIC_ACQ_REL);
}

/* --- the core's hooks --- */

static void vcpu_thread_start(void *arg)
{
	finish_switch();
	hv_vcpu_thread(arg);
}

/* Its timer's deadline passed while it waited off its pCPU. */
static void wake_timer_fired(struct hv_timer *timer)
{
	struct hv_sched_vcpu *sv = container_of(timer, struct hv_sched_vcpu, wake);
	const struct hv_device *vintc = sv->vcpu->guest->vintc;

	/* With an interrupt controller, the timer ends the wait only if its interrupt can be taken. */
	if (vintc)
		vintc->ops->vintc->timer_fired(sv->vcpu, vintc);
	else
		wake(sv, false);
}

static void sched_vcpu_init(struct hv_vcpu *vcpu)
{
	const struct hv_vcpu_config *cfg = &vcpu->guest->cfg->vcpus[vcpu->index];
	struct hv_sched_vcpu *sv;
	struct runqueue *rq;

	/* Its timer interrupt ends time slices, its SGIs wake other pCPUs (the compiler links the driver). */
	if (!hv_config.irqchip.ops)
		hv_panic("sched: no host interrupt controller driver");
	if (nr_vcpus == CONFIG_HV_MAX_VCPUS)
		hv_panic("sched: more than CONFIG_HV_MAX_VCPUS (%u) vCPUs", CONFIG_HV_MAX_VCPUS);
	sv = &sched_vcpus[nr_vcpus];
	sv->vcpu = vcpu;
	sv->affinity = cfg->affinity;
	sv->priority = cfg->priority;
	sv->slice_ns = cfg->time_slice_ns;
	sv->slice_left = cfg->time_slice_ns;
	sv->cpu = cfg->pcpu;
	hv_timer_init(&sv->wake, wake_timer_fired);
	vcpu->sched = sv;
	vcpu->regs = arch_thread_init(&sv->thread, vcpu_stacks[nr_vcpus] + CONFIG_HV_STACK_SIZE, vcpu_thread_start, vcpu);
	arch_vcpu_context_init(vcpu, &sv->ctx);
	nr_vcpus++;

	/* Before any pCPU schedules: it runs first to get to its guest, or to wait until it is powered on. */
	rq = &runqueues[sv->cpu];
	enqueue(rq, sv, false);
}

static __noreturn void sched_cpu_run(u64 pcpu)
{
	struct runqueue *rq = &runqueues[pcpu];

	hv_timer_init(&rq->slice, slice_expired);
	rq->slice_deadline = NEVER;
	rq->idle_since = hv_time_ns();
	for (;;) {
		if (!READ_ONCE(rq->ready))
			pull(rq);
		hv_spin_lock(&rq->lock);
		if (rq->ready) {
			schedule(rq, NULL);	/* back when the pCPU has nothing to run */
			continue;
		}
		hv_spin_unlock(&rq->lock);
		/* A wake-up that queues a vCPU here after the look above kicks this pCPU: the wait ends at once. */
		hv_cpu_idle();
	}
}

static bool sched_preempt(struct hv_vcpu *vcpu)
{
	struct hv_sched_vcpu *sv = vcpu->sched;
	struct runqueue *rq = this_rq();
	struct hv_sched_vcpu *next;
	bool higher;
	u64 now;

	/* Nothing waits and no turn ends: the common case of a trap on a pCPU it has to itself. */
	if (!READ_ONCE(rq->ready) && rq->slice_deadline == NEVER)
		return false;
	now = hv_time_ns();
	hv_spin_lock(&rq->lock);
	next = rq->ready;
	if (!next || next->priority < sv->priority || (next->priority == sv->priority && now < sv->slice_end)) {
		arm_slice(rq, slice_deadline(rq));
		hv_spin_unlock(&rq->lock);
		return false;
	}
	higher = next->priority > sv->priority && sv->slice_end > now;
	sv->slice_left = higher ? sv->slice_end - now : sv->slice_ns;
	enqueue(rq, sv, higher);
	schedule(rq, sv);
	return true;
}

static void sched_yield(struct hv_vcpu *vcpu);

static void sched_wait_interrupt(struct hv_vcpu *vcpu)
{
	struct hv_sched_vcpu *sv = vcpu->sched;

	/*
	 * A guest without an interrupt controller whose timer is off has nothing that could ever end the wait:
	 * it is only a hint that others may run.
	 */
	if (!vcpu->guest->vintc && arch_vcpu_timer_state() == ARCH_VTIMER_OFF) {
		sched_yield(vcpu);
		return;
	}
	block(sv, has_interrupt);
}

static void sched_yield(struct hv_vcpu *vcpu)
{
	struct hv_sched_vcpu *sv = vcpu->sched;
	struct runqueue *rq = this_rq();

	hv_spin_lock(&rq->lock);
	if (!rq->ready || rq->ready->priority < sv->priority) {
		hv_spin_unlock(&rq->lock);
		return;
	}
	sv->slice_left = sv->slice_ns;
	enqueue(rq, sv, false);
	schedule(rq, sv);
}

static void sched_wait_event(struct hv_vcpu *vcpu)
{
	block(vcpu->sched, consume_notify);
}

static void sched_notify(void)
{
	for (u64 i = 0; i < nr_vcpus; i++) {
		store_release(&sched_vcpus[i].notified, 1);
		wake(&sched_vcpus[i], true);
	}
}

static void sched_kick(struct hv_vcpu *vcpu)
{
	wake(vcpu->sched, true);
}

static void sched_stats(const struct hv_vcpu *vcpu, struct hv_sched_stats *out)
{
	const struct hv_sched_vcpu *sv = vcpu->sched;
	u64 state = READ_ONCE(sv->state);

	out->state = state == VCPU_RUNNING ? HV_SCHED_RUNNING : state == VCPU_BLOCKED ? HV_SCHED_BLOCKED : HV_SCHED_READY;
	out->pcpu = READ_ONCE(sv->vcpu->pcpu);
	out->run_ns = READ_ONCE(sv->run_ns) + (state == VCPU_RUNNING ? hv_time_ns() - READ_ONCE(sv->since) : 0);
	out->switches = READ_ONCE(sv->switches);
	out->migrations = READ_ONCE(sv->migrations);
}

static void sched_report(void)
{
	static const char *const states[] = { "running", "ready", "blocked" };

	for (u64 i = 0; i < nr_vcpus; i++) {
		struct hv_vcpu *vcpu = sched_vcpus[i].vcpu;
		struct hv_sched_stats st;

		sched_stats(vcpu, &st);
		hv_log("sched: guest '%s' vCPU %lu: %s on pCPU %lu, ran %lu us, %lu switches, %lu migrations",
		       vcpu->guest->cfg->name, vcpu->index, states[st.state], st.pcpu, st.run_ns / 1000, st.switches,
		       st.migrations);
	}
	for (u64 cpu = 0; cpu < hv_config.pcpu_count; cpu++) {
		const struct runqueue *rq = &runqueues[cpu];

		if (!rq->switches)
			continue;
		hv_log("sched: pCPU %lu: %lu switches, %lu slice ends, idle %lu us", cpu, rq->switches,
		       rq->slice_ends, (rq->idle_ns + (rq->curr ? 0 : hv_time_ns() - rq->idle_since)) / 1000);
	}
}

const struct hv_scheduler_ops sched_ops = {
	.name = "fixed-priority round robin",
	.vcpu_init = sched_vcpu_init,
	.cpu_run = sched_cpu_run,
	.preempt = sched_preempt,
	.wait_interrupt = sched_wait_interrupt,
	.yield = sched_yield,
	.wait_event = sched_wait_event,
	.notify = sched_notify,
	.kick = sched_kick,
	.stats = sched_stats,
	.report = sched_report,
};
