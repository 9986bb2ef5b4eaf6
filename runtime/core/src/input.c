// SPDX-License-Identifier: Apache-2.0
/*
 * The keyboard side of the console session (hv/session.h): reading the host console, the escape key, and
 * handing bytes to the focused guest or the management terminal.
 *
 * Who reads. With a host interrupt controller driver, the UART's receive interrupt is routed to one pCPU
 * (the first that runs a guest: a CPU no guest uses never takes interrupts) and only that pCPU reads,
 * from its interrupt handler and from a retry timer armed on itself. Without one nothing interrupts a
 * guest, so every pCPU reads whenever it passes through the hypervisor, the first to get the input lock
 * doing the work (a try-lock: the others have better things to do than wait for it).
 *
 * Flow control. Each guest has a queue between the host UART and its console device: bytes typed for it
 * wait there while its receive FIFO is full, and the UART is not read while the focused guest's queue is
 * full, so a paste reaches a guest that reads slowly whole and in order. A guest that does not read at
 * all (for STALE_NS with a full queue) must not hold the keyboard hostage, though: then the UART is read
 * on, the escape key still works, and that guest's bytes are dropped and counted.
 */
#include <hv/timer.h>
#include "internal.h"

#define QUEUE_SIZE	256			/* a line or two pasted ahead of the guest */
#define STALE_NS	(250 * 1000000UL)	/* a full queue for this long: the guest is not reading */
#define RETRY_NS	(1 * 1000000UL)		/* how soon a full FIFO or a paused guest is tried again */
#define POLL_NS		(500 * 1000UL)		/* a 16-byte FIFO at 115200 baud fills in 1.4 ms */

struct guest_queue {
	u8 bytes[QUEUE_SIZE];
	u64 head;
	u64 count;
	u64 epoch;		/* the guest's reset epoch the bytes were typed in */
	u64 since;		/* last progress: a byte taken, or the queue filled from empty */
	bool warned;		/* said once that input is being dropped */
	u64 queued;
	u64 delivered;
	u64 dropped;
};

static hv_spinlock_t input_lock;
static struct guest_queue queues[CONFIG_HV_MAX_CPUS];	/* by guest index */
static bool escape_pending;
static u64 input_bytes;
static u64 last_poll;

static bool irq_mode;		/* the UART's interrupt is taken (else it is polled) */
static struct hv_irq irq_line;
static u64 irq_pcpu;
static bool rx_masked;		/* irq_mode: the UART's receive interrupt is off until the queue drains */
static struct hv_timer retry;

