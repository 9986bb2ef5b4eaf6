// SPDX-License-Identifier: Apache-2.0
/*
 * Trap decoding: what the guest did (scause), where (htval/stval), which instruction (htinst, or the
 * instruction itself read as the guest fetches it), and who handles it. Everything a guest does that is
 * not handled here stops that guest, with one line saying what and where.
 */
#include <hv/arch.h>
#include <hv/trap.h>
#include <arch/csr.h>
#include <arch/regs.h>
#include "internal.h"

u64 arch_guest_load_insn16(u64 gva, u64 *cause);

static const char *cause_name(u64 cause)
{
	if (cause & CAUSE_IRQ) {
		switch (CAUSE_CODE(cause)) {
		case IRQ_S_SOFT:	return "supervisor software interrupt";
		case IRQ_S_TIMER:	return "supervisor timer interrupt";
		case IRQ_S_EXT:		return "supervisor external interrupt";
		default:		return "unexpected interrupt";
		}
	}
	switch (cause) {
	case EXC_INST_MISALIGNED:	return "instruction address misaligned";
	case EXC_INST_ACCESS:		return "instruction access fault";
	case EXC_ILLEGAL_INSN:		return "illegal instruction";
	case EXC_BREAKPOINT:		return "breakpoint";
	case EXC_LOAD_MISALIGNED:	return "load address misaligned";
	case EXC_LOAD_ACCESS:		return "load access fault";
	case EXC_STORE_MISALIGNED:	return "store/AMO address misaligned";
	case EXC_STORE_ACCESS:		return "store/AMO access fault";
	case EXC_U_ECALL:		return "environment call from U-mode";
	case EXC_HS_ECALL:		return "environment call from HS-mode";
	case EXC_VS_ECALL:		return "environment call from VS-mode";
	case EXC_INST_PAGE_FAULT:	return "instruction page fault";
	case EXC_LOAD_PAGE_FAULT:	return "load page fault";
	case EXC_STORE_PAGE_FAULT:	return "store/AMO page fault";
	case EXC_INST_GUEST_FAULT:	return "instruction guest-page fault";
	case EXC_LOAD_GUEST_FAULT:	return "load guest-page fault";
	case EXC_VIRTUAL_INSN:		return "virtual instruction";
	case EXC_STORE_GUEST_FAULT:	return "store/AMO guest-page fault";
	default:			return "unexpected exception";
	}
}

void arch_trap_describe(char *buf, size_t size, u64 scause, const char *detail)
{
	hv_snprintf(buf, size, "scause 0x%lx (%s%s%s)", scause, cause_name(scause), detail ? ", " : "",
		    detail ? detail : "");
}

static void fault(struct hv_vcpu *vcpu, const char *what, u64 scause, bool has_gpa, u64 gpa, const char *detail)
{
	struct hv_fault f = {
		.what = what,
		.pc = vcpu->regs->sepc,
		.gpa = gpa,
		.has_gpa = has_gpa,
		.syndrome = scause,
		.detail = detail,
	};

	hv_vcpu_fault(vcpu, &f);
}

/* A guest-page fault's guest-physical address: htval holds it shifted right by 2, stval's low bits the rest. */
static u64 fault_gpa(void)
{
	return csr_read(htval) << 2 | (csr_read(stval) & 3);
}

/*
 * The trapping instruction. htinst holds it (transformed: bit 0 set, bit 1 clear when the original was
 * compressed) when the hart provides it; QEMU 7.2 leaves it 0, and then it is read from the guest's pc as
 * the guest would fetch it. Returns its length, 0 when it cannot be had.
 */
static unsigned int trapped_insn(struct hv_vcpu *vcpu, u32 *insn)
{
	u64 tinst = csr_read(htinst);
	u64 cause, lo, hi;

	if (tinst & 1) {
		*insn = (u32)tinst | 2;
		return (tinst & 2) ? 4 : 2;
	}
	if (tinst)
		return 0;	/* a pseudo-instruction: the fault was the guest's own page-table walk */
	lo = arch_guest_load_insn16(vcpu->regs->sepc, &cause);
	if (cause)
		return 0;
	if ((lo & 3) != 3) {
		*insn = (u32)lo;
		return 2;
	}
	hi = arch_guest_load_insn16(vcpu->regs->sepc + 2, &cause);
	if (cause)
		return 0;
	*insn = (u32)(lo | hi << 16);
	return 4;
}

