/* SPDX-License-Identifier: Apache-2.0 */
/* What the transport's two files share. */
#ifndef VIRTIO_MMIO_INTERNAL_H
#define VIRTIO_MMIO_INTERNAL_H

#include <virtio/mmio.h>

/* A used buffer was returned: InterruptStatus bit 0, and the line. With the lock held. */
void virtio_mmio_used_interrupt(struct virtio_mmio *vm);

#endif /* VIRTIO_MMIO_INTERNAL_H */
