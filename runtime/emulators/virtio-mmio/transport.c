// SPDX-License-Identifier: Apache-2.0
/*
 * The virtio-mmio registers (VirtIO 1.2, 4.2.2), version 2 only: a legacy (version 1) driver finds
 * Version 2 and gives up, and a driver that does not accept VIRTIO_F_VERSION_1 never gets FEATURES_OK.
 *
 * Control registers take aligned 32-bit accesses only, as the specification requires of drivers; a
 * driver that does otherwise is stopped like any guest making an access its device refuses. Offsets the
 * layout reserves read as zero and ignore writes, so a driver probing a newer register (SHMSel,
 * QueueReset) finds it absent rather than faulting.
 */
#include <hv/emulator.h>
#include "internal.h"

#define REG_MAGIC		0x000
#define REG_VERSION		0x004
#define REG_DEVICE_ID		0x008
#define REG_VENDOR_ID		0x00c
#define REG_DEVICE_FEATURES	0x010
#define REG_DEVICE_FEATURES_SEL	0x014
#define REG_DRIVER_FEATURES	0x020
#define REG_DRIVER_FEATURES_SEL	0x024
#define REG_QUEUE_SEL		0x030
#define REG_QUEUE_NUM_MAX	0x034
#define REG_QUEUE_NUM		0x038
#define REG_QUEUE_READY		0x044
#define REG_QUEUE_NOTIFY	0x050
#define REG_INTERRUPT_STATUS	0x060
#define REG_INTERRUPT_ACK	0x064
#define REG_STATUS		0x070
#define REG_QUEUE_DESC_LOW	0x080
#define REG_QUEUE_DESC_HIGH	0x084
#define REG_QUEUE_DRIVER_LOW	0x090
#define REG_QUEUE_DRIVER_HIGH	0x094
#define REG_QUEUE_DEVICE_LOW	0x0a0
#define REG_QUEUE_DEVICE_HIGH	0x0a4
#define REG_SHM_SEL		0x0ac
#define REG_SHM_LEN_LOW		0x0b0
#define REG_SHM_LEN_HIGH	0x0b4
#define REG_SHM_BASE_LOW	0x0b8
#define REG_SHM_BASE_HIGH	0x0bc
#define REG_CONFIG_GENERATION	0x0fc
#define REG_CONFIG		0x100

#define VIRTIO_MAGIC		0x74726976	/* "virt" */
#define VIRTIO_MMIO_VERSION	2
#define VIRTIO_VENDOR_HVCC	0x63637668	/* "hvcc" */

static u64 offered_features(const struct virtio_mmio *vm)
{
	return vm->vdev->features | BIT(VIRTIO_F_VERSION_1);
}

/* With the lock held. */
static void update_irq(struct virtio_mmio *vm)
{
	bool level = vm->int_status != 0;

	if (level != vm->irq_level) {
		vm->irq_level = level;
		vm->interrupts += level;
		hv_device_irq_set(vm->dev, 0, level);
	}
}

/* With the lock held: everything the driver set up is forgotten, as after a write of 0 to Status. */
static void device_reset(struct virtio_mmio *vm)
{
	vm->status = 0;
	vm->int_status = 0;
	vm->device_features_sel = 0;
	vm->driver_features_sel = 0;
	vm->driver_features = 0;
	vm->queue_sel = 0;
	vm->broken = false;
	memset(vm->vq, 0, sizeof(vm->vq));
	if (vm->vdev->reset)
		vm->vdev->reset(vm);
	update_irq(vm);
}

void virtio_mmio_reset(struct virtio_mmio *vm, const struct hv_device *dev, const struct virtio_mmio_device *vdev)
{
	hv_spin_lock(&vm->lock);
	vm->dev = dev;
	vm->guest = hv_device_guest(dev);
	vm->vdev = vdev;
	vm->config_generation = 0;
	vm->notifications = 0;
	vm->accesses = 0;
	vm->interrupts = 0;
	/* Whatever the line was before the guest's reset, the controller was reset with it. */
	vm->irq_level = true;
	device_reset(vm);
	hv_spin_unlock(&vm->lock);
}

bool virtio_mmio_live(const struct virtio_mmio *vm)
{
	return (vm->status & VIRTIO_STATUS_DRIVER_OK) && !vm->broken;
}

bool virtq_ready(const struct virtio_mmio *vm, u32 q)
{
	return q < vm->vdev->queue_count && vm->vq[q].ready && virtio_mmio_live(vm);
}

void virtio_mmio_fail(struct virtio_mmio *vm, const char *what)
{
	if (vm->broken)
		return;
	vm->broken = true;
	hv_log("guest '%s': %s %s: %s; the device needs a reset", vm->guest ? vm->guest->cfg->name : "?",
	       vm->vdev->name, vm->dev->path, what);
	vm->int_status |= VIRTIO_INT_CONFIG;
	update_irq(vm);
}

