// SPDX-License-Identifier: Apache-2.0
/*
 * Interrupts the hypervisor takes on riscv64. Two are hart-local and come with every hart: the supervisor
 * software interrupt, which another hart raises with an SBI IPI to make this one look at its vCPU, and
 * the supervisor timer interrupt, the hypervisor's own timer (stimecmp with Sstc, else SBI TIME). The
 * PLIC is the board's interrupt controller; the hypervisor drives no interrupting device, so it enables
 * none of its sources and leaves the firmware's reset state (every enable clear) alone. While a guest
 * runs in VS-mode these HS-level interrupts trap out of it whatever the guest's own masks say, which is
 * what makes a kick or a timer end the guest's run.
 */
#include <hv/arch.h>
#include <hv/irqchip.h>
#include <arch/csr.h>
#include <arch/defs.h>
#include <arch/sbi.h>

static void plic_init(const struct hv_irqchip_config *cfg)
{
	(void)cfg;
}

static void plic_cpu_init(u64 pcpu)
{
	(void)pcpu;
	/* Software and timer interrupts end a guest's run and a wait; external ones would, had a source been enabled. */
	csr_set(sie, SIP_SSIP | SIP_STIP | SIP_SEIP);
}

/*
 * Everything pending on this hart: a kick needs nothing but its acknowledgement (the caller looks at the
 * vCPU's state next), the timer goes to the core's timer queue.
 */
static void plic_handle(void)
{
	u64 pending = csr_read(sip) & csr_read(sie);

	if (pending & SIP_SSIP)
		csr_clear(sip, SIP_SSIP);
	if (pending & SIP_STIP)
		hv_host_irq(RISCV_TIMER_ID);
}

static void plic_kick(u64 hwid)
{
	sbi_ecall(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1, hwid, 0, 0);
}

const struct hv_irqchip_ops plic_irqchip_ops = {
	.name = "plic",
	.init = plic_init,
	.cpu_init = plic_cpu_init,
	.handle = plic_handle,
	.kick = plic_kick,
};
