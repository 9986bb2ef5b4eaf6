/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state of one virtual GICv3 (see vgic.c). The compiler defines one object of struct vgic_v3_state per
 * instance from this header, compiled with the system's Kconfig, so its size follows CONFIG_HV_MAX_CPUS
 * and CONFIG_HV_VGIC_SPIS.
 */
#ifndef VGIC_V3_H
#define VGIC_V3_H

#include <hv/core.h>

#define VGIC_NR_PRIVATE	32			/* SGIs 0-15, PPIs 16-31, per vCPU */
#define VGIC_NR_SPIS	CONFIG_HV_VGIC_SPIS	/* INTIDs 32 .. 32 + VGIC_NR_SPIS - 1 */
#define VGIC_NR_IRQS	(VGIC_NR_PRIVATE + VGIC_NR_SPIS)
#define VGIC_MAX_LRS	16			/* ICH_LR<n>_EL2 exist for n < 16 at most */
#define VGIC_MAX_APRS	4			/* ICH_AP<m>R<n>_EL2 for n < 4 at most (7 priority bits) */

_Static_assert(VGIC_NR_SPIS >= 1 && VGIC_NR_IRQS <= 1020, "CONFIG_HV_VGIC_SPIS: SPIs are INTIDs 32-1019");
_Static_assert(CONFIG_HV_MAX_CPUS <= 256, "struct virq.target holds a vCPU index in 8 bits");

/* One interrupt. */
struct virq {
	u8 enabled;
	u8 latched;	/* edge seen, or set pending by the guest (ISPENDR) */
	u8 level;	/* the line, for level-sensitive interrupts */
	u8 edge;	/* ICFGR: edge-triggered */
	u8 priority;
	u8 hw;		/* forwarded physical interrupt (the virtual timer) */
	u8 lr;		/* list register holding it + 1, or 0 */
	u8 target;	/* SPIs: the vCPU it is routed to */
};

/* One vCPU's redistributor and CPU interface. */
struct vgic_cpu {
	struct virq priv[VGIC_NR_PRIVATE];
	u32 waker;
	u32 dirty;			/* something may be deliverable: scan in the next flush */
	u64 lr_used;			/* bitmap of list registers holding an interrupt */
	u64 enabled_priv;		/* bitmap of the enabled SGIs and PPIs (priv[n].enabled) */
	u16 lr_intid[VGIC_MAX_LRS];
	/* Its virtual CPU interface while it is off its pCPU (only when vCPUs share pCPUs). */
	u64 saved_lr[VGIC_MAX_LRS];
	u32 saved_ap0r[VGIC_MAX_APRS];
	u32 saved_ap1r[VGIC_MAX_APRS];
	u32 saved_vmcr;
	u32 saved_hcr;
};

struct vgic_v3_state {
	hv_spinlock_t lock;		/* everything below */
	u32 ctlr;
	u32 nr_lrs;
	u32 nr_aprs;			/* active priority registers per group: 1, 2 or 4 */
	u64 irouter[VGIC_NR_SPIS];
	struct virq spi[VGIC_NR_SPIS];
	u64 enabled_spi[(VGIC_NR_SPIS + 63) / 64];	/* bitmap of the enabled SPIs (spi[n].enabled) */
	struct vgic_cpu cpu[CONFIG_HV_MAX_CPUS];
};

#endif /* VGIC_V3_H */