struct mem_insn {
	bool store;
	bool sign;		/* a signed load: extend the value from its size */
	u32 size;
	unsigned int reg;	/* rd of a load, rs2 of a store */
};

/*
 * Loads and stores of the base ISA and their compressed forms: what a device driver's MMIO compiles to. A
 * transformed instruction from htinst is in the 32-bit form whatever the original's length.
 */
static bool decode_mem_insn(u32 insn, struct mem_insn *m)
{
	if ((insn & 3) == 3) {
		u32 funct3 = (insn >> 12) & 7;

		switch (insn & 0x7f) {
		case 0x03:	/* LB LH LW LD LBU LHU LWU */
			if (funct3 == 7)
				return false;
			*m = (struct mem_insn){ .store = false, .sign = funct3 < 4, .size = 1U << (funct3 & 3),
						.reg = (insn >> 7) & 31 };
			return true;
		case 0x23:	/* SB SH SW SD */
			if (funct3 > 3)
				return false;
			*m = (struct mem_insn){ .store = true, .size = 1U << funct3, .reg = (insn >> 20) & 31 };
			return true;
		}
		return false;
	}
	switch ((insn >> 13) & 7) {
	case 2:	/* C.LW, C.LWSP */
	case 3:	/* C.LD, C.LDSP */
		if ((insn & 3) == 0)
			*m = (struct mem_insn){ .sign = true, .size = ((insn >> 13) & 1) ? 8 : 4, .reg = ((insn >> 2) & 7) + 8 };
		else if ((insn & 3) == 2)
			*m = (struct mem_insn){ .sign = true, .size = ((insn >> 13) & 1) ? 8 : 4, .reg = (insn >> 7) & 31 };
		else
			return false;
		return true;
	case 6:	/* C.SW, C.SWSP */
	case 7:	/* C.SD, C.SDSP */
		if ((insn & 3) == 0)
			*m = (struct mem_insn){ .store = true, .size = ((insn >> 13) & 1) ? 8 : 4, .reg = ((insn >> 2) & 7) + 8 };
		else if ((insn & 3) == 2)
			*m = (struct mem_insn){ .store = true, .size = ((insn >> 13) & 1) ? 8 : 4, .reg = (insn >> 2) & 31 };
		else
			return false;
		return true;
	}
	return false;
}

static void guest_page_fault(struct hv_vcpu *vcpu, u64 scause)
{
	u64 gpa = fault_gpa();
	bool write = scause == EXC_STORE_GUEST_FAULT;
	struct hv_mmio_access access;
	const struct hv_device *dev;
	struct mem_insn m;
	unsigned int len;
	u32 insn = 0;
	u32 window = 0;
	char what[96];

	if (csr_read(htinst) && !(csr_read(htinst) & 1)) {
		fault(vcpu, "walked its page tables outside its memory", scause, true, gpa, NULL);
		return;
	}
	dev = hv_guest_find_device(vcpu->guest, gpa, &window);
	len = trapped_insn(vcpu, &insn);
	if (!len || !decode_mem_insn(insn, &m) || m.store != write) {
		if (!dev) {
			hv_snprintf(what, sizeof(what), "%s outside its memory", write ? "wrote" : "read");
			fault(vcpu, what, scause, true, gpa, NULL);
		} else {
			char detail[40];

			hv_snprintf(detail, sizeof(detail), "instruction 0x%x", insn);
			fault(vcpu, "made an MMIO access the hypervisor cannot decode", scause, true, gpa, detail);
		}
		return;
	}
	if (!dev) {
		hv_snprintf(what, sizeof(what), "%s %u bytes outside its memory", write ? "wrote" : "read", m.size);
		fault(vcpu, what, scause, true, gpa, NULL);
		return;
	}

	access.window = window;
	access.offset = gpa - dev->windows[window].base;
	access.size = m.size;
	access.write = write;
	access.value = 0;
	if (write) {
		access.value = arch_vcpu_reg(vcpu, m.reg);
		if (m.size < 8)
			access.value &= (1UL << (m.size * 8)) - 1;
	}
	if (!hv_vcpu_mmio(vcpu, dev, &access)) {
		hv_snprintf(what, sizeof(what), "made a %u-byte MMIO %s the %s emulator does not accept", m.size,
			    write ? "write" : "read", dev->ops->name);
		fault(vcpu, what, scause, true, gpa, NULL);
		return;
	}
	if (!write) {
		u64 v = access.value;

		if (m.size < 8) {
			u64 bits = m.size * 8;

			v &= (1UL << bits) - 1;
			if (m.sign && (v & (1UL << (bits - 1))))
				v |= ~((1UL << bits) - 1);
		}
		arch_vcpu_set_reg(vcpu, m.reg, v);
	}
	vcpu->regs->sepc += len;
}

