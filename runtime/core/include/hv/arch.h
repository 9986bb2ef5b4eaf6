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
/* The register frame of the vCPU pinned to a pCPU. */
struct arch_regs *arch_cpu_regs(u64 pcpu);

/* Arch-specific checks of hv_config (e.g. the width of a VMID), after the core's own; hv_panic() on failure. */
void arch_check_config(const struct hv_system_config *config);

/* The vCPU's pCPU state, written once before it first runs. */
void arch_vcpu_init(struct hv_vcpu *vcpu);
/* The vCPU's power-on state: it starts at `entry` with `arg` as its boot argument. */
void arch_vcpu_reset(struct hv_vcpu *vcpu, u64 entry, u64 arg);
/* Whether the guest's wait-for-interrupt traps (it must unless a virtual interrupt controller can wake it). */
void arch_vcpu_trap_wfi(struct hv_vcpu *vcpu, bool trap);
__noreturn void arch_vcpu_enter(struct hv_vcpu *vcpu);

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
