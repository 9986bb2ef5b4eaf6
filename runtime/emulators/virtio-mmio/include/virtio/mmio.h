/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtio-mmio transport (VirtIO 1.2, section 4.2: MMIO register layout version 2) and split
 * virtqueues (section 2.7), for the virtio device emulators (runtime/emulators/virtio-*).
 *
 * A device emulator embeds a struct virtio_mmio in its state, describes itself with a const struct
 * virtio_mmio_device (ID, features, queues, config space, hooks), calls virtio_mmio_reset() from its
 * emulator reset hook and virtio_mmio_access() from its mmio hook. The transport owns the registers,
 * feature negotiation, the status and its reset, the interrupt status and the device's interrupt line
 * (the node's first interrupt: high while InterruptStatus is not zero).
 *
 * Everything the guest puts in a virtqueue is untrusted. Ring addresses are checked when the driver
 * sets QueueReady, each descriptor when a chain is taken: an address range that is not wholly inside one
 * RAM region of the guest (hv/guest-mem.h), a loop, an index past the queue, a zero length, an indirect
 * descriptor (not offered) or a device-readable descriptor after a device-writable one puts the device
 * into DEVICE_NEEDS_RESET: one line on the console names the guest, the device and what was wrong, a
 * configuration-change interrupt tells the driver, and no queue is looked at again until the driver
 * resets the device. Nothing outside the guest's RAM is ever read or written, and the guest keeps
 * running.
 *
 * Locking: vm->lock guards the transport and, by convention, the device's own state; every hook below
 * is called with it held, and the virtq_* functions must be called with it held. A device takes it in
 * its other entry points (console input, a network frame arriving) with virtio_mmio_lock().
 */
#ifndef VIRTIO_MMIO_H
#define VIRTIO_MMIO_H

#include <hv/core.h>
#include <hv/kconfig.h>

#define VIRTIO_QUEUE_SIZE	CONFIG_HV_VIRTIO_QUEUE_SIZE
#define VIRTIO_MAX_QUEUES	4

_Static_assert((VIRTIO_QUEUE_SIZE & (VIRTIO_QUEUE_SIZE - 1)) == 0, "CONFIG_HV_VIRTIO_QUEUE_SIZE: a power of two");

/* Device status (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	1U
#define VIRTIO_STATUS_DRIVER		2U
#define VIRTIO_STATUS_DRIVER_OK		4U
#define VIRTIO_STATUS_FEATURES_OK	8U
#define VIRTIO_STATUS_NEEDS_RESET	64U
#define VIRTIO_STATUS_FAILED		128U

/* Reserved feature bits (6). */
#define VIRTIO_F_VERSION_1		32

/* InterruptStatus. */
#define VIRTIO_INT_USED			1U
#define VIRTIO_INT_CONFIG		2U

/* Device IDs (5). */
#define VIRTIO_ID_NET			1
#define VIRTIO_ID_BLOCK			2
#define VIRTIO_ID_CONSOLE		3

struct virtio_mmio;
struct hv_vcpu;

/* One buffer of a descriptor chain, checked to be inside the guest's RAM. */
struct virtq_seg {
	u64 gpa;
	u32 len;
	u32 write;			/* device-writable */
};

/*
 * A descriptor chain taken from a queue's available ring: its readable buffers first, then its writable
 * ones. Held by the device until it gives it back with virtq_push().
 */
struct virtq_chain {
	u16 head;
	u16 count;			/* buffers in seg[] */
	u16 readable;			/* seg[0 .. readable) are device-readable */
	u32 out_len;			/* bytes in the readable buffers */
	u32 in_len;			/* bytes in the writable buffers */
	struct virtq_seg seg[VIRTIO_QUEUE_SIZE];
};

/* A split virtqueue as the driver configured it. */
struct virtq {
	u32 num;			/* QueueNum */
	u32 ready;			/* QueueReady */
	u64 desc;			/* guest-physical addresses of the three areas */
	u64 avail;
	u64 used;
	u16 last_avail;			/* the next available ring entry the device takes */
	u16 used_idx;			/* the next used ring entry the device fills */
};

/* What a device is, for the transport. Const, one per device type. */
struct virtio_mmio_device {
	const char *name;		/* for reports: "virtio-console" */
	u32 device_id;
	u64 features;			/* device-specific features offered; the transport adds VIRTIO_F_VERSION_1 */
	u32 queue_count;		/* at most VIRTIO_MAX_QUEUES */
	u32 config_size;		/* bytes of device configuration space at 0x100 */
	/* Config space bytes [off, off + size) as a little-endian value (off + size <= config_size). */
	u64 (*config_read)(struct virtio_mmio *vm, u32 off, u32 size);
	/* A driver write to config space (NULL: writes are ignored). */
	void (*config_write)(struct virtio_mmio *vm, struct hv_vcpu *vcpu, u32 off, u32 size, u64 value);
	/*
	 * The driver made buffers available on queue q, or the device just became ready (DRIVER_OK) and q is
	 * ready: take what it can (virtq_pop()). Only while DRIVER_OK is set and the device is not broken.
	 */
	void (*notify)(struct virtio_mmio *vm, struct hv_vcpu *vcpu, u32 q);
	/* The device was reset (by the driver, or with its guest): forget everything the driver set up. */
	void (*reset)(struct virtio_mmio *vm);
};

struct virtio_mmio {
	hv_spinlock_t lock;
	const struct hv_device *dev;
	struct hv_guest *guest;
	const struct virtio_mmio_device *vdev;
	u32 status;			/* as the driver wrote it (NEEDS_RESET is `broken`) */
	u32 int_status;
	u32 device_features_sel;
	u32 driver_features_sel;
	u64 driver_features;
	u32 queue_sel;
	u32 config_generation;
	bool broken;			/* DEVICE_NEEDS_RESET: no queue is processed until the driver resets */
	bool irq_level;			/* what the interrupt line was last set to */
	u64 notifications;		/* QueueNotify writes, for the statistics */
	u64 accesses;			/* register and config accesses: the traps the device costs */
	u64 interrupts;			/* times the line went up */
	struct virtq vq[VIRTIO_MAX_QUEUES];
};

static inline void virtio_mmio_lock(struct virtio_mmio *vm)
{
	hv_spin_lock(&vm->lock);
}

static inline void virtio_mmio_unlock(struct virtio_mmio *vm)
{
	hv_spin_unlock(&vm->lock);
}

/*
 * From the device's emulator reset hook (the guest is not running): binds the transport to its device
 * instance and puts it in its reset state, the line low. Calls vdev->reset.
 */
void virtio_mmio_reset(struct virtio_mmio *vm, const struct hv_device *dev, const struct virtio_mmio_device *vdev);

/* From the device's mmio hook: a register or config space access. Takes the lock. */
bool virtio_mmio_access(struct virtio_mmio *vm, struct hv_vcpu *vcpu, struct hv_mmio_access *access);

/* Whether the driver has set DRIVER_OK and the device is not broken: queues may be used. */
bool virtio_mmio_live(const struct virtio_mmio *vm);

/*
 * The device found what the driver gave it broken: DEVICE_NEEDS_RESET, a configuration-change interrupt,
 * and "[hv] guest 'NAME': <device> PATH: <what>; the device needs a reset" on the console (once: later
 * failures of a broken device are not reported).
 */
void virtio_mmio_fail(struct virtio_mmio *vm, const char *what);

/* The device's configuration changed: a new generation and a configuration-change interrupt. */
void virtio_mmio_config_changed(struct virtio_mmio *vm);

/* Whether queue q is set up and the device may use it now. */
bool virtq_ready(const struct virtio_mmio *vm, u32 q);

/*
 * Takes the next available descriptor chain of queue q into *chain: 1 when it did, 0 when there is none,
 * -1 when what the driver made available is malformed (the device is then broken, see above).
 */
int virtq_pop(struct virtio_mmio *vm, u32 q, struct virtq_chain *chain);

/*
 * Copies up to len bytes from the chain's readable buffers, starting `off` bytes into them, to buf; or
 * from buf into its writable buffers. Returns the bytes copied (fewer when the buffers end first).
 */
u32 virtq_read(struct virtio_mmio *vm, const struct virtq_chain *chain, u32 off, void *buf, u32 len);
u32 virtq_write(struct virtio_mmio *vm, const struct virtq_chain *chain, u32 off, const void *buf, u32 len);

/*
 * Gives the chain back to the driver through queue q's used ring, saying `written` bytes were written
 * into its writable buffers, and raises the used-buffer interrupt unless the driver asked for none.
 */
void virtq_push(struct virtio_mmio *vm, u32 q, const struct virtq_chain *chain, u32 written);

#endif /* VIRTIO_MMIO_H */
