// SPDX-License-Identifier: Apache-2.0
/*
 * Trap decoding: what the guest did (ESR_EL2), where (FAR_EL2/HPFAR_EL2), and who handles it. Everything a
 * guest does that is not handled here stops that guest, with one line saying what and where.
 */
#include <hv/arch.h>
#include <hv/trap.h>
#include <hv/vintc.h>
#include <arch/regs.h>
#include <arch/sysreg.h>
#include "internal.h"

/* The entry points vectors.S calls. */
void arch_handle_lower_trap(struct arch_regs *regs, u64 kind);
u64 arch_handle_lower_mmio(u64 esr, struct arch_regs *regs);
void arch_handle_lower_mmio_slow(struct arch_regs *regs, u64 answer);
void arch_handle_el2_fault(struct arch_regs *regs, u64 kind);

__cold_path static const char *ec_name(u64 ec)
{
	switch (ec) {
	case EC_UNKNOWN:	return "unknown reason";
	case EC_WFX:		return "WFI/WFE";
	case 0x07:		return "FP/SIMD access";
	case 0x0e:		return "illegal execution state";
	case 0x11:		return "SVC from AArch32";
	case 0x15:		return "SVC";
	case EC_HVC64:		return "HVC";
	case EC_SMC64:		return "SMC";
	case EC_SYSREG:		return "system register access";
	case 0x19:		return "SVE access";
	case EC_IABT_LOW:	return "instruction abort from a lower EL";
	case EC_IABT_CUR:	return "instruction abort at EL2";
	case EC_PC_ALIGN:	return "PC alignment fault";
	case EC_DABT_LOW:	return "data abort from a lower EL";
	case EC_DABT_CUR:	return "data abort at EL2";
	case EC_SP_ALIGN:	return "SP alignment fault";
	case EC_SERROR:		return "SError";
	case 0x30:		return "breakpoint from a lower EL";
	case 0x32:		return "software step from a lower EL";
	case 0x34:		return "watchpoint from a lower EL";
	case 0x3c:		return "BRK";
	default:		return "unexpected exception class";
	}
}

/* The data/instruction fault status code, in words. */
__cold_path static const char *fsc_name(u64 fsc)
{
	switch (fsc & 0x3c) {
	case 0x00: return "address size fault";
	case 0x04: return "translation fault";
	case 0x08: return "access flag fault";
	case 0x0c: return "permission fault";
	}
	switch (fsc) {
	case 0x10: return "synchronous external abort";
	case 0x21: return "alignment fault";
	case 0x30: return "TLB conflict";
	default: return "other fault";
	}
}

__cold_path static const char *kind_name(u64 kind)
{
	static const char *const names[] = { "synchronous", "IRQ", "FIQ", "SError" };

	return names[kind & 3];
}

/* A trapped MSR/MRS (EC 0x18) in the assembler's generic notation: "MSR S3_0_C12_C11_5, x1". */
__cold_path static const char *sysreg_name(u64 esr, char *buf, size_t size)
{
	u64 iss = ESR_ISS(esr);

	hv_snprintf(buf, size, "%s S%lu_%lu_C%lu_C%lu_%lu, x%lu", (iss & 1) ? "MRS" : "MSR", (iss >> 20) & 3,
		    (iss >> 14) & 7, (iss >> 10) & 15, (iss >> 1) & 15, (iss >> 17) & 7, (iss >> 5) & 31);
	return buf;
}

/* The faulting IPA: page from HPFAR_EL2 (valid for stage-2 faults), offset from FAR_EL2. */
static u64 fault_ipa(void)
{
	u64 hpfar = read_sysreg(hpfar_el2);
	u64 far = read_sysreg(far_el2);

	return ((hpfar >> 4) & ((1UL << 40) - 1)) << 12 | (far & 0xfff);
}

__cold_path void arch_trap_describe(char *buf, size_t size, u64 esr, const char *detail)
{
	hv_snprintf(buf, size, "ESR 0x%08lx (EC 0x%02lx %s%s%s)", esr, ESR_EC(esr), ec_name(ESR_EC(esr)),
		    detail ? ", " : "", detail ? detail : "");
}

__cold_path static void fault(struct hv_vcpu *vcpu, const char *what, u64 esr, bool has_ipa, u64 ipa, const char *detail)
{
	struct hv_fault f = {
		.what = what,
		.pc = vcpu->regs->elr,
		.gpa = ipa,
		.has_gpa = has_ipa,
		.syndrome = esr,
		.detail = detail,
	};

	hv_vcpu_fault(vcpu, &f);
}

