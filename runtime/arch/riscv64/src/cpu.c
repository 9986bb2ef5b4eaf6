// SPDX-License-Identifier: Apache-2.0
/*
 * Per-hart basics and the host firmware interface: boot, the pCPU index, waiting and waking through SBI
 * IPIs, the time CSR and the hypervisor's timer (Sstc's stimecmp, or SBI TIME), and host SBI calls to
 * start harts and power the machine off.
 */
#include <hv/arch.h>
#include <hv/irqchip.h>
#include <arch/csr.h>
#include <arch/defs.h>
#include <arch/regs.h>
#include <arch/sbi.h>
#include "internal.h"

/* start.S reads these fields by offset. */
_Static_assert(__builtin_offsetof(struct hv_system_config, pcpu_count) == HV_CONFIG_PCPU_COUNT, "start.S offsets");
_Static_assert(__builtin_offsetof(struct hv_system_config, pcpus) == HV_CONFIG_PCPUS, "start.S offsets");
_Static_assert(__builtin_offsetof(struct hv_pcpu_config, hwid) == 0, "start.S offsets");
_Static_assert(sizeof(struct hv_pcpu_config) == HV_PCPU_CONFIG_SIZE, "start.S offsets");
_Static_assert(CONFIG_HV_STACK_SIZE % 16 == 0 && CONFIG_HV_STACK_SIZE >= 4096, "CONFIG_HV_STACK_SIZE");

extern u8 __hv_stacks[];
extern char _secondary_entry[];
extern char hv_trap_vector[];

void hv_main(void);
void hv_secondary_main(u64 pcpu);

bool riscv_sstc;

/* How long a wait without a host interrupt controller may sleep before it looks at the timers again. */
#define WAIT_SLICE_US		100

struct sbiret sbi_ecall(u64 ext, u64 fid, u64 a0, u64 a1, u64 a2, u64 a3)
{
	register u64 r0 asm("a0") = a0;
	register u64 r1 asm("a1") = a1;
	register u64 r2 asm("a2") = a2;
	register u64 r3 asm("a3") = a3;
	register u64 r6 asm("a6") = fid;
	register u64 r7 asm("a7") = ext;

	asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r3), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){ .error = (s64)r0, .value = (s64)r1 };
}

u64 arch_cpu_id(void)
{
	u64 tp;

	asm volatile("mv %0, tp" : "=r"(tp));
	return tp;
}

struct arch_regs *arch_cpu_regs(u64 pcpu)
{
	return (struct arch_regs *)(__hv_stacks + (pcpu + 1) * CONFIG_HV_STACK_SIZE - ARCH_REGS_SIZE);
}

/*
 * Translation and the trap vector for this hart. The hypervisor never takes an interrupt while it runs
 * (sstatus.SIE stays clear), but the ones enabled in sie still end a WFI, and while a guest runs in VS-mode
 * every HS-level interrupt enabled here traps to the hypervisor: the software interrupt of a kick always,
 * the timer and external interrupts once something uses them.
 */
static void hart_init(void)
{
	const struct hv_system_config *c = &hv_config;

	csr_write(stvec, (u64)(uintptr_t)hv_trap_vector);
	csr_write(satp, c->arch.satp_mode << SATP_MODE_SHIFT | (u64)(uintptr_t)c->hv_root >> PAGE_SHIFT);
	/* Nothing from before (firmware, a previous boot) may linger in the TLB. */
	sfence_vma_all();
	asm volatile("fence.i" ::: "memory");
	csr_clear(sstatus, SSTATUS_SIE);
	/*
	 * The guest's FP state is its own: the hypervisor is built without F/D and there is no context switch,
	 * so the HS-level FS is simply left on and the guest's vsstatus.FS alone decides.
	 */
	csr_set(sstatus, SSTATUS_FS_INITIAL);
	csr_write(sip, 0);
	csr_write(sie, SIP_SSIP | SIP_STIP | (hv_config.irqchip.ops ? SIP_SEIP : 0));
	arch_timer_stop();
}

bool arch_probe_stimecmp(void);

