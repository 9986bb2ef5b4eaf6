// SPDX-License-Identifier: Apache-2.0
/*
 * Per-CPU basics and the host firmware interface: the pCPU index, events for waiting, cache maintenance
 * for freshly loaded guest memory, and host PSCI (over SMC) to start CPUs and to power the machine off.
 */
#include <hv/core.h>
#include <arch/defs.h>
#include <arch/regs.h>
#include <arch/sysreg.h>

_Static_assert(__builtin_offsetof(struct hv_system_config, el2_root) == HV_CONFIG_EL2_ROOT, "start.S offsets");
_Static_assert(__builtin_offsetof(struct hv_system_config, el2_tcr) == HV_CONFIG_EL2_TCR, "start.S offsets");
_Static_assert(__builtin_offsetof(struct hv_system_config, el2_mair) == HV_CONFIG_EL2_MAIR, "start.S offsets");
_Static_assert(CONFIG_HV_STACK_SIZE % 16 == 0 && CONFIG_HV_STACK_SIZE >= 4096, "CONFIG_HV_STACK_SIZE");

#define PSCI_CPU_ON_64		0xc4000003
#define PSCI_SYSTEM_OFF		0x84000008

extern u8 __hv_stacks[];
extern char _secondary_entry[];

u64 arch_cpu_id(void)
{
	return read_sysreg(tpidr_el2);
}

struct arch_regs *arch_cpu_regs(u64 pcpu)
{
	return (struct arch_regs *)(__hv_stacks + (pcpu + 1) * CONFIG_HV_STACK_SIZE - ARCH_REGS_SIZE);
}

void arch_wait_event(void)
{
	asm volatile("wfe" ::: "memory");
}

void arch_wait_interrupt(void)
{
	asm volatile("dsb sy; wfi" ::: "memory");
}

void arch_send_event(void)
{
	/* The state change the waiters look at must be visible before they wake. */
	dsb(ish);
	asm volatile("sev" ::: "memory");
}

/*
 * A guest starts with its MMU and caches off, so it reads memory, not our caches: clean what we wrote to the
 * point of coherency, and drop stale instructions (a reset guest's old code) from the I-cache.
 */
void arch_sync_guest_memory(u64 pa, u64 size)
{
	u64 line = 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);

	for (u64 p = pa & ~(line - 1); p < pa + size; p += line)
		asm volatile("dc cvac, %0" : : "r"(p) : "memory");
	dsb(ish);
	asm volatile("ic ialluis" ::: "memory");
	dsb(ish);
	isb();
}

static s64 host_smc(u64 fn, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 asm("x0") = fn;
	register u64 x1 asm("x1") = a1;
	register u64 x2 asm("x2") = a2;
	register u64 x3 asm("x3") = a3;

	/* SMCCC 1.0 lets the firmware clobber x4-x17. */
	asm volatile("smc #0"
		     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
		     :
		     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
		       "x17", "memory");
	return (s64)x0;
}

s64 arch_host_cpu_on(u64 mpidr, u64 pcpu)
{
	/* The MMU is off when the CPU arrives, and the map is an identity map: the VA is the PA. */
	return host_smc(PSCI_CPU_ON_64, mpidr, (u64)(uintptr_t)_secondary_entry, pcpu);
}

void arch_host_system_off(void)
{
	host_smc(PSCI_SYSTEM_OFF, 0, 0, 0);
	/* Firmware without SYSTEM_OFF: at least stop here. */
	arch_halt();
}

void arch_halt(void)
{
	asm volatile("msr daifset, #0xf");
	for (;;)
		asm volatile("wfi");
}

/*
 * From start.S when the loader entered the hypervisor at EL1 (or EL3): print the panic marker on the console
 * without locks or per-CPU state, then stop, like any panic (no power-off, which would look like success).
 */
void arch_boot_wrong_el(u64 el)
{
	const struct hv_console_config *con = &hv_config.console;
	const char *msg = "[hv] PANIC: the hypervisor was entered at EL1, not EL2 "
			  "(QEMU needs -M virt,virtualization=on)\n";

	if (el != 1)
		msg = "[hv] PANIC: the hypervisor was entered at EL3 or EL0, not EL2\n";
	if (con->ops->init)
		con->ops->init(con->base, con->clock_hz);
	while (*msg)
		con->ops->putc(con->base, *msg++);
	for (;;)
		asm volatile("wfi");
}
