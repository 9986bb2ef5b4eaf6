// SPDX-License-Identifier: Apache-2.0
/*
 * The hypervisor as a virtio driver (see <virtio/host.h>). The two register layouts differ only in how a
 * queue is given to the device (legacy: one page frame number, the rings at fixed places after it; modern:
 * three addresses and QueueReady) and in FEATURES_OK, which legacy devices do not have.
 */
#include <virtio/host.h>

#define REG_MAGIC		0x000
#define REG_VERSION		0x004
#define REG_DEVICE_ID		0x008
#define REG_DEVICE_FEATURES	0x010
#define REG_DEVICE_FEATURES_SEL	0x014
#define REG_DRIVER_FEATURES	0x020
#define REG_DRIVER_FEATURES_SEL	0x024
#define REG_GUEST_PAGE_SIZE	0x028	/* legacy */
#define REG_QUEUE_SEL		0x030
#define REG_QUEUE_NUM_MAX	0x034
#define REG_QUEUE_NUM		0x038
#define REG_QUEUE_ALIGN		0x03c	/* legacy */
#define REG_QUEUE_PFN		0x040	/* legacy */
#define REG_QUEUE_READY		0x044
#define REG_QUEUE_NOTIFY	0x050
#define REG_STATUS		0x070
#define REG_QUEUE_DESC_LOW	0x080
#define REG_QUEUE_DESC_HIGH	0x084
#define REG_QUEUE_DRIVER_LOW	0x090
#define REG_QUEUE_DRIVER_HIGH	0x094
#define REG_QUEUE_DEVICE_LOW	0x0a0
#define REG_QUEUE_DEVICE_HIGH	0x0a4
#define REG_CONFIG		0x100

#define S_ACKNOWLEDGE		1
#define S_DRIVER		2
#define S_DRIVER_OK		4
#define S_FEATURES_OK		8

#define F_VERSION_1		32

_Static_assert(__builtin_offsetof(struct vhost_ring, used_flags) == VHOST_PAGE, "the used ring starts a page");

static u32 rd(struct virtio_host *h, u32 off)
{
	return *(volatile u32 *)(uintptr_t)(h->base + off);
}

static void wr(struct virtio_host *h, u32 off, u32 v)
{
	*(volatile u32 *)(uintptr_t)(h->base + off) = v;
}

static u64 device_features(struct virtio_host *h)
{
	u64 f;

	wr(h, REG_DEVICE_FEATURES_SEL, 0);
	f = rd(h, REG_DEVICE_FEATURES);
	wr(h, REG_DEVICE_FEATURES_SEL, 1);
	return f | (u64)rd(h, REG_DEVICE_FEATURES) << 32;
}

