/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A network the hypervisor switches (a host instance whose driver's service is a struct hv_net_ops: the
 * virtual switch, runtime/drivers/vswitch/), for the emulators of guests' network cards, which are its
 * ports.
 *
 * A port has the one MAC address the description gave it. The switch takes only frames whose source is
 * that address (a guest cannot pose as another), and hands a port only frames sent to that address, to the
 * broadcast address or to a multicast group: a guest never sees another guest's unicast traffic.
 *
 * Callers: any pCPU. send() must be called with no emulator lock held (the switch takes the receiving
 * ports' locks, in their deliver hooks), deliver is called with none of the switch's held.
 */
#ifndef HV_NET_H
#define HV_NET_H

#include <hv/core.h>

#define HV_NET_FRAME_MAX	1522	/* an Ethernet frame with a VLAN tag, without its FCS */

struct hv_net_port {
	u8 mac[6];
	/* Takes a copy of a frame for this port; false when it has no room (the frame is dropped). */
	bool (*deliver)(struct hv_net_port *port, const u8 *frame, u32 len);
	/* Set by the switch. */
	u64 index;
};

struct hv_net_ops {
	/*
	 * Makes the port part of the network (again after a reset of its guest: attaching a port twice is
	 * attaching it once). Its mac must be set.
	 */
	void (*attach)(const struct hv_host_device *net, struct hv_net_port *port);
	/* A frame from the port, to wherever it is addressed. */
	void (*send)(const struct hv_host_device *net, struct hv_net_port *from, const u8 *frame, u32 len);
};

static inline const struct hv_net_ops *hv_net(const struct hv_host_device *net)
{
	return net ? (const struct hv_net_ops *)net->ops->service : NULL;
}

#endif /* HV_NET_H */
