/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the host interrupt controller's driver (hv_config.irqchip.ops, see hv/config.h) may call.
 */
#ifndef HV_IRQCHIP_H
#define HV_IRQCHIP_H

#include <hv/core.h>

/*
 * A physical interrupt the driver acknowledged on this pCPU, from its handle hook (so on the pCPU that took
 * it, no lock held). The core gives it to the arch port when it is one of the arch's own (its hypervisor
 * timer), else to the virtual interrupt controller of the guest whose vCPU runs here. True when it was
 * forwarded to that guest as a hardware interrupt, which the guest's own completion deactivates; otherwise
 * the driver deactivates it. The driver's own inter-processor kick is not passed here.
 */
bool hv_host_irq(u64 id);

#endif /* HV_IRQCHIP_H */