bool vhost_probe(struct virtio_host *h, u64 base, u32 device_id, u64 wanted, const char **why)
{
	u64 offered, take;

	h->base = base;
	if (rd(h, REG_MAGIC) != 0x74726976) {
		*why = "no virtio-mmio transport there";
		return false;
	}
	h->version = rd(h, REG_VERSION);
	h->device_id = rd(h, REG_DEVICE_ID);
	if (h->version != 1 && h->version != 2) {
		*why = "an unknown virtio-mmio version";
		return false;
	}
	if (h->device_id != device_id) {
		*why = h->device_id ? "another kind of virtio device is there" : "no device on the transport";
		return false;
	}
	wr(h, REG_STATUS, 0);
	wr(h, REG_STATUS, S_ACKNOWLEDGE | S_DRIVER);
	offered = device_features(h);
	if (h->version == 2) {
		if (!(offered & BIT(F_VERSION_1))) {
			*why = "the device does not offer VIRTIO_F_VERSION_1";
			return false;
		}
		wanted |= BIT(F_VERSION_1);
	} else {
		wanted &= 0xffffffffUL;	/* legacy devices have 32 feature bits */
		wr(h, REG_GUEST_PAGE_SIZE, (u32)VHOST_PAGE);
	}
	take = offered & wanted;
	wr(h, REG_DRIVER_FEATURES_SEL, 0);
	wr(h, REG_DRIVER_FEATURES, (u32)take);
	wr(h, REG_DRIVER_FEATURES_SEL, 1);
	wr(h, REG_DRIVER_FEATURES, (u32)(take >> 32));
	if (h->version == 2) {
		wr(h, REG_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
		if (!(rd(h, REG_STATUS) & S_FEATURES_OK)) {
			*why = "the device refused the features";
			return false;
		}
	}
	h->features = take;
	return true;
}

bool vhost_queue_init(struct virtio_host *h, u32 q, struct vhost_queue *vq, struct vhost_ring *ring)
{
	u64 desc = (u64)(uintptr_t)ring->desc;
	u64 avail = (u64)(uintptr_t)&ring->avail_flags;
	u64 used = (u64)(uintptr_t)&ring->used_flags;

	memset(ring, 0, sizeof(*ring));
	vq->ring = ring;
	vq->num = VHOST_QUEUE_MAX;
	vq->next_avail = 0;
	vq->last_used = 0;
	wr(h, REG_QUEUE_SEL, q);
	if (rd(h, REG_QUEUE_NUM_MAX) < VHOST_QUEUE_MAX)
		return false;
	wr(h, REG_QUEUE_NUM, VHOST_QUEUE_MAX);
	if (h->version == 1) {
		wr(h, REG_QUEUE_ALIGN, (u32)VHOST_PAGE);
		wr(h, REG_QUEUE_PFN, (u32)(desc / VHOST_PAGE));
		return true;
	}
	wr(h, REG_QUEUE_DESC_LOW, (u32)desc);
	wr(h, REG_QUEUE_DESC_HIGH, (u32)(desc >> 32));
	wr(h, REG_QUEUE_DRIVER_LOW, (u32)avail);
	wr(h, REG_QUEUE_DRIVER_HIGH, (u32)(avail >> 32));
	wr(h, REG_QUEUE_DEVICE_LOW, (u32)used);
	wr(h, REG_QUEUE_DEVICE_HIGH, (u32)(used >> 32));
	wr(h, REG_QUEUE_READY, 1);
	return true;
}

void vhost_ready(struct virtio_host *h)
{
	wr(h, REG_STATUS, S_ACKNOWLEDGE | S_DRIVER | (h->version == 2 ? S_FEATURES_OK : 0) | S_DRIVER_OK);
}

u32 vhost_config(struct virtio_host *h, u32 off, u32 size)
{
	u64 addr = h->base + REG_CONFIG + off;

	if (size == 1)
		return *(volatile u8 *)(uintptr_t)addr;
	if (size == 2)
		return *(volatile u16 *)(uintptr_t)addr;
	return *(volatile u32 *)(uintptr_t)addr;
}

void vhost_add(struct vhost_queue *vq, u16 head)
{
	struct vhost_ring *r = vq->ring;

	r->avail_ring[vq->next_avail % vq->num] = head;
	/* The entry, and the descriptors it names, before the index that publishes them. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->next_avail++;
	WRITE_ONCE(r->avail_idx, vq->next_avail);
}

void vhost_notify(struct virtio_host *h, u32 q)
{
	/* The index must be visible to the device before the doorbell (as Linux's writel() orders it). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr(h, REG_QUEUE_NOTIFY, q);
}

void vhost_submit(struct virtio_host *h, u32 q, struct vhost_queue *vq, u16 head)
{
	vhost_add(vq, head);
	vhost_notify(h, q);
}

bool vhost_used(struct vhost_queue *vq, u16 *head, u32 *len)
{
	struct vhost_ring *r = vq->ring;
	u16 idx = READ_ONCE(r->used_idx);

	if (idx == vq->last_used)
		return false;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	*head = (u16)r->used_ring[vq->last_used % vq->num].id;
	*len = r->used_ring[vq->last_used % vq->num].len;
	vq->last_used++;
	return true;
}
