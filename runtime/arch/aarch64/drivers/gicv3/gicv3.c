// SPDX-License-Identifier: Apache-2.0
/*
 * The board's GICv3 as the hypervisor sees it, at EL2.
 *
 * The distributor gets affinity routing and group 1 enabled; its only SPIs are those the hypervisor takes
 * itself (its console's) and those of devices passed through to a guest, each routed to one CPU
 * (gicv3_enable(): the console's handler's, or the CPU of the guest's vCPU 0). Each CPU
 * wakes its own redistributor and uses four private interrupts, all group 1: SGI 0 (another CPU wants it
 * to look at its vCPU) and INTID 26 (the EL2 physical timer, which runs the hypervisor's timers), enabled
 * here; INTID 25 (the virtual CPU interface's maintenance interrupt) and 27 (the EL1 virtual timer),
 * enabled by the virtual GIC for the CPUs that run a guest with one.
 *
 * The CPU interface runs with EOImode 1: acknowledging and EOI only drop the running priority, and an
 * interrupt stays active until deactivated. hv_host_irq() says whether it forwarded the interrupt to a guest
 * as a hardware interrupt (a list register with the HW bit): then the guest's own EOI deactivates it.
 */
#include <hv/arch.h>
#include <hv/irqchip.h>
#include <arch/defs.h>
#include <arch/sysreg.h>
#include <drivers/gicv3.h>

#define GICD_CTLR		0x0000
#define GICD_CTLR_RWP		BIT(31)
#define GICD_IGROUPR		0x0080
#define GICD_ISENABLER		0x0100
#define GICD_ICENABLER		0x0180
#define GICD_ICACTIVER		0x0380
#define GICD_IPRIORITYR		0x0400
#define GICD_ICFGR		0x0c00
#define GICD_IROUTER		0x6000
#define GICD_CTLR_ARE		BIT(4)
#define GICD_CTLR_GRP1		BIT(1)
#define GICD_TYPER		0x0004

#define GICR_FRAME		0x20000		/* RD_base + SGI_base, without virtual LPIs */
#define GICR_FRAME_VLPI		0x40000
#define GICR_TYPER		0x0008
#define GICR_TYPER_VLPIS	BIT(1)
#define GICR_TYPER_LAST		BIT(4)
#define GICR_WAKER		0x0014
#define GICR_WAKER_SLEEP	BIT(1)
#define GICR_WAKER_ASLEEP	BIT(2)
#define GICR_SGI		0x10000
#define GICR_IGROUPR0		(GICR_SGI + 0x0080)
#define GICR_ISENABLER0		(GICR_SGI + 0x0100)
#define GICR_ICENABLER0		(GICR_SGI + 0x0180)
#define GICR_ICPENDR0		(GICR_SGI + 0x0280)
#define GICR_ISACTIVER0		(GICR_SGI + 0x0300)
#define GICR_ICACTIVER0		(GICR_SGI + 0x0380)
#define GICR_IPRIORITYR		(GICR_SGI + 0x0400)

#define ICC_SRE_SRE		BIT(0)
#define ICC_SRE_DFB		BIT(1)
#define ICC_SRE_DIB		BIT(2)
#define ICC_SRE_ENABLE		BIT(3)	/* EL1 may reach ICC_SRE_EL1 (it sees the virtual interface) */
#define ICC_CTLR_EOIMODE	BIT(1)

#define HOST_PRIORITY		0xa0
#define INTID_SPURIOUS		1020

static u64 dist_base;
static u64 redist_base, redist_size;
static u64 rd_base[CONFIG_HV_MAX_CPUS];	/* this pCPU's redistributor, by pCPU index */

static inline u32 rd32(u64 addr)
{
	return *(volatile u32 *)(uintptr_t)addr;
}

static inline u64 rd64(u64 addr)
{
	return *(volatile u64 *)(uintptr_t)addr;
}

static inline void wr32(u64 addr, u32 v)
{
	*(volatile u32 *)(uintptr_t)addr = v;
}

static inline void wr8(u64 addr, u8 v)
{
	*(volatile u8 *)(uintptr_t)addr = v;
}

static inline void wr64(u64 addr, u64 v)
{
	*(volatile u64 *)(uintptr_t)addr = v;
}

static void dist_wait(void)
{
	while (rd32(dist_base + GICD_CTLR) & GICD_CTLR_RWP)
		;
}

static void gicv3_init(const struct hv_irqchip_config *cfg)
{
	if (cfg->window_count < 2)
		hv_panic("gicv3: need the distributor and the redistributor windows, have %lu", cfg->window_count);
	dist_base = cfg->windows[0].base;
	redist_base = cfg->windows[1].base;
	redist_size = cfg->windows[1].size;

	wr32(dist_base + GICD_CTLR, 0);
	while (rd32(dist_base + GICD_CTLR) & GICD_CTLR_RWP)
		;
	wr32(dist_base + GICD_CTLR, GICD_CTLR_ARE);
	while (rd32(dist_base + GICD_CTLR) & GICD_CTLR_RWP)
		;
	wr32(dist_base + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
	while (rd32(dist_base + GICD_CTLR) & GICD_CTLR_RWP)
		;
}

/* The redistributor frame whose GICR_TYPER affinity is this CPU's MPIDR. */
static u64 find_redistributor(void)
{
	u64 mpidr = read_sysreg(mpidr_el1);
	u64 aff = (mpidr & 0xffffff) | ((mpidr >> 8) & 0xff000000);

	for (u64 off = 0; off < redist_size;) {
		u64 typer = rd64(redist_base + off + GICR_TYPER);

		if ((typer >> 32) == aff)
			return redist_base + off;
		if (typer & GICR_TYPER_LAST)
			break;
		off += (typer & GICR_TYPER_VLPIS) ? GICR_FRAME_VLPI : GICR_FRAME;
	}
	hv_panic("gicv3: no redistributor for MPIDR 0x%lx", mpidr);
}

static void gicv3_cpu_init(u64 pcpu)
{
	u64 rd = find_redistributor();

	rd_base[pcpu] = rd;
	wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	while (rd32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP)
		;
	wr32(rd + GICR_ICENABLER0, 0xffffffff);
	wr32(rd + GICR_ICPENDR0, 0xffffffff);
	wr32(rd + GICR_ICACTIVER0, 0xffffffff);
	wr32(rd + GICR_IGROUPR0, 0xffffffff);
	for (u64 i = 0; i < 32; i += 4)
		wr32(rd + GICR_IPRIORITYR + i, HOST_PRIORITY * 0x01010101U);
	wr32(rd + GICR_ISENABLER0, BIT(GICV3_SGI_KICK) | BIT(ARCH_HYP_TIMER_INTID));

	write_sysreg(icc_sre_el2, ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB | ICC_SRE_ENABLE);
	isb();
	write_sysreg(icc_pmr_el1, 0xff);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_ctlr_el1, ICC_CTLR_EOIMODE);
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
}

