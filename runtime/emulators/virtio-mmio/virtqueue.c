// SPDX-License-Identifier: Apache-2.0
/*
 * Split virtqueues (VirtIO 1.2, 2.7), device side.
 *
 * The guest writes its rings while the device reads them, on another CPU, so every value is read once
 * into hypervisor memory, checked there, and only then used. A chain is checked whole before the device
 * sees any of it: its descriptors must be in the table, each buffer in the guest's RAM and not empty, the
 * readable buffers before the writable ones, and the chain no longer than the queue (so a loop is found
 * when the walk passes the queue size). Anything else is the driver's bug, and the device stops using
 * its queues until it is reset (see virtio_mmio_fail()).
 *
 * The rings are accessed with hv_guest_mem_read()/write(), which keep them coherent with a driver that
 * runs with its caches off (a bare-metal one) as well as with one that has them on.
 */
#include <hv/emulator.h>
#include "internal.h"

#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1

struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

struct virtq_used_elem {
	u32 id;
	u32 len;
};

static bool read16(struct virtio_mmio *vm, u64 gpa, u16 *v)
{
	return hv_guest_mem_read(vm->guest, gpa, v, sizeof(*v));
}

/* The rings were checked when the queue was enabled; failing now means the check above was wrong. */
static int ring_vanished(struct virtio_mmio *vm, u32 q)
{
	char what[64];

	hv_snprintf(what, sizeof(what), "queue %u: its rings are no longer in the guest's RAM", q);
	virtio_mmio_fail(vm, what);
	return -1;
}

static int malformed(struct virtio_mmio *vm, u32 q, const char *what)
{
	char line[192];

	hv_snprintf(line, sizeof(line), "queue %u: %s", q, what);
	virtio_mmio_fail(vm, line);
	return -1;
}

int virtq_pop(struct virtio_mmio *vm, u32 q, struct virtq_chain *chain)
{
	struct virtq *vq = &vm->vq[q];
	char what[160];
	u16 avail_idx, head, i;
	u64 out = 0, in = 0;
	u32 count = 0;

	if (!virtq_ready(vm, q))
		return 0;
	if (!read16(vm, vq->avail + 2, &avail_idx))
		return ring_vanished(vm, q);
	if (avail_idx == vq->last_avail)
		return 0;
	/* The driver can only be ahead by what fits in the ring. */
	if ((u16)(avail_idx - vq->last_avail) > vq->num) {
		hv_snprintf(what, sizeof(what), "the available index %u is %u entries past the device's %u, in a queue of %u",
			    avail_idx, (u16)(avail_idx - vq->last_avail), vq->last_avail, vq->num);
		return malformed(vm, q, what);
	}
	/* The entry must be read only after the index that published it. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (!read16(vm, vq->avail + 4 + 2UL * (vq->last_avail % vq->num), &head))
		return ring_vanished(vm, q);
	if (head >= vq->num) {
		hv_snprintf(what, sizeof(what), "available ring entry %u names descriptor %u, past the table of %u",
			    vq->last_avail % vq->num, head, vq->num);
		return malformed(vm, q, what);
	}

	chain->head = head;
	chain->readable = 0;
	for (i = head;; ) {
		struct virtq_desc d;
		struct virtq_seg *seg;

		if (count == vq->num) {
			hv_snprintf(what, sizeof(what), "the chain from descriptor %u is longer than the queue (%u): it loops",
				    head, vq->num);
			return malformed(vm, q, what);
		}
		if (!hv_guest_mem_read(vm->guest, vq->desc + 16UL * i, &d, sizeof(d)))
			return ring_vanished(vm, q);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			hv_snprintf(what, sizeof(what), "descriptor %u is indirect, which the device did not offer", i);
			return malformed(vm, q, what);
		}
		if (!d.len) {
			hv_snprintf(what, sizeof(what), "descriptor %u has length 0", i);
			return malformed(vm, q, what);
		}
		if (!hv_guest_mem_ptr(vm->guest, d.addr, d.len)) {
			hv_snprintf(what, sizeof(what), "descriptor %u's buffer 0x%lx+0x%x is not in the guest's RAM", i,
				    d.addr, d.len);
			return malformed(vm, q, what);
		}
		if (!(d.flags & VIRTQ_DESC_F_WRITE) && count > chain->readable) {
			hv_snprintf(what, sizeof(what), "descriptor %u is device-readable after a device-writable one", i);
			return malformed(vm, q, what);
		}
		seg = &chain->seg[count++];
		seg->gpa = d.addr;
		seg->len = d.len;
		seg->write = !!(d.flags & VIRTQ_DESC_F_WRITE);
		if (seg->write) {
			in += d.len;
		} else {
			out += d.len;
			chain->readable++;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		if (d.next >= vq->num) {
			hv_snprintf(what, sizeof(what), "descriptor %u's next is %u, past the table of %u", i, d.next, vq->num);
			return malformed(vm, q, what);
		}
		i = d.next;
	}
	/* The lengths are u32 in every request and reply format: a chain over 4 GiB is no request at all. */
	if (out > 0xffffffffUL || in > 0xffffffffUL) {
		hv_snprintf(what, sizeof(what), "the chain from descriptor %u holds more than 4 GiB", head);
		return malformed(vm, q, what);
	}
	chain->count = (u16)count;
	chain->out_len = (u32)out;
	chain->in_len = (u32)in;
	vq->last_avail++;
	return 1;
}

