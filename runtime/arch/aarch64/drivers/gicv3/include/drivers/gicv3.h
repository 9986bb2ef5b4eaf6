/* SPDX-License-Identifier: Apache-2.0 */
/* What the GICv3 host driver offers the virtual GIC, beyond struct hv_irqchip_ops. */
#ifndef DRIVERS_GICV3_H
#define DRIVERS_GICV3_H

#include <hv/types.h>

/* Physical PPIs a virtual GIC cares about. */
#define GICV3_PPI_MAINTENANCE	25	/* virtual CPU interface maintenance interrupt */
#define GICV3_PPI_VTIMER	27	/* EL1 virtual timer */
#define GICV3_SGI_KICK		0	/* "look at your vCPU's virtual interrupts" */

/* Enable or disable a PPI on the calling CPU's redistributor. */
void gicv3_ppi_enable(u64 intid, bool enable);
/*
 * Deactivate a PPI left active for a guest (when the guest will not do it any more: vCPU reset; or not on
 * this CPU: its vCPU leaves it), and activate it again on the CPU the vCPU moves to.
 */
void gicv3_ppi_deactivate(u64 intid);
void gicv3_ppi_activate(u64 intid);

#endif /* DRIVERS_GICV3_H */
