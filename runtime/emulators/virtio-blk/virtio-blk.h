/* SPDX-License-Identifier: Apache-2.0 */
/* The state of one emulated virtio block device (see virtio-blk.c); the compiler defines one per instance. */
#ifndef VIRTIO_BLK_EMULATOR_H
#define VIRTIO_BLK_EMULATOR_H

#include <virtio/mmio.h>

#define VIRTIO_BLK_BOUNCE	CONFIG_HV_VIRTIO_BLK_BOUNCE

_Static_assert(VIRTIO_BLK_BOUNCE % 512 == 0, "CONFIG_HV_VIRTIO_BLK_BOUNCE: whole sectors");

struct virtio_blk_state {
	struct virtio_mmio vm;		/* its lock guards everything below */
	struct virtq_chain chain;
	u8 bounce[VIRTIO_BLK_BOUNCE] __aligned(16);
	u64 reads, writes, flushes, refused;
	u64 bytes_read, bytes_written;
};

#endif /* VIRTIO_BLK_EMULATOR_H */
