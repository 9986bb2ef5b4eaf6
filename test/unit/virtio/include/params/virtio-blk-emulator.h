/* The parameter block hvcc generates for virtio-blk-emulator (runtime/emulators/virtio-blk/manifest.json), for the harness. */
#ifndef PARAMS_VIRTIO_BLK_EMULATOR_H
#define PARAMS_VIRTIO_BLK_EMULATOR_H

#include <hv/types.h>

struct hv_device;
struct hv_host_device;

struct virtio_blk_emulator_params {
	const struct hv_host_device *disk;
	u64 start;
	u64 size;
	u64 read_only;
};

#endif