/*
 * Sstc, as far as the hypervisor and its guests can use it: firmware lets HS-mode access stimecmp
 * (menvcfg.STCE, probed by reading it), and henvcfg.STCE can be set for the guests' vstimecmp. The
 * privileged spec makes henvcfg.STCE read-only 0 when menvcfg.STCE is 0, but QEMU 7.2 without Sstc does
 * not, so the CSR read is what decides.
 */
static bool probe_sstc(void)
{
	bool ok;

	if (!arch_probe_stimecmp())
		return false;
	csr_set(henvcfg, ENVCFG_STCE);
	ok = csr_read(henvcfg) & ENVCFG_STCE;
	csr_clear(henvcfg, ENVCFG_STCE);
	return ok;
}

/* From start.S on the boot hart (pCPU 0): .bss zeroed, translation still off. */
void arch_boot(u64 hartid)
{
	(void)hartid;	/* start.S made sure it is pcpus[0]'s */
	/* The page tables are constant to C, but before translation is on nothing else reads them. */
	riscv_pgtable_fixup(&hv_config);
	riscv_sstc = probe_sstc();
	hart_init();
	hv_main();
}

void arch_secondary_boot(u64 pcpu)
{
	hart_init();
	hv_secondary_main(pcpu);
}

/* The VMID bits this hart implements: write ones to hgatp.VMID and see which stick (privileged spec). */
static u64 vmid_bits(u64 mode)
{
	u64 saved = csr_read(hgatp);
	u64 got, bits = 0;

	csr_write(hgatp, mode << HGATP_MODE_SHIFT | HGATP_VMID_MASK << HGATP_VMID_SHIFT);
	got = csr_read(hgatp);
	csr_write(hgatp, saved);
	if ((got >> HGATP_MODE_SHIFT) != mode)
		return 0;
	for (got = (got >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK; got & 1; got >>= 1)
		bits++;
	return bits;
}

void arch_check_config(const struct hv_system_config *c)
{
	u64 vbits;

	if ((uintptr_t)c->hv_root & 0xfff)
		hv_panic("the hypervisor's page table root %p is not 4 KiB aligned", (const void *)c->hv_root);
	if (!c->arch.timebase_hz)
		hv_panic("the configuration gives no timebase frequency");
	for (u64 gi = 0; gi < c->guest_count; gi++) {
		const struct hv_guest_config *g = &c->guests[gi];

		/* hgatp's root for Sv39x4 is 16 KiB and aligned to it. */
		if ((uintptr_t)g->s2_root & 0x3fff)
			hv_panic("guest '%s': G-stage root %p is not 16 KiB aligned", g->name, (const void *)g->s2_root);
		vbits = vmid_bits(g->arch.hgatp_mode);
		if (!vbits && g->vmid)
			hv_panic("guest '%s': the hart has no hgatp mode %lu or no VMID bits", g->name,
				 g->arch.hgatp_mode);
		if (g->vmid >> vbits)
			hv_panic("guest '%s': VMID %lu does not fit in the hart's %lu VMID bits", g->name, g->vmid, vbits);
	}
	hv_log("riscv64: %s timer, %lu VMID bits", riscv_sstc ? "Sstc" : "SBI", vmid_bits(8));
}

void riscv_kick_pcpu(u64 pcpu)
{
	u64 hart = pcpu_hartid(pcpu);

	/* SBI's hart mask is relative to a base: one bit, at the hart itself. */
	sbi_ecall(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1, hart, 0, 0);
}

/*
 * The shared state the waiters look at changed: wake every other pCPU that runs a guest (in its wait or in
 * its guest: the IPI is an HS-level software interrupt, which traps out of VS-mode). There is no cheaper
 * event on RISC-V, and changes of state are rare.
 */
void arch_send_event(void)
{
	u64 me = arch_cpu_id();

	asm volatile("fence rw, rw" ::: "memory");
	/* With a host interrupt controller driver, hv_cpu_notify() kicks every pCPU through it next. */
	if (hv_config.irqchip.ops)
		return;
	for (u64 p = 0; p < hv_config.pcpu_count; p++)
		if (p != me && hv_config.pcpus[p].guest != HV_NO_GUEST)
			riscv_kick_pcpu(p);
}

/*
 * Sleeps until an interrupt enabled in sie is pending. An IPI that arrived since the caller last looked at
 * the shared state is still pending, so WFI returns at once: clearing it afterwards loses no wake-up.
 */
void arch_wait_interrupt(void)
{
	asm volatile("wfi" ::: "memory");
	csr_clear(sip, SIP_SSIP);
}

/* Without a host interrupt controller timers are polled: the wait is bounded, as the arm64 event stream bounds WFE. */
void arch_wait_event(void)
{
	if (!hv_config.irqchip.ops)
		arch_timer_set(arch_counter_read() + hv_config.arch.timebase_hz / 1000000 * WAIT_SLICE_US);
	arch_wait_interrupt();
	if (!hv_config.irqchip.ops)
		arch_timer_stop();
}

/*
 * The loader's copies reach the guest through the same coherent memory the hypervisor wrote (RISC-V has
 * no architected cache maintenance; its caches are coherent with every hart's accesses), but the guest's
 * instruction fetches need a fence.i on the hart that runs it: arch_vcpu_reset() does that.
 */
void arch_sync_guest_memory(u64 pa, u64 size)
{
	(void)pa;
	(void)size;
	asm volatile("fence rw, rw" ::: "memory");
}

void arch_guest_mem_sync(u64 pa, u64 size)
{
	(void)pa;
	(void)size;
	asm volatile("fence rw, rw" ::: "memory");
}

u64 arch_counter_read(void)
{
	u64 t;

	asm volatile("rdtime %0" : "=r"(t) : : "memory");
	return t;
}

u64 arch_counter_freq(void)
{
	return hv_config.arch.timebase_hz;
}

void arch_timer_set(u64 ticks)
{
	if (riscv_sstc)
		csr_write(stimecmp, ticks);
	else
		sbi_ecall(SBI_EXT_TIME, SBI_TIME_SET_TIMER, ticks, 0, 0, 0);
}

void arch_timer_stop(void)
{
	/* A compare value no counter reaches: the pending bit falls. */
	arch_timer_set(~0UL);
}

bool arch_timer_irq(u64 id)
{
	if (id != RISCV_TIMER_ID)
		return false;
	arch_timer_stop();
	return true;
}

/* The hypervisor's timer fired (a trap or a wait saw STIP): quiet it and let the core look at its queue. */
void riscv_timer_interrupt(void)
{
	hv_host_irq(RISCV_TIMER_ID);
}

/*
 * A hart the hypervisor has not started yet can still be on: the winner of OpenSBI's boot lottery, when it
 * is not pCPU 0's hart, starts that one and only then stops itself (start.S), and nothing makes it stop
 * before pCPU 0 gets here (a host that deschedules its thread, say). Firmware refuses to start a hart that
 * is started or stopping (SBI_ERR_ALREADY_AVAILABLE, or INVALID_PARAM for STOP_PENDING), so while HSM says
 * it is on its way out, or has just got there (stopped), the start is tried again, for this long at most.
 */
#define HART_STOP_WAIT_MS	1000

s64 arch_host_cpu_on(u64 hwid, u64 pcpu)
{
	u64 give_up = arch_counter_read() + hv_config.arch.timebase_hz / 1000 * HART_STOP_WAIT_MS;
	struct sbiret r, status;

	for (;;) {
		/*
		 * Translation is off when the hart arrives, and the map is an identity map: the address is
		 * physical. The pCPU index goes as the opaque, but start.S finds the pCPU by the hart ID.
		 */
		r = sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_START, hwid, (u64)(uintptr_t)_secondary_entry, pcpu, 0);
		if (r.error != SBI_ERR_ALREADY_AVAILABLE && r.error != SBI_ERR_INVALID_PARAM)
			return r.error;
		status = sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_STATUS, hwid, 0, 0, 0);
		if (status.error ||
		    (status.value != SBI_HSM_STATE_STARTED && status.value != SBI_HSM_STATE_STOP_PENDING &&
		     status.value != SBI_HSM_STATE_STOPPED) ||
		    arch_counter_read() > give_up)
			return r.error;
	}
}

void arch_host_system_off(void)
{
	sbi_ecall(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_SHUTDOWN, 0, 0, 0);
	/* Firmware without SRST: at least stop here. */
	arch_halt();
}

void arch_halt(void)
{
	csr_write(sie, 0);
	for (;;)
		asm volatile("wfi");
}
