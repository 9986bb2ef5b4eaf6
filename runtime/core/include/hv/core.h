/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core's run-time state and the interface between the core, the arch port and the emulators.
 *
 * Scheduling model: every vCPU is pinned to its own physical CPU (the compiler checks that no pCPU hosts two
 * vCPUs), so a pCPU either runs exactly one vCPU or idles. A vCPU's guest registers live in a frame at the
 * top of its pCPU's stack for its whole life; there is no context switch between vCPUs.
 */
#ifndef HV_CORE_H
#define HV_CORE_H

#include <hv/config.h>
#include <hv/types.h>

struct arch_regs;	/* guest register frame, defined by the arch port */

/* A simple test-and-set lock; owner is the pCPU index + 1 so a panic can tell whether it holds it. */
typedef struct {
	u64 owner;
} hv_spinlock_t;

void hv_spin_lock(hv_spinlock_t *lock);
void hv_spin_unlock(hv_spinlock_t *lock);

/* PSCI power state of a vCPU (the AFFINITY_INFO encoding). */
enum hv_vcpu_power {
	HV_VCPU_ON = 0,
	HV_VCPU_OFF = 1,
	HV_VCPU_ON_PENDING = 2,
};

enum hv_guest_state {
	HV_GUEST_RUNNING = 0,
	HV_GUEST_STOPPED = 1,
};

struct hv_guest {
	const struct hv_guest_config *cfg;
	const struct hv_device *vintc;	/* the guest's interrupt controller device, or NULL */
	u64 index;
	hv_spinlock_t lock;		/* power state of the vCPUs, the line buffer */
	u64 state;			/* enum hv_guest_state */
	u64 epoch;			/* bumped by every SYSTEM_RESET */
	struct hv_vcpu *vcpus[CONFIG_HV_MAX_CPUS];	/* by vCPU index */
	u64 line_len;
	char line[CONFIG_HV_GUEST_LINE_MAX];
};

struct hv_vcpu {
	struct hv_guest *guest;
	u64 index;			/* within the guest */
	u64 pcpu;
	struct arch_regs *regs;
	u64 power;			/* enum hv_vcpu_power */
	u64 epoch;			/* the guest epoch this vCPU has caught up with */
	u64 on_entry;			/* CPU_ON arguments, valid while ON_PENDING */
	u64 on_context;
};

/* What the arch port decoded from a trap, for the one-line fault report. */
struct hv_trap_info {
	u64 esr;
	u64 pc;
	u64 ipa;
	bool has_ipa;
	const char *class_name;		/* the ESR exception class in words */
	const char *detail;		/* fault status in words, or NULL */
};

/* --- core services --- */

__printf(1, 2) void hv_log(const char *fmt, ...);
__printf(1, 2) __noreturn void hv_panic(const char *fmt, ...);
int hv_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

struct hv_vcpu *hv_current_vcpu(void);

/* Trap handling, called by the arch port on the vCPU's own pCPU. */
const struct hv_device *hv_guest_find_device(struct hv_guest *guest, u64 ipa, u32 *window);
bool hv_vcpu_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *access);
void hv_psci_call(struct hv_vcpu *vcpu);
void hv_vcpu_fault(struct hv_vcpu *vcpu, const char *what, const struct hv_trap_info *info);
void hv_vcpu_settle(struct hv_vcpu *vcpu);
bool hv_vcpu_must_yield(struct hv_vcpu *vcpu);

/* Core-internal. */
extern u64 hv_panicking;
void hv_stop_all_guests(void);
void hv_console_init(void);
void hv_guest_console_putc(struct hv_guest *guest, char c);
void hv_guest_console_flush(struct hv_guest *guest);
void hv_guest_stop(struct hv_guest *guest, const char *line);
void hv_guest_request_reset(struct hv_guest *guest);
void hv_cpu_notify(void);
void hv_cpu_wait(void);

