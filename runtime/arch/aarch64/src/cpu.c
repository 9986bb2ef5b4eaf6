// SPDX-License-Identifier: Apache-2.0
/*
 * Per-CPU basics and the host firmware interface: the pCPU index, events for waiting, cache maintenance
 * for guest memory, the system counter and the EL2 physical timer, and host PSCI (over SMC) to start CPUs
 * and to power the machine off.
 */
#include <hv/arch.h>
#include <arch/defs.h>
#include <arch/regs.h>
#include <arch/sysreg.h>

/* start.S reads these fields by offset. */
_Static_assert(__builtin_offsetof(struct hv_system_config, hv_root) == HV_CONFIG_HV_ROOT, "start.S offsets");
_Static_assert(__builtin_offsetof(struct hv_system_config, arch.tcr_el2) == HV_CONFIG_ARCH_TCR_EL2,
	       "start.S offsets");
_Static_assert(__builtin_offsetof(struct hv_system_config, arch.mair_el2) == HV_CONFIG_ARCH_MAIR_EL2,
	       "start.S offsets");
_Static_assert(CONFIG_HV_STACK_SIZE % 16 == 0 && CONFIG_HV_STACK_SIZE >= 4096, "CONFIG_HV_STACK_SIZE");

#define PSCI_CPU_ON_64		0xc4000003
#define PSCI_SYSTEM_OFF		0x84000008

#define VMID_BITS		8	/* VTCR_EL2.VS = 0 */

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

/*
 * Entries in a root table of the 4 KiB granule: the input range (64 - T0SZ bits) less what each entry at
 * the starting level maps.
 */
static u64 root_entries(u64 t0sz, u64 start_level)
{
	return 1UL << (64 - t0sz - (12 + 9 * (3 - start_level)));
}

/* Number of entries in the stage-2 root table that VTCR_EL2 (4 KiB granule) describes: SL0 says the level. */
u64 arch_s2_root_entries(u64 vtcr)
{
	return root_entries(vtcr & 0x3f, 2 - ((vtcr >> 6) & 3));
}

/* The same for the EL2 stage-1 root: there the input range alone decides the level (31 to 39 bits: level 1). */
static u64 el2_root_entries(u64 tcr)
{
	u64 t0sz = tcr & 0x3f;

	return root_entries(t0sz, 64 - t0sz > 30 ? 1 : 2);
}

/*
 * A root table must be aligned to its size (the compiler sizes roots to the address space: a small one can
 * be a few entries), and to 64 bytes at least.
 */
static bool root_misaligned(const u64 *root, u64 entries)
{
	u64 bytes = entries * 8;

	if (bytes < 64)
		bytes = 64;
	return (uintptr_t)root & (bytes - 1);
}

void arch_check_config(const struct hv_system_config *c)
{
	if (root_misaligned(c->hv_root, el2_root_entries(c->arch.tcr_el2)))
		hv_panic("the hypervisor's translation root %p is not aligned to its %lu bytes",
			 (const void *)c->hv_root, el2_root_entries(c->arch.tcr_el2) * 8);
	for (u64 gi = 0; gi < c->guest_count; gi++) {
		const struct hv_guest_config *g = &c->guests[gi];
		u64 entries = arch_s2_root_entries(g->arch.vtcr_el2);

		/* VTTBR_EL2 needs the root (concatenated tables included) aligned to its size. */
		if (root_misaligned(g->s2_root, entries))
			hv_panic("guest '%s': stage-2 root table %p is not aligned to its %lu bytes", g->name,
				 (const void *)g->s2_root, entries * 8);
		if (g->vmid >> VMID_BITS)
			hv_panic("guest '%s': VMID %lu does not fit in %u bits", g->name, g->vmid, VMID_BITS);
	}
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

static u64 dcache_line(void)
{
	return 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
}

/*
 * A guest starts with its MMU and caches off, so it reads memory, not our caches: clean what we wrote to the
 * point of coherency, and drop stale instructions (a reset guest's old code) from the I-cache.
 */
void arch_sync_guest_memory(u64 pa, u64 size)
{
	u64 line = dcache_line();

	for (u64 p = pa & ~(line - 1); p < pa + size; p += line)
		asm volatile("dc cvac, %0" : : "r"(p) : "memory");
	dsb(ish);
	asm volatile("ic ialluis" ::: "memory");
	dsb(ish);
	isb();
}

/*
 * Before reading guest RAM for an emulator, and after writing it. Clean and invalidate to the point of
 * coherency: a guest with its caches off reads and writes memory itself, so our lines for it must neither
 * hide its writes (invalidate) nor hold ours back (clean). For a guest with caches on it is merely
 * redundant. Our own dirty lines are only ever ones just written, so nothing is lost.
 */
void arch_guest_mem_sync(u64 pa, u64 size)
{
	u64 line = dcache_line();

	if (!size)
		return;
	for (u64 p = pa & ~(line - 1); p < pa + size; p += line)
		asm volatile("dc civac, %0" : : "r"(p) : "memory");
	dsb(ish);
}

u64 arch_counter_read(void)
{
	/* Not before the instructions ahead of it: callers compare it with what they just did. */
	isb();
	return read_sysreg(cntpct_el0);
}

u64 arch_counter_freq(void)
{
	return read_sysreg(cntfrq_el0) & 0xffffffff;
}

void arch_timer_set(u64 ticks)
{
	write_sysreg(cnthp_cval_el2, ticks);
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
	isb();
}

void arch_timer_stop(void)
{
	write_sysreg(cnthp_ctl_el2, 0);
	isb();
}

bool arch_timer_irq(u64 id)
{
	if (id != ARCH_HYP_TIMER_INTID)
		return false;
	/* The timer's interrupt is a level: it must be low before the driver deactivates it. */
	arch_timer_stop();
	return true;
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

s64 arch_host_cpu_on(u64 hwid, u64 pcpu)
{
	/* The MMU is off when the CPU arrives, and the map is an identity map: the VA is the PA. */
	return host_smc(PSCI_CPU_ON_64, hwid, (u64)(uintptr_t)_secondary_entry, pcpu);
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
		con->ops->init(con);
	while (*msg)
		con->ops->putc(con, *msg++);
	for (;;)
		asm volatile("wfi");
}
