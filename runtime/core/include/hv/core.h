/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core's run-time objects (guests and their vCPUs) and its basic services: locks, logging, panic.
 *
 * Scheduling model: when every vCPU owns its physical CPU (static partitioning), a pCPU either runs exactly
 * one vCPU or idles; the vCPU's guest registers live in a frame at the top of its pCPU's stack for its whole
 * life, and there is no context switch between vCPUs. When some pCPU may run several vCPUs, the compiler
 * links a scheduler (hv/sched.h): each vCPU is then a thread with a stack and a frame of its own, and the
 * scheduler switches pCPUs between them. Either way the hypervisor never takes an interrupt while it runs: a
 * physical interrupt either ends a guest's run (a trap) or is looked at by a pCPU that waits. So nothing in
 * the runtime is ever re-entered on the same pCPU, and a lock only guards against other pCPUs (a thread never
 * gives up its pCPU with a lock held).
 *
 * The rest of the interface is one header per service: hv/emulator.h (what a device emulator gets),
 * hv/guest-mem.h, hv/irq.h, hv/console.h, hv/timer.h, hv/work.h, hv/vintc.h, hv/power.h, hv/trap.h,
 * hv/irqchip.h, hv/sched.h (the scheduler's contract), and hv/arch.h (what the arch port provides).
 */
#ifndef HV_CORE_H
#define HV_CORE_H

#include <hv/config.h>
#include <hv/types.h>

struct arch_regs;	/* guest register frame, defined by the arch port */
struct hv_sched_vcpu;	/* a vCPU as the scheduler sees it, defined by the scheduler */

/*
 * A test-and-set lock; owner is the pCPU index + 1 so a panic can tell whether it holds it. Not recursive.
 * Hold it briefly: the other pCPUs spin, and one of them may be what the guest is waiting for.
 */
typedef struct {
	u64 owner;
} hv_spinlock_t;

void hv_spin_lock(hv_spinlock_t *lock);
void hv_spin_unlock(hv_spinlock_t *lock);

/* A vCPU's power state. */
enum hv_vcpu_power {
	HV_VCPU_ON = 0,
	HV_VCPU_OFF = 1,
	HV_VCPU_ON_PENDING = 2,		/* powered on, not yet entered (see hv_vcpu_power_on()) */
};

enum hv_guest_state {
	HV_GUEST_RUNNING = 0,
	HV_GUEST_STOPPED = 1,
	HV_GUEST_PAUSED = 2,		/* its vCPUs keep their state but do not run (hv/manage.h) */
};

struct hv_guest {
	const struct hv_guest_config *cfg;
	const struct hv_device *vintc;	/* the guest's interrupt controller device, or NULL */
	u64 index;
	hv_spinlock_t lock;		/* power state of the vCPUs */
	/*
	 * Its console output: the line buffer, and the session's focus as that output sees it. Taken inside
	 * `lock` when both are held. A UART emulator may guard its own state with it too
	 * (hv_device_output_lock()), so that its data register, the hot path of guest output, takes one lock.
	 */
	hv_spinlock_t out_lock;
	u64 state;			/* enum hv_guest_state */
	u64 epoch;			/* bumped by every reset request */
	struct hv_vcpu *vcpus[CONFIG_HV_MAX_CPUS];	/* by vCPU index */
	u64 line_len;
	char line[CONFIG_HV_GUEST_LINE_MAX];
};

struct hv_vcpu {
	struct hv_guest *guest;
	u64 index;			/* within the guest */
	u64 pcpu;			/* the pCPU it runs on, or last ran on */
	struct arch_regs *regs;		/* its register frame: valid while it is in the hypervisor */
	u64 power;			/* enum hv_vcpu_power */
	u64 epoch;			/* the guest epoch this vCPU has caught up with */
	u64 on_entry;			/* power-on arguments, valid while ON_PENDING */
	u64 on_context;
	u64 traps;			/* times it entered the hypervisor (CONFIG_HV_GUEST_STATS) */
	/*
	 * Whether its guest's interrupt controller has work before the vCPU next enters the guest (list
	 * registers in use, something new to deliver): the controller keeps it (hv/vintc.h), and the exits
	 * that find it clear skip the flush call.
	 */
	u64 vintc_flush;
	struct hv_sched_vcpu *sched;	/* the scheduler's part, when one is linked */
	/*
	 * The device window its last MMIO access hit (hv_vcpu_find_device()): a guest's accesses come in runs
	 * to one device. Written and read by the vCPU's own trap handling only; mmio_size 0 is none yet.
	 */
	const struct hv_device *mmio_dev;
	u64 mmio_base;
	u64 mmio_size;
	u64 mmio_window;
};

/* Logging: one line on the host console, prefixed "[hv] ". Any pCPU, any context but with a lock of its own held. */
__printf(1, 2) void hv_log(const char *fmt, ...);
/* A hypervisor bug: prints "[hv] PANIC: ...", and every pCPU halts. Never returns. */
__printf(1, 2) __noreturn void hv_panic(const char *fmt, ...);
/* %c %s %d %i %u %x %p %%, flags '0' and '-', a width, the l/ll/z modifiers. Returns the untruncated length. */
int hv_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* The vCPU the calling pCPU runs: the one pinned to it, or the one the scheduler put there; NULL when none. */
struct hv_vcpu *hv_current_vcpu(void);
/* The guest that owns a device instance (of its hv_guest_config.devices). */
struct hv_guest *hv_device_guest(const struct hv_device *dev);

/* --- C library functions clang may emit calls to --- */

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

#endif /* HV_CORE_H */