void virtio_mmio_config_changed(struct virtio_mmio *vm)
{
	vm->config_generation++;
	if (vm->status & VIRTIO_STATUS_DRIVER_OK) {
		vm->int_status |= VIRTIO_INT_CONFIG;
		update_irq(vm);
	}
}

void virtio_mmio_used_interrupt(struct virtio_mmio *vm)
{
	vm->int_status |= VIRTIO_INT_USED;
	update_irq(vm);
}

/*
 * The driver set QueueReady: the three areas must lie in its RAM, aligned as 2.7 says, for a queue size
 * that is a power of two no larger than QueueNumMax. Checked once here, so that taking a chain only has
 * the descriptors themselves to check.
 */
static void queue_enable(struct virtio_mmio *vm, u32 q)
{
	struct virtq *vq = &vm->vq[q];
	char what[160];
	const char *wrong = NULL;
	u64 bad = 0;

	if (!vq->num || vq->num > VIRTIO_QUEUE_SIZE || (vq->num & (vq->num - 1))) {
		hv_snprintf(what, sizeof(what), "queue %u: QueueNum %u is not a power of two of at most %u", q,
			    vq->num, VIRTIO_QUEUE_SIZE);
		virtio_mmio_fail(vm, what);
		return;
	}
	if ((vq->desc & 15) || !hv_guest_mem_ptr(vm->guest, vq->desc, 16UL * vq->num)) {
		wrong = "descriptor table";
		bad = vq->desc;
	} else if ((vq->avail & 1) || !hv_guest_mem_ptr(vm->guest, vq->avail, 6 + 2UL * vq->num)) {
		wrong = "available ring";
		bad = vq->avail;
	} else if ((vq->used & 3) || !hv_guest_mem_ptr(vm->guest, vq->used, 6 + 8UL * vq->num)) {
		wrong = "used ring";
		bad = vq->used;
	}
	if (wrong) {
		hv_snprintf(what, sizeof(what), "queue %u: the %s at 0x%lx (%u entries) is misaligned or not in the guest's RAM",
			    q, wrong, bad, vq->num);
		virtio_mmio_fail(vm, what);
		return;
	}
	vq->ready = 1;
}