static bool try_lock(hv_spinlock_t *lock)
{
	u64 free = 0;

	return __atomic_compare_exchange_n(&lock->owner, &free, arch_cpu_id() + 1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static bool queue_full(const struct guest_queue *q)
{
	return q->count == QUEUE_SIZE;
}

static bool queue_stale(const struct guest_queue *q, u64 now)
{
	return queue_full(q) && now - q->since > STALE_NS;
}

static void queue_drop(struct guest_queue *q)
{
	q->dropped += q->count;
	q->count = 0;
}

/*
 * A restart is under way until vCPU 0's pCPU has reloaded the guest and reset its devices (it then powers
 * vCPU 0 on): a byte handed to the console device before that would be wiped by its reset.
 */
static bool restarting(const struct hv_guest *guest)
{
	const struct hv_vcpu *vcpu0 = guest->vcpus[0];

	return load_acquire(&vcpu0->epoch) != load_acquire(&guest->epoch) || hv_vcpu_power_state(vcpu0) == HV_VCPU_OFF;
}

/* Hands a guest the bytes waiting for it, as many as it takes now. True when some still wait. */
static bool deliver(struct hv_guest *guest, u64 now)
{
	struct guest_queue *q = &queues[guest->index];

	while (q->count) {
		u64 state = load_acquire(&guest->state);

		/* Typed for a run that is over: the next one must not see it. */
		if (state == HV_GUEST_STOPPED || q->epoch != load_acquire(&guest->epoch)) {
			queue_drop(q);
			break;
		}
		if (state == HV_GUEST_PAUSED || restarting(guest) || !hv_guest_console_input(guest, q->bytes[q->head]))
			break;
		q->head = (q->head + 1) % QUEUE_SIZE;
		q->count--;
		q->delivered++;
		q->since = now;
		q->warned = false;
	}
	return q->count != 0;
}

static bool deliver_all(u64 now)
{
	bool waiting = false;

	for (u64 gi = 0; gi < hv_config.guest_count; gi++)
		if (queues[gi].count && deliver(&hv_guests[gi], now))
			waiting = true;
	return waiting;
}

static void queue_byte(struct hv_guest *guest, u8 byte, u64 now)
{
	struct guest_queue *q = &queues[guest->index];
	u64 state = load_acquire(&guest->state);

	if (state == HV_GUEST_STOPPED) {
		q->dropped++;
		if (!q->warned)
			hv_log("console: guest '%s' is stopped; %s t for the terminal, then guest start %s",
			       guest->cfg->name, hv_session_escape_name(), guest->cfg->name);
		q->warned = true;
		return;
	}
	if (q->count && q->epoch != load_acquire(&guest->epoch))
		queue_drop(q);
	if (queue_full(q)) {
		q->dropped++;
		if (!q->warned)
			hv_log("console: guest '%s' does not read its console; input to it is dropped", guest->cfg->name);
		q->warned = true;
		return;
	}
	if (!q->count) {
		q->epoch = load_acquire(&guest->epoch);
		q->since = now;
	}
	q->bytes[(q->head + q->count) % QUEUE_SIZE] = byte;
	q->count++;
	q->queued++;
}

/* The guests the focus keys move between: those with a console device. */
static bool focusable(u64 gi)
{
	return gi < hv_config.guest_count && hv_config.guests[gi].console;
}

static void focus_step(int step)
{
	u64 n = hv_config.guest_count;
	u64 f = hv_session_focus();
	u64 gi;

	if (f >= n)	/* the terminal or nobody: the first (or last) guest */
		f = step > 0 ? n - 1 : 0;
	gi = f;
	for (u64 tries = 0; tries < n; tries++) {
		gi = (gi + n + (u64)(s64)step) % n;
		if (focusable(gi)) {
			hv_session_focus_guest(&hv_guests[gi]);
			return;
		}
	}
	hv_log("console: no guest has a console to switch to");
}

static void help(void)
{
	const char *e = hv_session_escape_name();

	hv_log("console keys: %s, then", e);
	hv_log("  n / p    the next / previous guest");
	hv_log("  1 to 9   guest number 1 to 9 (in the description's order)");
	if (hv_terminal())
		hv_log("  t        the management terminal (help lists its commands)");
	hv_log("  m        mute / show the other guests' output");
	hv_log("  x        power the machine off");
	hv_log("  h or ?   this help");
	hv_log("  %s   send %s itself", e, e);
}

/* The key after the escape key. */
static void escape_command(u8 key)
{
	switch (key) {
	case 'n':
	case 'N':
		focus_step(1);
		break;
	case 'p':
	case 'P':
		focus_step(-1);
		break;
	case 't':
	case 'T':
		if (!hv_session_focus_terminal())
			hv_log("console: this image has no management terminal (CONFIG_HV_TERMINAL)");
		break;
	case 'm':
	case 'M':
		hv_session_mute(!hv_session_muted());
		hv_log("console: the other guests' output is %s", hv_session_muted() ? "muted" : "shown");
		break;
	case 'x':
	case 'X':
		hv_machine_off("the console");
		break;
	case 'h':
	case 'H':
	case '?':
		help();
		break;
	default:
		if (key >= '1' && key <= '9') {
			u64 gi = (u64)(key - '1');

			if (!focusable(gi))
				hv_log("console: there is no guest %c with a console", key);
			else
				hv_session_focus_guest(&hv_guests[gi]);
			break;
		}
		hv_log("console: %s then 0x%02x does nothing; %s h for help", hv_session_escape_name(), key,
		       hv_session_escape_name());
		break;
	}
}

static void input_byte(u8 byte, u64 now)
{
	u64 f;

	input_bytes++;
	if (!hv_session_interactive())
		hv_session_go_interactive();
	if (escape_pending) {
		escape_pending = false;
		if (byte != hv_config.console_escape) {
			escape_command(byte);
			return;
		}
		/* The escape key twice: it goes to the focus as an ordinary byte. */
	} else if (byte == hv_config.console_escape) {
		escape_pending = true;
		return;
	}
	f = hv_session_focus();
	if (f == HV_FOCUS_TERMINAL)
		hv_terminal()->input(byte);
	else if (f < hv_config.guest_count)
		queue_byte(&hv_guests[f], byte, now);
}

/*
 * Input lock held: delivers what waits, reads the UART while the focus can take more, and says whether
 * anything still waits (to be tried again soon).
 */
static bool input_run(bool *blocked)
{
	const struct hv_console_config *con = &hv_config.console;
	bool waiting;

	*blocked = false;
	for (;;) {
		u64 now = hv_time_ns();
		u64 f = hv_session_focus();
		int c;

		waiting = deliver_all(now);
		if (f < hv_config.guest_count && queue_full(&queues[f]) && !queue_stale(&queues[f], now)) {
			*blocked = true;
			break;
		}
		c = con->ops->getc(con);
		if (c < 0)
			break;
		input_byte((u8)c, now);
	}
	return waiting;
}

/* irq_mode, input lock held: read, then leave the UART's interrupt and the retry timer as they must be. */
static void input_run_irq(void)
{
	const struct hv_console_config *con = &hv_config.console;
	bool blocked;
	bool waiting = input_run(&blocked);

	/* A level interrupt left on while the UART holds bytes we will not read would fire without end. */
	if (blocked != rx_masked) {
		con->ops->rx_irq_enable(con, !blocked);
		rx_masked = blocked;
	}
	if (blocked || waiting)
		hv_timer_arm(&retry, hv_time_ns() + RETRY_NS);
}

static void retry_fn(struct hv_timer *timer)
{
	(void)timer;
	if (!try_lock(&input_lock))
		return;
	input_run_irq();
	hv_spin_unlock(&input_lock);
}

static __noinline void input_poll(void)
{
	u64 now;
	bool blocked;

	now = hv_time_ns();
	if (now - READ_ONCE(last_poll) < POLL_NS || !try_lock(&input_lock))
		return;
	WRITE_ONCE(last_poll, now);
	input_run(&blocked);
	hv_spin_unlock(&input_lock);
}

void hv_input_poll(void)
{
	if (!READ_ONCE(irq_mode) && hv_config.console.ops->getc)
		input_poll();
}

bool hv_input_irq(u64 id)
{
	if (!irq_mode || id != irq_line.id || arch_cpu_id() != irq_pcpu)
		return false;
	/* Only this pCPU reads in irq_mode, and nothing runs twice on one pCPU: the lock is free. */
	if (try_lock(&input_lock)) {
		input_run_irq();
		hv_spin_unlock(&input_lock);
	}
	return true;
}

/*
 * Boot pCPU, before the others start and after the host interrupt controller's init: where the console's
 * input will be read, and which guest has it first.
 */
void hv_input_init(void)
{
	const struct hv_console_config *con = &hv_config.console;
	const struct hv_irqchip_ops *chip = hv_config.irqchip.ops;
	u64 f;

	hv_session_init();
	if (!con->ops->getc)
		return;	/* a console that cannot receive: no input, and the screen stays a log */
	hv_timer_init(&retry, retry_fn);
	for (irq_pcpu = 0; irq_pcpu < hv_config.pcpu_count; irq_pcpu++)
		if (hv_config.pcpus[irq_pcpu].guest != HV_NO_GUEST)
			break;
	if (chip && chip->enable && con->ops->rx_irq && con->ops->rx_irq_enable && con->ops->rx_irq(con, &irq_line) &&
	    irq_pcpu < hv_config.pcpu_count && chip->enable(&irq_line, hv_config.pcpus[irq_pcpu].hwid)) {
		irq_mode = true;
		con->ops->rx_irq_enable(con, true);
	}

	f = hv_session_focus();
	if (f < hv_config.guest_count)
		hv_log("console: input goes to guest '%s'; %s h for help", hv_config.guests[f].name,
		       hv_session_escape_name());
	else if (f == HV_FOCUS_TERMINAL)
		hv_log("console: input goes to the management terminal; %s h for help", hv_session_escape_name());
}

void hv_session_stats(struct hv_session_stats *stats)
{
	stats->input_bytes = READ_ONCE(input_bytes);
	stats->muted_lines = hv_session_muted_lines();
	stats->irq = irq_mode;
	stats->irq_id = irq_line.id;
	stats->irq_pcpu = irq_pcpu;
}

void hv_guest_input_stats(const struct hv_guest *guest, struct hv_guest_input_stats *stats)
{
	const struct guest_queue *q = &queues[guest->index];

	stats->queued = READ_ONCE(q->queued);
	stats->delivered = READ_ONCE(q->delivered);
	stats->dropped = READ_ONCE(q->dropped);
}
