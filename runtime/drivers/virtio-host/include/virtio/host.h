/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Driving a virtio-mmio device of the board from the hypervisor (the host side of the disk and the network
 * uplink). Both register layouts are spoken: version 2 (VirtIO 1.x, VIRTIO_F_VERSION_1 negotiated) and the
 * legacy version 1, which QEMU's virtio-mmio transport presents unless told otherwise
 * (-global virtio-mmio.force-legacy=false). Queues live in the caller's state, in hypervisor memory, which
 * the identity map makes its own physical addresses; the device's DMA is assumed coherent (as QEMU's and
 * a dma-coherent transport's is), so no cache maintenance is done.
 *
 * No interrupt is used: the caller polls vhost_used() (and may sleep between polls). Nothing here locks:
 * the caller serialises use of one device.
 */
#ifndef VIRTIO_HOST_H
#define VIRTIO_HOST_H

#include <hv/core.h>

#define VHOST_QUEUE_MAX		64
#define VHOST_PAGE		4096UL

struct vhost_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

#define VHOST_DESC_NEXT		1
#define VHOST_DESC_WRITE	2

/*
 * One queue's memory, laid out as the legacy layout wants it (descriptors, then the available ring, then
 * the used ring on the next page), which the modern one accepts as well. Page aligned.
 */
struct vhost_ring {
	struct vhost_desc desc[VHOST_QUEUE_MAX];
	u16 avail_flags;
	u16 avail_idx;
	u16 avail_ring[VHOST_QUEUE_MAX];
	u16 used_event;
	u8 pad[VHOST_PAGE - 16 * VHOST_QUEUE_MAX - 6 - 2 * VHOST_QUEUE_MAX];
	u16 used_flags;
	u16 used_idx;
	struct {
		u32 id;
		u32 len;
	} used_ring[VHOST_QUEUE_MAX];
	u16 avail_event;
} __aligned(4096);

struct vhost_queue {
	struct vhost_ring *ring;
	u16 num;
	u16 next_avail;			/* the driver's avail index */
	u16 last_used;			/* used entries taken so far */
};

struct virtio_host {
	u64 base;			/* the transport's registers */
	u32 version;			/* 1 (legacy) or 2 */
	u32 device_id;
	u64 features;			/* negotiated */
};

/*
 * Resets the device at `base` and negotiates: true when it is a device of `device_id` that accepted the
 * features it offers of `wanted` (VIRTIO_F_VERSION_1 is added for a modern device). On false, `why` says
 * why in words.
 */
bool vhost_probe(struct virtio_host *h, u64 base, u32 device_id, u64 wanted, const char **why);

/*
 * Sets queue q up on `ring`, VHOST_QUEUE_MAX entries (the legacy layout places the rings by the queue's
 * size, so the size is the one vhost_ring is laid out for). False when the device's queue is smaller.
 */
bool vhost_queue_init(struct virtio_host *h, u32 q, struct vhost_queue *vq, struct vhost_ring *ring);

/* DRIVER_OK: the device may use its queues. */
void vhost_ready(struct virtio_host *h);

/* A device config space field, little-endian, 1, 2 or 4 bytes at `off`. */
u32 vhost_config(struct virtio_host *h, u32 off, u32 size);

/* Makes the chain starting at descriptor `head` available and tells the device about queue q. */
void vhost_submit(struct virtio_host *h, u32 q, struct vhost_queue *vq, u16 head);

/* Makes the chain available without telling the device (vhost_notify() does, once for several). */
void vhost_add(struct vhost_queue *vq, u16 head);
void vhost_notify(struct virtio_host *h, u32 q);

/* A chain the device finished with: true, its head and written length; false when there is none yet. */
bool vhost_used(struct vhost_queue *vq, u16 *head, u32 *len);

#endif /* VIRTIO_HOST_H */
