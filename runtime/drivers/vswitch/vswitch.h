/* SPDX-License-Identifier: Apache-2.0 */
/* The state of one network (see vswitch.c); the compiler defines one per hvcc,network node. */
#ifndef VSWITCH_DRIVER_H
#define VSWITCH_DRIVER_H

#include <hv/net.h>
#include <hv/timer.h>
#include <virtio/host.h>

#define VSWITCH_PORTS		CONFIG_HV_VSWITCH_PORTS
#define VSWITCH_LEARNED		64
#define VSWITCH_UPLINK_BUF	2048
#define VSWITCH_UPLINK_RX	32	/* receive buffers given to the uplink */
#define VSWITCH_UPLINK_TX	32	/* frames that can be on their way out at once (bits of tx_busy) */

/* Where an address was last seen coming from (an uplink address: guests' are their ports'). */
struct vswitch_learned {
	u8 mac[6];
	u8 valid;
	u64 stamp;
};

/* The uplink: the board's virtio-net device, queues 0 (receive) and 1 (transmit). */
struct vswitch_uplink {
	struct vhost_ring rx_ring;		/* page aligned: first */
	struct vhost_ring tx_ring;
	u8 rx_buf[VSWITCH_UPLINK_RX][VSWITCH_UPLINK_BUF];
	u8 tx_buf[VSWITCH_UPLINK_TX][VSWITCH_UPLINK_BUF];
	hv_spinlock_t lock;			/* the device and everything above */
	struct virtio_host dev;
	struct vhost_queue rxq;
	struct vhost_queue txq;
	u32 hdr_len;				/* the virtio-net header before each frame */
	u32 tx_busy;				/* transmit slots the device has, a bit each */
	bool up;
	struct hv_timer poll;
	bool polling;
	u64 rx, tx, dropped;
};

struct vswitch_state {
	struct vswitch_uplink uplink;		/* page aligned: first */
	hv_spinlock_t lock;			/* ports and the learned table */
	const struct hv_host_device *net;
	struct hv_net_port *ports[VSWITCH_PORTS];
	u64 nports;
	struct vswitch_learned learned[VSWITCH_LEARNED];
	u64 clock;				/* stamps for the learned table */
	u64 forwarded, flooded, dropped, spoofed;
};

#endif /* VSWITCH_DRIVER_H */