/*
 * A guest interrupt controller emulator (hv_emulator_ops.vintc): how the core, the arch port and the host
 * interrupt driver reach the guest's virtual GIC. Unless said otherwise a hook runs on the vCPU's own pCPU.
 */
struct hv_vintc_ops {
	/* Once per vCPU before it first runs. */
	void (*vcpu_init)(struct hv_vcpu *vcpu, const struct hv_device *dev);
	/* The vCPU (re)starts (PSCI CPU_ON, guest reset): its private interrupts and list registers are cleared. */
	void (*vcpu_reset)(struct hv_vcpu *vcpu, const struct hv_device *dev);
	/* A device's interrupt line changed level. Any pCPU. */
	void (*set_level)(const struct hv_device *dev, u64 intid, bool level);
	/* A physical interrupt that belongs to this vCPU (e.g. its virtual timer's PPI) arrived. */
	bool (*host_irq)(struct hv_vcpu *vcpu, const struct hv_device *dev, u64 intid);
	/* Just before every return to the guest: bring the virtual CPU interface up to date. */
	void (*flush)(struct hv_vcpu *vcpu, const struct hv_device *dev);
	/* A trapped system register access (ESR in esr); false when it is not one the emulator handles. */
	bool (*sysreg)(struct hv_vcpu *vcpu, const struct hv_device *dev, u64 esr);
};

/* --- services for emulators --- */

/* One byte of guest console output; the core prints it line by line with the guest's name in front. */
void hv_vcpu_console_putc(struct hv_vcpu *vcpu, char c);
/*
 * The level of a device's interrupt line changed. This is the hook the virtual GIC will implement; until it
 * exists no interrupt is delivered to any guest.
 */
void hv_device_irq_level(const struct hv_device *dev, bool level);
/* The guest that owns a device instance. */
struct hv_guest *hv_device_guest(const struct hv_device *dev);
/* Make a vCPU running on another pCPU trap to EL2 soon, so it sees new virtual interrupts. */
void hv_vcpu_kick(struct hv_vcpu *vcpu);
/*
 * A physical interrupt the host interrupt driver acknowledged on this pCPU (called by the driver). True when
 * it was forwarded to the guest as a hardware interrupt, which the guest's EOI deactivates; otherwise the
 * driver deactivates it.
 */
bool hv_host_irq(u64 intid);
/* A physical IRQ was taken from the guest: the host interrupt driver acknowledges and dispatches it. */
void hv_vcpu_host_irqs(struct hv_vcpu *vcpu);

/* --- provided by the arch port --- */

u64 arch_cpu_id(void);
struct arch_regs *arch_cpu_regs(u64 pcpu);
u64 arch_vcpu_reg(struct hv_vcpu *vcpu, unsigned int n);
void arch_vcpu_set_reg(struct hv_vcpu *vcpu, unsigned int n, u64 value);
void arch_vcpu_init(struct hv_vcpu *vcpu);
void arch_vcpu_reset(struct hv_vcpu *vcpu, u64 entry, u64 arg);
/* Whether the guest's WFI traps (it must unless a virtual interrupt controller can wake the vCPU). */
void arch_vcpu_trap_wfi(struct hv_vcpu *vcpu, bool trap);
__noreturn void arch_vcpu_enter(struct hv_vcpu *vcpu);
void arch_wait_event(void);
void arch_send_event(void);
void arch_wait_interrupt(void);
void arch_sync_guest_memory(u64 pa, u64 size);
/* Make every vCPU of the guest, on whatever pCPU, trap to EL2 soon (and undo that). */
void arch_guest_block(struct hv_guest *guest);
void arch_guest_unblock(struct hv_guest *guest);
s64 arch_host_cpu_on(u64 mpidr, u64 pcpu);
__noreturn void arch_host_system_off(void);
__noreturn void arch_halt(void);

/* --- C library functions clang may emit calls to --- */

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

#endif /* HV_CORE_H */
