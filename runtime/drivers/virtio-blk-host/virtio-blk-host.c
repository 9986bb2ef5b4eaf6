// SPDX-License-Identifier: Apache-2.0
/*
 * The board's disk: a virtio-blk device (VirtIO 1.2, 5.2) on a virtio-mmio transport of the board, driven by
 * the hypervisor for the guests' virtio-blk devices, each of which owns an extent of it.
 *
 * One request at a time, under the disk's lock, as a chain of three descriptors (header, data, status) in
 * hypervisor memory; the caller's buffer is hypervisor memory too (the guest device's own bounce buffer),
 * so the device's DMA never touches a guest's RAM. Completion is polled: the hypervisor takes no interrupt
 * of the board's virtio devices. A request that does not complete in REQUEST_TIMEOUT_NS takes the disk
 * down for good (its queue can no longer be trusted to be idle).
 *
 * The description says how large the disk is (`size`); at boot the device must have at least that much, or
 * the disk is not used at all: guests would otherwise find their extents cut short where the description
 * promised them room.
 */
#include <hv/block.h>
#include <hv/timer.h>
#include <params/virtio-blk-host.h>
#include "virtio-blk-host.h"

#define VIRTIO_ID_BLOCK		2
#define VIRTIO_BLK_F_FLUSH	9
#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_S_OK		0

#define REQUEST_TIMEOUT_NS	(10 * HV_NS_PER_SEC)

static struct virtio_blk_host_state *state_of(const struct hv_host_device *disk)
{
	return disk->state;
}

static const struct virtio_blk_host_params *params_of(const struct hv_host_device *disk)
{
	return disk->params;
}

static void blk_init(const struct hv_host_device *disk)
{
	struct virtio_blk_host_state *s = state_of(disk);
	const struct virtio_blk_host_params *p = params_of(disk);
	const char *why = NULL;

	s->up = false;
	if (!vhost_probe(&s->dev, p->device_base, VIRTIO_ID_BLOCK, BIT(VIRTIO_BLK_F_FLUSH), &why)) {
		hv_log("disk %s: %s at 0x%lx (%s); guests' extents of it fail every request", disk->path,
		       "no virtio block device", p->device_base, why);
		return;
	}
	if (!vhost_queue_init(&s->dev, 0, &s->vq, &s->ring)) {
		hv_log("disk %s: its request queue is smaller than %u entries; not used", disk->path, VHOST_QUEUE_MAX);
		return;
	}
	vhost_ready(&s->dev);
	s->flush = s->dev.features & BIT(VIRTIO_BLK_F_FLUSH);
	/* capacity: a little-endian u64 of 512-byte sectors at offset 0, read as two words. */
	s->capacity = ((u64)vhost_config(&s->dev, 4, 4) << 32 | vhost_config(&s->dev, 0, 4)) * HV_BLOCK_SECTOR;
	if (s->capacity < p->size) {
		hv_log("disk %s: the device at 0x%lx has 0x%lx bytes, the description divides 0x%lx; not used",
		       disk->path, p->device_base, s->capacity, p->size);
		return;
	}
	s->up = true;
	hv_log("disk %s: virtio-blk at 0x%lx (virtio-mmio version %u), 0x%lx bytes%s", disk->path, p->device_base,
	       s->dev.version, s->capacity, s->flush ? ", write cache flushed on request" : "");
}

/* With the lock held: one request, data (if any) in buf; the device's status. */
static enum hv_block_status request(struct virtio_blk_host_state *s, u32 type, u64 offset, void *buf, u64 len)
{
	struct vhost_desc *d = s->ring.desc;
	u64 deadline;
	u16 head;
	u32 used_len;
	u16 n = 0;

	s->header.type = type;
	s->header.reserved = 0;
	s->header.sector = offset / HV_BLOCK_SECTOR;
	s->status = 0xff;
	d[n] = (struct vhost_desc){ .addr = (u64)(uintptr_t)&s->header, .len = sizeof(s->header), .flags = VHOST_DESC_NEXT, .next = 1 };
	n++;
	if (len) {
		d[n] = (struct vhost_desc){ .addr = (u64)(uintptr_t)buf, .len = (u32)len,
					    .flags = VHOST_DESC_NEXT | (type == VIRTIO_BLK_T_IN ? VHOST_DESC_WRITE : 0),
					    .next = 2 };
		n++;
	} else {
		d[0].next = 1;
	}
	d[n] = (struct vhost_desc){ .addr = (u64)(uintptr_t)&s->status, .len = 1, .flags = VHOST_DESC_WRITE };
	vhost_submit(&s->dev, 0, &s->vq, 0);

	deadline = hv_time_ns() + REQUEST_TIMEOUT_NS;
	while (!vhost_used(&s->vq, &head, &used_len)) {
		if (hv_time_ns() > deadline) {
			s->up = false;
			hv_log("disk at 0x%lx: a request did not complete in %lu s; the disk is not used any more",
			       s->dev.base, REQUEST_TIMEOUT_NS / HV_NS_PER_SEC);
			return HV_BLOCK_NO_DEVICE;
		}
	}
	s->requests++;
	s->bytes += len;
	return READ_ONCE(s->status) == VIRTIO_BLK_S_OK ? HV_BLOCK_OK : HV_BLOCK_IO_ERROR;
}

/* Whether [offset, offset + len) is whole sectors inside the disk, written so that nothing can wrap. */
static bool inside(const struct virtio_blk_host_state *s, u64 offset, u64 len)
{
	return !(offset % HV_BLOCK_SECTOR) && !(len % HV_BLOCK_SECTOR) && len <= 0xffffffffUL &&
	       offset <= s->capacity && len <= s->capacity - offset;
}

static enum hv_block_status transfer(const struct hv_host_device *disk, u32 type, u64 offset, void *buf, u64 len)
{
	struct virtio_blk_host_state *s = state_of(disk);
	enum hv_block_status st;

	hv_spin_lock(&s->lock);
	if (!s->up)
		st = HV_BLOCK_NO_DEVICE;
	else if (!inside(s, offset, len))
		st = HV_BLOCK_IO_ERROR;
	else
		st = len ? request(s, type, offset, buf, len) : HV_BLOCK_OK;
	hv_spin_unlock(&s->lock);
	return st;
}

static u64 blk_capacity(const struct hv_host_device *disk)
{
	return state_of(disk)->up ? state_of(disk)->capacity : 0;
}

static enum hv_block_status blk_read(const struct hv_host_device *disk, u64 offset, void *buf, u64 len)
{
	return transfer(disk, VIRTIO_BLK_T_IN, offset, buf, len);
}

static enum hv_block_status blk_write(const struct hv_host_device *disk, u64 offset, const void *buf, u64 len)
{
	return transfer(disk, VIRTIO_BLK_T_OUT, offset, (void *)buf, len);
}

static enum hv_block_status blk_flush(const struct hv_host_device *disk)
{
	struct virtio_blk_host_state *s = state_of(disk);
	enum hv_block_status st;

	hv_spin_lock(&s->lock);
	if (!s->up)
		st = HV_BLOCK_NO_DEVICE;
	else if (!s->flush)
		st = HV_BLOCK_OK;	/* no volatile cache: written is written */
	else
		st = request(s, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
	hv_spin_unlock(&s->lock);
	return st;
}

static const struct hv_block_ops blk_service = {
	.capacity = blk_capacity,
	.read = blk_read,
	.write = blk_write,
	.flush = blk_flush,
};

const struct hv_driver_ops virtio_blk_host_ops = {
	.name = "virtio-blk-host",
	.init = blk_init,
	.service = &blk_service,
};