static void virtual_instruction(struct hv_vcpu *vcpu, u64 scause)
{
	u32 insn = (u32)csr_read(stval);	/* the instruction, when the hart reports it */
	char detail[40];

	/*
	 * WFI traps (hstatus.VTW) only in a guest without a virtual interrupt controller, where it completes at
	 * once: the pass through here runs this pCPU's timers and lets the vCPU see a stop or a reset.
	 */
	if (!insn && trapped_insn(vcpu, &insn) != 4)
		insn = 0;
	if (insn == INSN_WFI) {
		vcpu->regs->sepc += 4;
		return;
	}
	hv_snprintf(detail, sizeof(detail), "instruction 0x%08x", insn);
	fault(vcpu, "executed an instruction the hypervisor does not emulate", scause, false, 0, detail);
}

/* An HS-level interrupt while the guest ran: a kick, the hypervisor's timer, or the host interrupt controller. */
static void host_interrupt(struct hv_vcpu *vcpu, u64 code)
{
	/* With a host interrupt controller driver, it takes everything pending (hv/irqchip.h). */
	if (hv_config.irqchip.ops) {
		hv_vcpu_host_irqs(vcpu);
		return;
	}
	switch (code) {
	case IRQ_S_SOFT:
		/* A kick: whatever changed is looked at when the vCPU settles. */
		csr_clear(sip, SIP_SSIP);
		break;
	case IRQ_S_TIMER:
		riscv_timer_interrupt();
		break;
	}
}

/* From start.S: a trap from the guest, on the vCPU's pCPU, with its registers saved in `regs`. */
void arch_handle_guest_trap(struct arch_regs *regs)
{
	struct hv_vcpu *vcpu = hv_current_vcpu();
	u64 scause = csr_read(scause);

	(void)regs;	/* the same frame as vcpu->regs */

	if (scause & CAUSE_IRQ) {
		host_interrupt(vcpu, CAUSE_CODE(scause));
	} else if (hv_vcpu_must_yield(vcpu)) {
		/* Stopped or being reset: what it trapped for no longer matters. */
	} else {
		switch (scause) {
		case EXC_VS_ECALL:
			/* sepc points at the ecall: the call returns past it. */
			vcpu->regs->sepc += 4;
			riscv_sbi_call(vcpu);
			break;
		case EXC_LOAD_GUEST_FAULT:
		case EXC_STORE_GUEST_FAULT:
			guest_page_fault(vcpu, scause);
			break;
		case EXC_INST_GUEST_FAULT: {
			u64 gpa = fault_gpa();

			fault(vcpu, hv_guest_find_device(vcpu->guest, gpa, NULL) ? "fetched instructions from an emulated device"
								     : "fetched instructions outside its memory",
			      scause, true, gpa, NULL);
			break;
		}
		case EXC_VIRTUAL_INSN:
			virtual_instruction(vcpu, scause);
			break;
		default: {
			char detail[40];

			hv_snprintf(detail, sizeof(detail), "stval 0x%lx", csr_read(stval));
			fault(vcpu, "caused an unexpected trap", scause, false, 0, detail);
			break;
		}
		}
	}
	hv_vcpu_settle(vcpu);
	riscv_vcpu_before_entry(vcpu);
}

/* From start.S: a trap taken from HS-mode itself. A hypervisor bug: report and stop everything. */
void arch_handle_hs_fault(struct arch_regs *regs)
{
	u64 scause = csr_read(scause);

	hv_panic("%s in HS-mode on pCPU %lu: scause 0x%lx, sepc 0x%lx, stval 0x%lx, sp 0x%lx", cause_name(scause),
		 arch_cpu_id(), scause, regs->sepc, csr_read(stval), regs->x[2]);
}
