/* SPDX-License-Identifier: Apache-2.0 */
/* The state of one disk (see virtio-blk-host.c); the compiler defines one per hvcc,virtio-disk node. */
#ifndef VIRTIO_BLK_HOST_H
#define VIRTIO_BLK_HOST_H

#include <virtio/host.h>

struct virtio_blk_host_state {
	struct vhost_ring ring;		/* first: page aligned */
	hv_spinlock_t lock;		/* one request at a time */
	struct virtio_host dev;
	struct vhost_queue vq;
	bool up;			/* probed, and as large as the description says */
	bool flush;			/* VIRTIO_BLK_F_FLUSH negotiated */
	u64 capacity;			/* bytes */
	struct {
		u32 type;
		u32 reserved;
		u64 sector;
	} header;
	u8 status;
	u64 requests;
	u64 bytes;
};

#endif /* VIRTIO_BLK_HOST_H */
