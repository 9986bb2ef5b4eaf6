/* SPDX-License-Identifier: Apache-2.0 */
/* The state of one emulated virtio console (see virtio-console.c); the compiler defines one per instance. */
#ifndef VIRTIO_CONSOLE_EMULATOR_H
#define VIRTIO_CONSOLE_EMULATOR_H

#include <virtio/mmio.h>

struct virtio_console_state {
	struct virtio_mmio vm;		/* its lock guards everything below */
	struct virtq_chain chain;	/* the chain being handled (one at a time, under the lock) */
	u64 tx_bytes;
	u64 rx_bytes;
};

#endif /* VIRTIO_CONSOLE_EMULATOR_H */
