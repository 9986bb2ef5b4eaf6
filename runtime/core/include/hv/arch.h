/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What an arch port (runtime/arch/<arch>/) provides the core. Everything here runs on the calling pCPU
 * unless said otherwise. The port also provides the entry code that calls hv_main() on the boot pCPU and
 * hv_secondary_main() on the others, and its trap handler, which uses hv/trap.h.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include <hv/core.h>

/* The calling pCPU's index into hv_config.pcpus. */
u64 arch_cpu_id(void);
/* The register frame at the top of a pCPU's stack: the pinned vCPU's, when a vCPU owns the pCPU. */
struct arch_regs *arch_cpu_regs(u64 pcpu);

/* Arch-specific checks of hv_config (e.g. the width of a VMID), after the core's own; hv_panic() on failure. */
void arch_check_config(const struct hv_system_config *config);

/* The pCPU state of a vCPU that owns its pCPU, written once before it first runs. */
void arch_vcpu_init(struct hv_vcpu *vcpu);
/* The vCPU's power-on state: it starts at `entry` with `arg` as its boot argument. */
void arch_vcpu_reset(struct hv_vcpu *vcpu, u64 entry, u64 arg);
/* Whether the pinned vCPU's wait for interrupt traps (it must unless a virtual interrupt controller can wake it). */
void arch_vcpu_trap_wfi(struct hv_vcpu *vcpu, bool trap);
__noreturn void arch_vcpu_enter(struct hv_vcpu *vcpu);

/*
 * Context switching, for a scheduler (hv/sched.h); without one nothing calls these and they are not linked.
 * <arch/context.h> defines struct arch_vcpu_context, the state a vCPU leaves behind when it is off its pCPU
 * (EL1 system registers, FP/SIMD registers, timers, its EL2 controls), and struct arch_thread, a hypervisor
 * thread that does not run. All run on the calling pCPU.
 */
struct arch_vcpu_context;
struct arch_thread;

/* Once, before the vCPU is first loaded: its EL2 controls (WFI and WFE trap) and an EL1 state to start from. */
void arch_vcpu_context_init(struct hv_vcpu *vcpu, struct arch_vcpu_context *ctx);
/* Puts the vCPU's state on this pCPU. Its previous vCPU must have been put. */
void arch_vcpu_load(struct hv_vcpu *vcpu, struct arch_vcpu_context *ctx);
/* Takes the vCPU's state off this pCPU, and quiets its timers so that they raise nothing here any more. */
void arch_vcpu_put(struct hv_vcpu *vcpu, struct arch_vcpu_context *ctx);
/* The counter value (arch_counter_read()) at which a put vCPU's timer will want it, or ~0 when it is off or masked. */
u64 arch_vcpu_timer_deadline(const struct arch_vcpu_context *ctx);
/* The loaded vCPU's timer: off (or masked), counting towards its deadline, or past it (a wait would end). */
enum arch_vtimer {
	ARCH_VTIMER_OFF,
	ARCH_VTIMER_COUNTING,
	ARCH_VTIMER_FIRED,
};
enum arch_vtimer arch_vcpu_timer_state(void);

/*
 * A vCPU's thread: it starts at fn(arg) on the stack below `stack_top` (16-byte aligned), whose top
 * ARCH_REGS_SIZE bytes become the vCPU's register frame, returned. Traps from its guest land there.
 */
struct arch_regs *arch_thread_init(struct arch_thread *thread, u8 *stack_top, void (*fn)(void *), void *arg);
/* Saves the calling thread in prev and continues next; returns when some thread switches back to prev. */
void arch_thread_switch(struct arch_thread *prev, struct arch_thread *next);

/* Waiting: for an event (arch_send_event() on another pCPU), or for an interrupt. Either may end early. */
void arch_wait_event(void);
void arch_send_event(void);
void arch_wait_interrupt(void);

/* Guest RAM freshly written by the loader (any pCPU): make it visible to a guest with caches off. */
void arch_sync_guest_memory(u64 pa, u64 size);
/* Guest RAM the hypervisor is about to read or has just written for an emulator: coherent with the guest. */
void arch_guest_mem_sync(u64 pa, u64 size);

/* Make every vCPU of the guest, on whatever pCPU, trap to the hypervisor soon (and undo that). */
void arch_guest_block(struct hv_guest *guest);
void arch_guest_unblock(struct hv_guest *guest);

/*
 * The trap's syndrome (hv_fault.syndrome) and the arch's detail in words, for the end of the fault report:
 * the raw syndrome and what it means, e.g. "... 0x93880045 (EC 0x24 data abort from a lower EL,
 * translation fault)".
 */
void arch_trap_describe(char *buf, size_t size, u64 syndrome, const char *detail);

/* The system counter every pCPU shares, and its frequency in Hz. */
u64 arch_counter_read(void);
u64 arch_counter_freq(void);
/*
 * This pCPU's hypervisor timer: interrupt when the counter reaches `ticks` (replacing any earlier setting),
 * or never. Its interrupt reaches the hypervisor only through a host interrupt controller.
 */
void arch_timer_set(u64 ticks);
void arch_timer_stop(void);

/*
 * A physical interrupt the host interrupt controller took: true when it is this pCPU's hypervisor timer's,
 * which is then stopped (so its line is low when the driver completes it; the core sets it again).
 */
bool arch_timer_irq(u64 id);

/* The firmware: start another pCPU (at the port's secondary entry, with its index), power the machine off. */
s64 arch_host_cpu_on(u64 hwid, u64 pcpu);
__noreturn void arch_host_system_off(void);
/* Stop this pCPU for good. */
__noreturn void arch_halt(void);

#endif /* HV_ARCH_H */