static void set_status(struct virtio_mmio *vm, struct hv_vcpu *vcpu, u32 value)
{
	u32 old = vm->status;

	if (!value) {
		device_reset(vm);
		return;
	}
	/* NEEDS_RESET is the device's to say; the driver only adds bits until it resets. */
	value &= ~VIRTIO_STATUS_NEEDS_RESET;
	if ((value & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK)) {
		u64 drv = vm->driver_features;

		/* Only what was offered, and this transport speaks VirtIO 1.x only. */
		if ((drv & ~offered_features(vm)) || !(drv & BIT(VIRTIO_F_VERSION_1)))
			value &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	/* DRIVER_OK before the features were accepted would use a device nobody agreed on. */
	if (!(value & VIRTIO_STATUS_FEATURES_OK))
		value &= ~VIRTIO_STATUS_DRIVER_OK;
	vm->status = value;
	if ((value & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK) && !vm->broken) {
		/* Buffers the driver made available before DRIVER_OK are the device's now. */
		for (u32 q = 0; q < vm->vdev->queue_count; q++)
			if (virtq_ready(vm, q))
				vm->vdev->notify(vm, vcpu, q);
	}
}

static void set_half(u64 *field, bool high, u32 value)
{
	*field = high ? (*field & 0xffffffffUL) | (u64)value << 32 : (*field & ~0xffffffffUL) | value;
}

static bool reg_write(struct virtio_mmio *vm, struct hv_vcpu *vcpu, u64 off, u32 v)
{
	struct virtq *vq = vm->queue_sel < vm->vdev->queue_count ? &vm->vq[vm->queue_sel] : NULL;
	bool features_open = !(vm->status & VIRTIO_STATUS_FEATURES_OK);

	switch (off) {
	case REG_DEVICE_FEATURES_SEL:
		vm->device_features_sel = v;
		break;
	case REG_DRIVER_FEATURES:
		if (features_open && vm->driver_features_sel < 2)
			set_half(&vm->driver_features, vm->driver_features_sel == 1, v);
		break;
	case REG_DRIVER_FEATURES_SEL:
		vm->driver_features_sel = v;
		break;
	case REG_QUEUE_SEL:
		vm->queue_sel = v;
		break;
	case REG_QUEUE_NUM:
		if (vq && !vq->ready)
			vq->num = v;
		break;
	case REG_QUEUE_READY:
		if (!vq)
			break;
		if (!v)
			vq->ready = 0;
		else if (!vq->ready)
			queue_enable(vm, vm->queue_sel);
		break;
	case REG_QUEUE_NOTIFY:
		vm->notifications++;
		if (virtq_ready(vm, v))
			vm->vdev->notify(vm, vcpu, v);
		break;
	case REG_INTERRUPT_ACK:
		vm->int_status &= ~v;
		update_irq(vm);
		break;
	case REG_STATUS:
		set_status(vm, vcpu, v);
		break;
	case REG_QUEUE_DESC_LOW:
	case REG_QUEUE_DESC_HIGH:
		if (vq && !vq->ready)
			set_half(&vq->desc, off == REG_QUEUE_DESC_HIGH, v);
		break;
	case REG_QUEUE_DRIVER_LOW:
	case REG_QUEUE_DRIVER_HIGH:
		if (vq && !vq->ready)
			set_half(&vq->avail, off == REG_QUEUE_DRIVER_HIGH, v);
		break;
	case REG_QUEUE_DEVICE_LOW:
	case REG_QUEUE_DEVICE_HIGH:
		if (vq && !vq->ready)
			set_half(&vq->used, off == REG_QUEUE_DEVICE_HIGH, v);
		break;
	case REG_MAGIC:
	case REG_VERSION:
	case REG_DEVICE_ID:
	case REG_VENDOR_ID:
	case REG_DEVICE_FEATURES:
	case REG_QUEUE_NUM_MAX:
	case REG_INTERRUPT_STATUS:
	case REG_CONFIG_GENERATION:
		return false;	/* read-only: a driver writing them is confused, and is told so */
	default:
		break;		/* reserved, SHMSel: ignored */
	}
	return true;
}

static u32 reg_read(struct virtio_mmio *vm, u64 off)
{
	const struct virtq *vq = vm->queue_sel < vm->vdev->queue_count ? &vm->vq[vm->queue_sel] : NULL;
	u64 features = offered_features(vm);

	switch (off) {
	case REG_MAGIC:			return VIRTIO_MAGIC;
	case REG_VERSION:		return VIRTIO_MMIO_VERSION;
	case REG_DEVICE_ID:		return vm->vdev->device_id;
	case REG_VENDOR_ID:		return VIRTIO_VENDOR_HVCC;
	case REG_DEVICE_FEATURES:
		return vm->device_features_sel == 0 ? (u32)features :
		       vm->device_features_sel == 1 ? (u32)(features >> 32) : 0;
	case REG_QUEUE_NUM_MAX:		return vq ? VIRTIO_QUEUE_SIZE : 0;
	case REG_QUEUE_NUM:		return vq ? vq->num : 0;
	case REG_QUEUE_READY:		return vq ? vq->ready : 0;
	case REG_INTERRUPT_STATUS:	return vm->int_status;
	case REG_STATUS:		return vm->status | (vm->broken ? VIRTIO_STATUS_NEEDS_RESET : 0);
	case REG_QUEUE_DESC_LOW:	return vq ? (u32)vq->desc : 0;
	case REG_QUEUE_DESC_HIGH:	return vq ? (u32)(vq->desc >> 32) : 0;
	case REG_QUEUE_DRIVER_LOW:	return vq ? (u32)vq->avail : 0;
	case REG_QUEUE_DRIVER_HIGH:	return vq ? (u32)(vq->avail >> 32) : 0;
	case REG_QUEUE_DEVICE_LOW:	return vq ? (u32)vq->used : 0;
	case REG_QUEUE_DEVICE_HIGH:	return vq ? (u32)(vq->used >> 32) : 0;
	/* No shared memory regions: a length of all ones says so (4.2.2). */
	case REG_SHM_LEN_LOW:
	case REG_SHM_LEN_HIGH:
	case REG_SHM_BASE_LOW:
	case REG_SHM_BASE_HIGH:		return 0xffffffff;
	case REG_CONFIG_GENERATION:	return vm->config_generation;
	default:			return 0;
	}
}

static bool config_access(struct virtio_mmio *vm, struct hv_vcpu *vcpu, struct hv_mmio_access *a)
{
	u64 off = a->offset - REG_CONFIG;
	const struct virtio_mmio_device *vdev = vm->vdev;

	/* Fields are naturally aligned; a wider access reads two of them, as drivers do for 64-bit ones. */
	if (a->offset & (a->size - 1))
		return false;
	if (off + a->size > vdev->config_size) {
		if (!a->write)
			a->value = 0;
		return true;
	}
	if (a->write) {
		if (vdev->config_write)
			vdev->config_write(vm, vcpu, (u32)off, a->size, a->value);
	} else {
		a->value = vdev->config_read ? vdev->config_read(vm, (u32)off, a->size) : 0;
	}
	return true;
}

bool virtio_mmio_access(struct virtio_mmio *vm, struct hv_vcpu *vcpu, struct hv_mmio_access *a)
{
	bool ok = true;

	hv_spin_lock(&vm->lock);
	vm->accesses++;
	if (a->offset >= REG_CONFIG)
		ok = config_access(vm, vcpu, a);
	else if (a->size != 4 || (a->offset & 3))
		ok = false;
	else if (a->write)
		ok = reg_write(vm, vcpu, a->offset, (u32)a->value);
	else
		a->value = reg_read(vm, a->offset);
	hv_spin_unlock(&vm->lock);
	return ok;
}
