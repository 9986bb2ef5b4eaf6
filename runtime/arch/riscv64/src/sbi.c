// SPDX-License-Identifier: Apache-2.0
/*
 * SBI 2.0 for guests (ecall from VS-mode: extension in a7, function in a6, arguments in a0-a5; error in
 * a0, value in a1), on the core's generic vCPU and guest power services (hv/power.h). Extensions: Base,
 * HSM, TIME, IPI, RFENCE (the guest's own fences), SRST (of the calling guest only) and DBCN (to the guest's
 * console lines). Everything else, the legacy extensions included, is SBI_ERR_NOT_SUPPORTED, and Base's
 * probe says so.
 */
#include <hv/console.h>
#include <hv/guest-mem.h>
#include <hv/power.h>
#include <arch/regs.h>
#include <arch/sbi.h>
#include "internal.h"

#define SBI_SPEC_VERSION_2_0	(2UL << 24)
/* Not a registered implementation ID: "hvcc" in ASCII, so no guest mistakes it for a known firmware. */
#define SBI_IMPL_ID_HVCC	0x68766363UL
#define SBI_IMPL_VERSION	1

/* The longest DBCN write taken in one call; the guest is told how much was written and writes the rest. */
#define DBCN_CHUNK		256

static bool supported(u64 ext)
{
	switch (ext) {
	case SBI_EXT_BASE:
	case SBI_EXT_HSM:
	case SBI_EXT_TIME:
	case SBI_EXT_IPI:
	case SBI_EXT_RFENCE:
	case SBI_EXT_SRST:
	case SBI_EXT_DBCN:
		return true;
	}
	return false;
}

static struct sbiret base(u64 fid, u64 a0)
{
	switch (fid) {
	case SBI_BASE_GET_SPEC_VERSION:
		return (struct sbiret){ 0, SBI_SPEC_VERSION_2_0 };
	case SBI_BASE_GET_IMPL_ID:
		return (struct sbiret){ 0, SBI_IMPL_ID_HVCC };
	case SBI_BASE_GET_IMPL_VERSION:
		return (struct sbiret){ 0, SBI_IMPL_VERSION };
	case SBI_BASE_PROBE_EXT:
		return (struct sbiret){ 0, supported(a0) };
	case SBI_BASE_GET_MVENDORID:
	case SBI_BASE_GET_MARCHID:
	case SBI_BASE_GET_MIMPID:
		/* 0 is "not implemented": the guest learns nothing of the host's machine-mode identity. */
		return (struct sbiret){ 0, 0 };
	}
	return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
}

static struct sbiret hsm(struct hv_vcpu *vcpu, u64 fid, u64 a0, u64 a1, u64 a2)
{
	struct hv_vcpu *target;

	switch (fid) {
	case SBI_HSM_HART_START:
		target = hv_guest_vcpu_by_hwid(vcpu->guest, a0);
		if (!target)
			return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
		switch (hv_vcpu_power_on(target, a1, a2)) {
		case HV_POWER_DONE:
			return (struct sbiret){ SBI_SUCCESS, 0 };
		case HV_POWER_ALREADY_ON:
		case HV_POWER_ON_PENDING:
			return (struct sbiret){ SBI_ERR_ALREADY_AVAILABLE, 0 };
		case HV_POWER_BAD_ENTRY:
			return (struct sbiret){ SBI_ERR_INVALID_ADDRESS, 0 };
		}
		return (struct sbiret){ SBI_ERR_FAILED, 0 };
	case SBI_HSM_HART_STOP:
		/* Does not return to the guest: the vCPU waits (in settle) until it is started again. */
		hv_vcpu_power_off(vcpu, "SBI HSM hart_stop");
		return (struct sbiret){ SBI_SUCCESS, 0 };
	case SBI_HSM_HART_STATUS:
		target = hv_guest_vcpu_by_hwid(vcpu->guest, a0);
		if (!target)
			return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
		switch (hv_vcpu_power_state(target)) {
		case HV_VCPU_ON:
			return (struct sbiret){ 0, SBI_HSM_STATE_STARTED };
		case HV_VCPU_ON_PENDING:
			return (struct sbiret){ 0, SBI_HSM_STATE_START_PENDING };
		case HV_VCPU_OFF:
			return (struct sbiret){ 0, SBI_HSM_STATE_STOPPED };
		}
		return (struct sbiret){ SBI_ERR_FAILED, 0 };
	case SBI_HSM_HART_SUSPEND:
		/* A retentive suspend may return at once, like a WFI that saw an interrupt. */
		if ((u32)a0 == SBI_HSM_SUSPEND_RET_DEFAULT)
			return (struct sbiret){ SBI_SUCCESS, 0 };
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	}
	return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
}

/* The guest's vCPUs an SBI hart mask names (bit i = hart base + i; base ~0 = every hart), as a mask of vCPU indices. */
static bool hart_mask(struct hv_vcpu *vcpu, u64 mask, u64 base, u64 *vcpus)
{
	struct hv_guest *guest = vcpu->guest;

	*vcpus = 0;
	for (u64 i = 0; i < guest->cfg->vcpu_count; i++) {
		u64 hart = guest->cfg->vcpus[i].hwid;

		if (base == ~0UL || (hart >= base && hart - base < 64 && (mask & BIT(hart - base))))
			*vcpus |= BIT(i);
	}
	if (base == ~0UL)
		return true;
	/* Every hart the mask names must be one of the guest's. */
	for (u64 bit = 0; bit < 64; bit++) {
		bool found = false;

		if (!(mask & BIT(bit)))
			continue;
		for (u64 i = 0; i < guest->cfg->vcpu_count; i++)
			if (guest->cfg->vcpus[i].hwid == base + bit)
				found = true;
		if (!found)
			return false;
	}
	return true;
}