/* The value an access of `size` bytes writes, from the register that holds it. */
static u64 mmio_store_value(u64 v, u32 size)
{
	return v & (~0UL >> (64 - size * 8));
}

/* The register value a read of `size` bytes loads: LDRSB/LDRSH/LDRSW sign-extend, a W target is 32 bits. */
static u64 mmio_load_value(u64 iss, u64 v, u32 size)
{
	u64 bits = size * 8;

	if (size == 8)
		return v;
	v &= (1UL << bits) - 1;
	if ((iss & DABT_SSE) && (v & (1UL << (bits - 1))))
		v |= ~((1UL << bits) - 1);
	if (!(iss & DABT_SF))
		v &= 0xffffffff;
	return v;
}

__cold_path static void mmio_refused(struct hv_vcpu *vcpu, u64 esr, u64 ipa, const struct hv_device *dev)
{
	u64 iss = ESR_ISS(esr);
	char what[96];

	hv_snprintf(what, sizeof(what), "made a %u-byte MMIO %s the %s emulator does not accept", 1U << DABT_SAS(iss),
		    (iss & DABT_WNR) ? "write" : "read", dev->ops->name);
	fault(vcpu, what, esr, true, ipa, NULL);
}

/* An access no device's window holds: outside the guest's memory (RAM is mapped, so it does not trap). */
__cold_path static void outside(struct hv_vcpu *vcpu, u64 esr, u64 ipa)
{
	u64 iss = ESR_ISS(esr);
	bool write = iss & DABT_WNR;
	char what[48];

	if (iss & DABT_ISV)
		hv_snprintf(what, sizeof(what), "%s %u bytes outside its memory", write ? "wrote" : "read",
			    1U << DABT_SAS(iss));
	else
		hv_snprintf(what, sizeof(what), "%s outside its memory", write ? "wrote" : "read");
	fault(vcpu, what, esr, true, ipa, fsc_name(DABT_DFSC(iss)));
}

static void data_abort(struct hv_vcpu *vcpu, u64 esr)
{
	u64 iss = ESR_ISS(esr);
	u64 ipa = fault_ipa();
	bool write = iss & DABT_WNR;
	const struct hv_device *dev;
	struct hv_mmio_access access;
	unsigned int reg = DABT_SRT(iss);
	u32 window = 0;

	if (iss & DABT_S1PTW) {
		fault(vcpu, "walked its stage-1 tables outside its memory", esr, true, ipa, fsc_name(DABT_DFSC(iss)));
		return;
	}
	dev = hv_guest_find_device(vcpu->guest, ipa, &window);
	if (!dev) {
		outside(vcpu, esr, ipa);
		return;
	}
	/* Without a valid syndrome (e.g. load/store pair, writeback) the access cannot be emulated. */
	if (!(iss & DABT_ISV)) {
		fault(vcpu, "made an MMIO access the hypervisor cannot decode", esr, true, ipa, "no ISV");
		return;
	}

	access.window = window;
	access.offset = ipa - dev->windows[window].base;
	access.size = 1U << DABT_SAS(iss);
	access.write = write;
	access.value = write ? mmio_store_value(arch_vcpu_reg(vcpu, reg), access.size) : 0;

	if (!hv_vcpu_mmio(vcpu, dev, &access)) {
		mmio_refused(vcpu, esr, ipa, dev);
		return;
	}
	if (!write)
		arch_vcpu_set_reg(vcpu, reg, mmio_load_value(iss, access.value, access.size));
	vcpu->regs->elr += 4;
}

/*
 * arch_handle_lower_mmio()'s read, out of line: a write, the common case, then keeps nothing but the vCPU
 * across its emulator's call.
 */
static __noinline bool mmio_read(struct hv_vcpu *vcpu, const struct hv_device *dev, u32 window, u64 offset, u64 iss,
				 struct arch_regs *regs)
{
	struct hv_mmio_access access = { .offset = offset, .size = 1U << DABT_SAS(iss), .window = window };
	unsigned int reg = DABT_SRT(iss);

	if (!dev->ops->mmio(vcpu, dev, &access))
		return false;
	/* Register 31 is XZR: what is loaded into it is lost. */
	if (reg != 31)
		regs->x[reg] = mmio_load_value(iss, access.value, access.size);
	return true;
}

