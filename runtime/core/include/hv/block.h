/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A block device the hypervisor drives (a disk: a host instance whose driver's service is a struct
 * hv_block_ops), for the emulators that give guests a part of it (runtime/emulators/virtio-blk/).
 *
 * Offsets and lengths are in bytes, multiples of HV_BLOCK_SECTOR; the driver refuses a range that is not
 * inside the disk, so a caller's mistake never reaches another part of it, but it is the caller (the
 * emulator) that keeps each guest inside its extent. Buffers are the hypervisor's own memory (not a
 * guest's): the caller copies between them and guest memory.
 *
 * Callers: any pCPU, with their own lock held; the driver serialises requests with a lock of its own,
 * innermost, and completes each before it returns (it polls: no interrupt is involved), so a request takes
 * as long as the device does.
 */
#ifndef HV_BLOCK_H
#define HV_BLOCK_H

#include <hv/core.h>

#define HV_BLOCK_SECTOR	512UL

enum hv_block_status {
	HV_BLOCK_OK = 0,
	HV_BLOCK_IO_ERROR,		/* the device failed it, or the range is not inside the disk */
	HV_BLOCK_UNSUPPORTED,		/* the device cannot do it (a flush without a cache to flush) */
	HV_BLOCK_NO_DEVICE,		/* the disk is not there, or did not come up */
};

struct hv_block_ops {
	/* Bytes the device has (0 when it is not there). */
	u64 (*capacity)(const struct hv_host_device *disk);
	enum hv_block_status (*read)(const struct hv_host_device *disk, u64 offset, void *buf, u64 len);
	enum hv_block_status (*write)(const struct hv_host_device *disk, u64 offset, const void *buf, u64 len);
	/* What was written is on the medium (or in a cache that survives power-off). */
	enum hv_block_status (*flush)(const struct hv_host_device *disk);
};

static inline const struct hv_block_ops *hv_block(const struct hv_host_device *disk)
{
	return disk ? (const struct hv_block_ops *)disk->ops->service : NULL;
}

#endif /* HV_BLOCK_H */
