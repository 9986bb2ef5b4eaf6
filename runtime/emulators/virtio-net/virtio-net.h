/* SPDX-License-Identifier: Apache-2.0 */
/* The state of one emulated virtio network card (see virtio-net.c); the compiler defines one per instance. */
#ifndef VIRTIO_NET_EMULATOR_H
#define VIRTIO_NET_EMULATOR_H

#include <hv/net.h>
#include <hv/work.h>
#include <virtio/mmio.h>

struct virtio_net_state {
	struct virtio_mmio vm;		/* its lock guards the queues and the chains */
	struct virtq_chain rx_chain;
	struct virtq_chain tx_chain;
	/* Transmitting: taken before, and never inside, vm.lock (it is held while the switch delivers). */
	hv_spinlock_t tx_lock;
	struct hv_work tx_work;
	u8 tx_frame[HV_NET_FRAME_MAX];
	struct hv_net_port port;
	u64 rx_frames, tx_frames, rx_dropped, tx_dropped;
};

#endif /* VIRTIO_NET_EMULATOR_H */
