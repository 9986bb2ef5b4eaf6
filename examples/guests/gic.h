/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The example guests' use of a virtual GICv3 (distributor at 0x08000000, vCPU 0's redistributor at
 * 0x080a0000) with interrupts masked: a vCPU waits in WFI, which a pending interrupt ends, and takes the
 * interrupt by reading ICC_IAR1_EL1.
 */
#ifndef GUEST_GIC_H
#define GUEST_GIC_H

#include <stdint.h>

#define GICD		0x08000000UL
#define GICR		0x080a0000UL
#define INTID_SPURIOUS	1023

#define msr(reg, v)	asm volatile("msr " #reg ", %0; isb" : : "r"((uint64_t)(v)) : "memory")
#define mrs(reg)	({ uint64_t __v; asm volatile("isb; mrs %0, " #reg : "=r"(__v) : : "memory"); __v; })

static inline void mmio_w32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint32_t mmio_r32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

/* Distributor and vCPU 0's CPU interface on; `intid` (an SPI) routed to vCPU 0 and enabled. */
static inline void gic_init(uint32_t intid)
{
	mmio_w32(GICD + 0x0000, (1U << 4) | (1U << 1));		/* GICD_CTLR: ARE, EnableGrp1 */
	mmio_w32(GICR + 0x0014, mmio_r32(GICR + 0x0014) & ~2U);	/* GICR_WAKER */
	while (mmio_r32(GICR + 0x0014) & 4U)
		;
	msr(S3_0_C4_C6_0, 0xff);				/* ICC_PMR_EL1 */
	msr(S3_0_C12_C12_7, 1);					/* ICC_IGRPEN1_EL1 */
	*(volatile uint64_t *)(GICD + 0x6000 + intid * 8UL) = 0;	/* GICD_IROUTER: vCPU 0 */
	mmio_w32(GICD + 0x0100 + 4 * (intid / 32), 1U << (intid % 32));	/* GICD_ISENABLER */
}

/* Waits for an interrupt and acknowledges it (ICC_IAR1_EL1); the caller ends it with gic_eoi(). */
static inline uint64_t gic_wait(void)
{
	for (;;) {
		uint64_t intid = mrs(S3_0_C12_C12_0) & 0xffffff;

		if (intid != INTID_SPURIOUS)
			return intid;
		asm volatile("wfi" ::: "memory");
	}
}

static inline void gic_eoi(uint64_t intid)
{
	msr(S3_0_C12_C12_1, intid);	/* ICC_EOIR1_EL1 */
}

#endif