/* Copies between buf and the chain's readable (write = false) or writable buffers, from `off` into them. */
static u32 chain_copy(struct virtio_mmio *vm, const struct virtq_chain *chain, bool write, u32 off, void *buf, u32 len)
{
	u32 first = write ? chain->readable : 0;
	u32 last = write ? chain->count : chain->readable;
	u8 *p = buf;
	u32 done = 0;

	for (u32 n = first; n < last && done < len; n++) {
		const struct virtq_seg *seg = &chain->seg[n];
		u32 take;
		bool ok;

		if (off >= seg->len) {
			off -= seg->len;
			continue;
		}
		take = seg->len - off;
		if (take > len - done)
			take = len - done;
		ok = write ? hv_guest_mem_write(vm->guest, seg->gpa + off, p + done, take)
			   : hv_guest_mem_read(vm->guest, seg->gpa + off, p + done, take);
		if (!ok)
			break;		/* checked when the chain was taken: cannot happen */
		done += take;
		off = 0;
	}
	return done;
}

u32 virtq_read(struct virtio_mmio *vm, const struct virtq_chain *chain, u32 off, void *buf, u32 len)
{
	return chain_copy(vm, chain, false, off, buf, len);
}

u32 virtq_write(struct virtio_mmio *vm, const struct virtq_chain *chain, u32 off, const void *buf, u32 len)
{
	return chain_copy(vm, chain, true, off, (void *)buf, len);
}

void virtq_push(struct virtio_mmio *vm, u32 q, const struct virtq_chain *chain, u32 written)
{
	struct virtq *vq = &vm->vq[q];
	struct virtq_used_elem e = { .id = chain->head, .len = written };
	u16 flags = 0;
	u16 idx;

	if (!virtq_ready(vm, q))
		return;	/* reset or broken meanwhile: the driver will not look */
	if (!hv_guest_mem_write(vm->guest, vq->used + 4 + 8UL * (vq->used_idx % vq->num), &e, sizeof(e))) {
		ring_vanished(vm, q);
		return;
	}
	/* The element must be visible before the index that hands it over. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	idx = ++vq->used_idx;
	hv_guest_mem_write(vm->guest, vq->used + 2, &idx, sizeof(idx));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (read16(vm, vq->avail, &flags) && (flags & VIRTQ_AVAIL_F_NO_INTERRUPT))
		return;
	virtio_mmio_used_interrupt(vm);
}