static struct sbiret ipi(struct hv_vcpu *vcpu, u64 fid, u64 mask, u64 base)
{
	u64 vcpus;

	if (fid != SBI_IPI_SEND_IPI)
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	if (!hart_mask(vcpu, mask, base, &vcpus))
		return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
	for (u64 i = 0; i < vcpu->guest->cfg->vcpu_count; i++)
		if (vcpus & BIT(i))
			riscv_vcpu_send_ipi(vcpu->guest->vcpus[i]);
	return (struct sbiret){ SBI_SUCCESS, 0 };
}

/*
 * The guest's own fences. A remote sfence.vma of any range or ASID is done as a whole hfence.vvma of the
 * guest's VMID on each target hart: more than asked, never less. The HFENCE functions are for guests with
 * the H extension, which these guests do not have.
 */
static struct sbiret rfence(struct hv_vcpu *vcpu, u64 fid, u64 mask, u64 base)
{
	u64 vcpus;
	u64 what;

	switch (fid) {
	case SBI_RFENCE_FENCE_I:
		what = RFENCE_I;
		break;
	case SBI_RFENCE_SFENCE_VMA:
	case SBI_RFENCE_SFENCE_VMA_ASID:
		what = RFENCE_VVMA;
		break;
	default:
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	}
	if (!hart_mask(vcpu, mask, base, &vcpus))
		return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
	riscv_remote_fence(vcpu, vcpus, what);
	return (struct sbiret){ SBI_SUCCESS, 0 };
}

static struct sbiret srst(struct hv_vcpu *vcpu, u64 fid, u64 type, u64 reason)
{
	char line[128];

	if (fid != SBI_SRST_RESET)
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	if (reason > 1 && reason < 0xe0000000)
		return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
	switch ((u32)type) {
	case SBI_SRST_SHUTDOWN:
		hv_snprintf(line, sizeof(line), "guest '%s' powered off (SBI system_reset shutdown from vCPU %lu)",
			    vcpu->guest->cfg->name, vcpu->index);
		hv_guest_stop(vcpu->guest, line);
		return (struct sbiret){ SBI_SUCCESS, 0 };
	case SBI_SRST_COLD_REBOOT:
	case SBI_SRST_WARM_REBOOT:
		hv_guest_request_reset(vcpu->guest, "SBI system_reset reboot");
		return (struct sbiret){ SBI_SUCCESS, 0 };
	}
	return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
}

/* The debug console writes the guest's console lines, like its console device would; it has no input. */
static struct sbiret dbcn(struct hv_vcpu *vcpu, u64 fid, u64 a0, u64 a1, u64 a2)
{
	u8 buf[DBCN_CHUNK];
	u64 n;

	switch (fid) {
	case SBI_DBCN_WRITE:
		if (a2)
			return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };	/* beyond 64 bits of address */
		n = a0 < sizeof(buf) ? a0 : sizeof(buf);
		if (!hv_guest_mem_read(vcpu->guest, a1, buf, n))
			return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
		for (u64 i = 0; i < n; i++)
			hv_vcpu_console_putc(vcpu, (char)buf[i]);
		return (struct sbiret){ SBI_SUCCESS, (s64)n };
	case SBI_DBCN_READ:
		if (a2)
			return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
		return (struct sbiret){ SBI_SUCCESS, 0 };
	case SBI_DBCN_WRITE_BYTE:
		hv_vcpu_console_putc(vcpu, (char)a0);
		return (struct sbiret){ SBI_SUCCESS, 0 };
	}
	return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
}

void riscv_sbi_call(struct hv_vcpu *vcpu)
{
	struct arch_regs *r = vcpu->regs;
	u64 ext = r->x[17], fid = r->x[16];
	u64 a0 = r->x[10], a1 = r->x[11], a2 = r->x[12];
	struct sbiret ret;

	switch (ext) {
	case SBI_EXT_BASE:
		ret = base(fid, a0);
		break;
	case SBI_EXT_HSM:
		ret = hsm(vcpu, fid, a0, a1, a2);
		break;
	case SBI_EXT_TIME:
		if (fid != SBI_TIME_SET_TIMER) {
			ret = (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
			break;
		}
		riscv_vcpu_set_timer(vcpu, a0);
		ret = (struct sbiret){ SBI_SUCCESS, 0 };
		break;
	case SBI_EXT_IPI:
		ret = ipi(vcpu, fid, a0, a1);
		break;
	case SBI_EXT_RFENCE:
		ret = rfence(vcpu, fid, a0, a1);
		break;
	case SBI_EXT_SRST:
		ret = srst(vcpu, fid, a0, a1);
		break;
	case SBI_EXT_DBCN:
		ret = dbcn(vcpu, fid, a0, a1, a2);
		break;
	default:
		ret = (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
		break;
	}
	r->x[10] = (u64)ret.error;
	r->x[11] = (u64)ret.value;
}