/* arch_handle_lower_mmio()'s answers to vectors.S, which saves the rest of the frame for all but DONE. */
enum mmio_answer {
	MMIO_DONE,		/* emulated; the vCPU goes back at once */
	MMIO_SETTLE,		/* emulated; hv_vcpu_settle_rest() must follow */
	MMIO_REFUSED,		/* the emulator refused it: report it */
	MMIO_OUTSIDE,		/* in no device's window: report it */
	MMIO_TRAP,		/* nothing done: the whole trap is arch_handle_lower_trap()'s */
};

/*
 * From vectors.S: a data abort from the guest with a valid syndrome, nearly always an MMIO access to an
 * emulated device. Only x0-x18 and x30 are in the frame (see vectors.S): the guest's x19-x29, ELR_EL2 and
 * SPSR_EL2 are still in their registers. So this handles the accesses that need nothing else — an access
 * that the vCPU's devices take, through a register of the frame, by a vCPU that may run on — and leaves
 * every other case, before it has done anything, to the general path with the whole frame saved.
 */
u64 arch_handle_lower_mmio(u64 esr, struct arch_regs *regs)
{
	struct hv_vcpu *vcpu = hv_current_vcpu();
	u64 iss = ESR_ISS(esr);
	unsigned int reg = DABT_SRT(iss);
	u32 size = 1U << DABT_SAS(iss);
	const struct hv_device *dev;
	u64 ipa, offset;
	u32 window;

	if (reg - 19 < 11 || (iss & DABT_S1PTW) || hv_vcpu_must_yield(vcpu))
		return MMIO_TRAP;
	ipa = fault_ipa();
	dev = hv_vcpu_find_device(vcpu, ipa, size, &window, &offset);
	if (!dev)	/* straddling a window's end (which then is the one remembered), or in none */
		return ipa - vcpu->mmio_base < vcpu->mmio_size ? MMIO_TRAP : MMIO_OUTSIDE;
	if (iss & DABT_WNR) {
		/* Register 31 is XZR: it reads 0. */
		u64 value = reg != 31 ? mmio_store_value(regs->x[reg], size) : 0;

		if (!hv_device_write(vcpu, dev, window, offset, size, value))
			return MMIO_REFUSED;
	} else if (!mmio_read(vcpu, dev, window, offset, iss, regs)) {
		return MMIO_REFUSED;
	}
	write_sysreg(elr_el2, read_sysreg(elr_el2) + 4);
	return hv_vcpu_settle_mmio(vcpu) ? MMIO_DONE : MMIO_SETTLE;
}

/* From vectors.S, the whole frame now saved: what arch_handle_lower_mmio() left to do. */
void arch_handle_lower_mmio_slow(struct arch_regs *regs, u64 answer)
{
	struct hv_vcpu *vcpu = hv_current_vcpu();

	switch (answer) {
	case MMIO_SETTLE:
		hv_vcpu_settle_rest(vcpu);
		break;
	case MMIO_REFUSED: {
		/* FAR_EL2 and HPFAR_EL2 still describe the abort: nothing at EL2 has trapped since. */
		u64 ipa = fault_ipa();

		mmio_refused(vcpu, read_sysreg(esr_el2), ipa, hv_guest_find_device(vcpu->guest, ipa, NULL));
		hv_vcpu_settle(vcpu);
		break;
	}
	case MMIO_OUTSIDE:
		outside(vcpu, read_sysreg(esr_el2), fault_ipa());
		hv_vcpu_settle(vcpu);
		break;
	default:
		arch_handle_lower_trap(regs, EXC_SYNC);
		break;
	}
}

/* An IRQ without a host interrupt controller, an FIQ or an SError while the guest ran. */
__cold_path static void unexpected_exception(struct hv_vcpu *vcpu, u64 kind, u64 esr)
{
	char what[64];

	hv_snprintf(what, sizeof(what), "took an unexpected %s exception%s", kind_name(kind),
		    (kind & EXC_AARCH32) ? " from AArch32" : "");
	fault(vcpu, what, kind == EXC_SERROR ? esr : 0, false, 0, NULL);
}

/* HVC or SMC: PSCI, through SMCCC, which only uses immediate 0; anything else answers NOT_SUPPORTED. */
__cold_path static void smccc_call(struct hv_vcpu *vcpu, u64 esr)
{
	/* A trapped SMC returns to the SMC itself: step over it. HVC's return address is already past it. */
	if (ESR_EC(esr) == EC_SMC64)
		vcpu->regs->elr += 4;
	if (ESR_ISS(esr) & 0xffff)
		arch_vcpu_set_reg(vcpu, 0, (u64)-1);
	else
		arch_psci_call(vcpu);
}

