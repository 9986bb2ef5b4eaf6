// SPDX-License-Identifier: Apache-2.0
/*
 * asgi: the three GICv3 SGI registers, ICC_SGI1R_EL1 (S3_0_C12_C11_5), ICC_ASGI1R_EL1 (S3_0_C12_C11_6)
 * and ICC_SGI0R_EL1 (S3_0_C12_C11_7), each sending an SGI to this vCPU, with every interrupt in Group 1
 * (as Linux configures it, and as hvcc's virtual GIC always has it).
 *
 * With one Security state (GICD_CTLR.DS == 1) ICC_SGI0R_EL1 generates Group 0 SGIs only, and so does
 * ICC_ASGI1R_EL1, whose "other Security state" does not exist (GIC architecture specification, forwarding
 * an SGI to a target PE): neither may make a Group 1 SGI pending. ICC_SGI1R_EL1 does. Each result is
 * printed with "ok" or "ERROR". The guest runs the same on QEMU's own GIC (at EL1, no hypervisor) and
 * under hvcc, so the two can be compared.
 */
#include "guest.h"

#define GICD		0x08000000UL
#define GICR		0x080a0000UL
#define GICR_SGI	(GICR + 0x10000UL)

#define GICD_CTLR	0x0000
#define GICD_CTLR_DS	(1U << 6)
#define GICR_WAKER	0x0014
#define GICR_IGROUPR0	0x0080
#define GICR_ISENABLER0	0x0100
#define GICR_ISPENDR0	0x0200

#define INTID_SPURIOUS	1023

#define msr(reg, v)	asm volatile("msr " #reg ", %0; isb" : : "r"((uint64_t)(v)) : "memory")
#define mrs(reg)	({ uint64_t __v; asm volatile("isb; mrs %0, " #reg : "=r"(__v) : : "memory"); __v; })

static inline void w32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint32_t r32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static void check(const char *what, uint64_t got, uint64_t want)
{
	puts("asgi: ");
	puts(what);
	puts(" = ");
	put_dec(got);
	puts(got == want ? " ok\n" : " ERROR: unexpected\n");
}

/* The highest pending Group 1 interrupt, acknowledged and ended; 1023 when there is none. */
static uint64_t take_irq(void)
{
	uint64_t intid;

	/* An SGI reaches the CPU interface a little after the write: give it a moment. */
	for (int i = 0; i < 1000; i++) {
		intid = mrs(S3_0_C12_C12_0) & 0xffffff;		/* ICC_IAR1_EL1 */
		if (intid != INTID_SPURIOUS) {
			msr(S3_0_C12_C12_1, intid);		/* ICC_EOIR1_EL1 */
			return intid;
		}
	}
	return INTID_SPURIOUS;
}

/* SGI `intid` to Aff0 = 0 (this vCPU, MPIDR 0), Aff1..3 = 0. */
#define SGI_SELF(intid)	((uint64_t)(intid) << 24 | 1)

int main(void)
{
	puts("asgi: SGIs through ICC_SGI1R_EL1, ICC_ASGI1R_EL1 and ICC_SGI0R_EL1\n");
	check("GICD_CTLR.DS (one Security state)", !!(r32(GICD + GICD_CTLR) & GICD_CTLR_DS), 1);
	w32(GICD + GICD_CTLR, (1U << 4) | (1U << 1));	/* ARE, EnableGrp1 */
	w32(GICR + GICR_WAKER, r32(GICR + GICR_WAKER) & ~2U);
	while (r32(GICR + GICR_WAKER) & 4U)
		;
	w32(GICR_SGI + GICR_IGROUPR0, 0xffffffff);	/* every SGI and PPI in Group 1 */
	check("GICR_IGROUPR0 (SGIs in Group 1)", r32(GICR_SGI + GICR_IGROUPR0) & 0xffff, 0xffff);
	w32(GICR_SGI + GICR_ISENABLER0, 0xe);		/* SGIs 1, 2, 3 */
	msr(S3_0_C4_C6_0, 0xff);			/* ICC_PMR_EL1 */
	msr(S3_0_C12_C12_7, 1);				/* ICC_IGRPEN1_EL1 */

	msr(S3_0_C12_C11_6, SGI_SELF(1));		/* ICC_ASGI1R_EL1 */
	check("ICC_ASGI1R_EL1 SGI 1, pending afterwards", (r32(GICR_SGI + GICR_ISPENDR0) >> 1) & 1, 0);
	check("ICC_ASGI1R_EL1 SGI 1, acknowledged", take_irq(), INTID_SPURIOUS);

	msr(S3_0_C12_C11_7, SGI_SELF(2));		/* ICC_SGI0R_EL1 */
	check("ICC_SGI0R_EL1 SGI 2, pending afterwards", (r32(GICR_SGI + GICR_ISPENDR0) >> 2) & 1, 0);
	check("ICC_SGI0R_EL1 SGI 2, acknowledged", take_irq(), INTID_SPURIOUS);

	msr(S3_0_C12_C11_5, SGI_SELF(3));		/* ICC_SGI1R_EL1 */
	check("ICC_SGI1R_EL1 SGI 3, acknowledged", take_irq(), 3);

	/* The same again, so a pending leftover of one register cannot pass for the next one's. */
	msr(S3_0_C12_C11_6, SGI_SELF(3));
	check("ICC_ASGI1R_EL1 SGI 3, acknowledged", take_irq(), INTID_SPURIOUS);
	msr(S3_0_C12_C11_5, SGI_SELF(1));
	check("ICC_SGI1R_EL1 SGI 1, acknowledged", take_irq(), 1);
	puts("asgi: done\n");
	return 0;
}

void secondary_main(void)
{
}