void gicv3_ppi_enable(u64 intid, bool enable)
{
	u64 rd = rd_base[arch_cpu_id()];

	wr32(rd + (enable ? GICR_ISENABLER0 : GICR_ICENABLER0), (u32)BIT(intid));
}

/* Through the redistributor, which is well defined even when the PPI is not active. */
void gicv3_ppi_deactivate(u64 intid)
{
	u64 rd = rd_base[arch_cpu_id()];

	wr32(rd + GICR_ICACTIVER0, (u32)BIT(intid));
	dsb(sy);
}

void gicv3_ppi_activate(u64 intid)
{
	u64 rd = rd_base[arch_cpu_id()];

	wr32(rd + GICR_ISACTIVER0, (u32)BIT(intid));
	dsb(sy);
}

/*
 * An SPI, enabled for one CPU (by its MPIDR, not 1-of-N: the core picks the CPU, so it knows where the
 * handler, or the guest the device is passed through to, runs): group 1, the hypervisor's priority, the
 * trigger the device tree gives, routed to that CPU. Configured while disabled, as the architecture asks.
 * Only the boot CPU calls this, before the others start, so the read-modify-writes of the shared group
 * and configuration registers race with no one.
 */
static bool gicv3_enable(const struct hv_irq *irq, u64 mpidr)
{
	u64 intid = irq->id;
	u64 lines = ((rd32(dist_base + GICD_TYPER) & 0x1f) + 1) * 32;
	u32 bit = (u32)BIT(intid % 32);
	u64 word = 4 * (intid / 32);
	u64 cfg_shift = 2 * (intid % 16) + 1;
	u32 cfg;

	if (intid < 32 || intid >= lines || intid >= INTID_SPURIOUS)
		return false;	/* private interrupts are per CPU, and nothing asks for one here */
	wr32(dist_base + GICD_ICENABLER + word, bit);
	dist_wait();
	wr32(dist_base + GICD_IGROUPR + word, rd32(dist_base + GICD_IGROUPR + word) | bit);
	wr8(dist_base + GICD_IPRIORITYR + intid, HOST_PRIORITY);
	cfg = rd32(dist_base + GICD_ICFGR + 4 * (intid / 16));
	if (irq->flags & (HV_IRQ_EDGE_RISING | HV_IRQ_EDGE_FALLING))
		cfg |= (u32)BIT(cfg_shift);
	else
		cfg &= ~(u32)BIT(cfg_shift);
	wr32(dist_base + GICD_ICFGR + 4 * (intid / 16), cfg);
	wr64(dist_base + GICD_IROUTER + 8 * intid, (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 32);
	dsb(sy);
	wr32(dist_base + GICD_ISENABLER + word, bit);
	return true;
}

/* An SPI a guest was given and will never complete: without this it would stay active for good. */
static void gicv3_deactivate(u64 intid)
{
	if (intid < 32 || intid >= INTID_SPURIOUS)
		return;
	wr32(dist_base + GICD_ICACTIVER + 4 * (intid / 32), (u32)BIT(intid % 32));
	dsb(sy);
}

/* At most a few at a time: a level-sensitive interrupt nobody quiets must not keep the CPU here. */
static void gicv3_handle(void)
{
	for (int i = 0; i < 8; i++) {
		u64 intid = read_sysreg(icc_iar1_el1) & 0xffffff;

		if (intid >= INTID_SPURIOUS)
			break;
		write_sysreg(icc_eoir1_el1, intid);	/* priority drop only (EOImode 1) */
		if (intid == GICV3_SGI_KICK || !hv_host_irq(intid))
			write_sysreg(icc_dir_el1, intid);
	}
	isb();
}

/* hwid: the target's MPIDR. */
static void gicv3_kick(u64 mpidr)
{
	u64 aff0 = mpidr & 0xff;
	u64 sgi = (u64)GICV3_SGI_KICK << 24 | ((mpidr >> 8) & 0xff) << 16 | ((mpidr >> 16) & 0xff) << 32 |
		  ((mpidr >> 32) & 0xff) << 48 | (aff0 >> 4) << 44 | BIT(aff0 & 15);

	dsb(ish);	/* the state the other CPU is to look at is visible first */
	write_sysreg(icc_sgi1r_el1, sgi);
	isb();
}

const struct hv_irqchip_ops gicv3_irqchip_ops = {
	.name = "gicv3",
	.init = gicv3_init,
	.cpu_init = gicv3_cpu_init,
	.handle = gicv3_handle,
	.kick = gicv3_kick,
	.enable = gicv3_enable,
	.deactivate = gicv3_deactivate,
};