__cold_path static void instruction_abort(struct hv_vcpu *vcpu, u64 esr)
{
	u64 ipa = fault_ipa();

	fault(vcpu, hv_guest_find_device(vcpu->guest, ipa, NULL) ? "fetched instructions from an emulated device"
							   : "fetched instructions outside its memory",
	      esr, true, ipa, fsc_name(ESR_ISS(esr) & 0x3f));
}

__cold_path static void sysreg_refused(struct hv_vcpu *vcpu, u64 esr, const char *why)
{
	char name[40];

	fault(vcpu, why, esr, false, 0, sysreg_name(esr, name, sizeof(name)));
}

static void lower_sync(struct hv_vcpu *vcpu, u64 esr)
{
	switch (ESR_EC(esr)) {
	case EC_WFX:
		/*
		 * When every vCPU owns its pCPU only the WFI of a guest without a virtual interrupt controller
		 * traps: no interrupt could ever wake it, so it completes at once (and the pass through here runs
		 * this pCPU's timers). Under a scheduler WFI and WFE (ISS.TI bit 0) trap so the vCPU gives way.
		 */
		vcpu->regs->elr += 4;
		if (ESR_ISS(esr) & 1)
			hv_vcpu_yield(vcpu);
		else
			hv_vcpu_wait_interrupt(vcpu);
		break;
	case EC_HVC64:
	case EC_SMC64:
		smccc_call(vcpu, esr);
		break;
	case EC_DABT_LOW:
		data_abort(vcpu, esr);
		break;
	case EC_SYSREG: {
		const char *why = "accessed a system register the hypervisor does not emulate";

		/* The GIC's SGI registers trap (HCR_EL2.IMO): the guest's interrupt controller emulates them. */
		if ((vcpu->guest->vintc && vcpu->guest->vintc->ops->vintc->sysreg(vcpu, vcpu->guest->vintc, esr)) ||
		    arch_vcpu_sysreg(vcpu, ESR_ISS(esr), &why))
			vcpu->regs->elr += 4;
		else
			sysreg_refused(vcpu, esr, why);
		break;
	}
	case EC_IABT_LOW:
		instruction_abort(vcpu, esr);
		break;
	default:
		fault(vcpu, "caused an unexpected trap", esr, false, 0, NULL);
		break;
	}
}

/* From vectors.S: a trap from the guest, on the vCPU's pCPU, with its registers saved in `regs`. */
void arch_handle_lower_trap(struct arch_regs *regs, u64 kind)
{
	struct hv_vcpu *vcpu = hv_current_vcpu();
	u64 esr = read_sysreg(esr_el2);

	(void)regs;	/* the same frame as vcpu->regs */

	if (hv_vcpu_must_yield(vcpu)) {
		/*
		 * The trap is dropped, to be taken again if the vCPU goes on where it was (after a pause). Every
		 * trap returns to the instruction that caused it, except HVC, whose return address is past it.
		 */
		if (kind == EXC_SYNC && ESR_EC(esr) == EC_HVC64)
			vcpu->regs->elr -= 4;
	} else if (kind == EXC_IRQ && hv_config.irqchip.ops) {
		/* A physical interrupt (routed to EL2 by HCR_EL2.IMO) while the guest ran: the host driver takes it. */
		hv_vcpu_host_irqs(vcpu);
	} else if (kind != EXC_SYNC) {
		unexpected_exception(vcpu, kind, esr);
	} else {
		lower_sync(vcpu, esr);
	}
	hv_vcpu_settle(vcpu);
}

/* From vectors.S: an exception taken from EL2 itself. A hypervisor bug: report and stop everything. */
__cold_path void arch_handle_el2_fault(struct arch_regs *regs, u64 kind)
{
	u64 esr = read_sysreg(esr_el2);

	hv_panic("%s exception at EL2 on pCPU %lu: ESR 0x%08lx (EC 0x%02lx %s), ELR 0x%lx, FAR 0x%lx, SP 0x%lx",
		 kind_name(kind), arch_cpu_id(), esr, ESR_EC(esr), ec_name(ESR_EC(esr)), regs->elr,
		 read_sysreg(far_el2), (u64)(uintptr_t)regs + ARCH_REGS_SIZE);
}
