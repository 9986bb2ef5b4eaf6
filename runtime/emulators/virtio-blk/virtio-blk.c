// SPDX-License-Identifier: Apache-2.0
/*
 * A guest's virtio block device (VirtIO 1.2, 5.2) on the virtio-mmio transport, backed by an extent of a
 * disk the hypervisor drives (hv/block.h).
 *
 * The guest sees its extent as a whole disk of `size` bytes. A request is a chain: a 16-byte header (type,
 * sector) in readable buffers, the data, and a status byte, the last writable byte. Before anything reaches
 * the disk the request's range is checked against the extent, as sectors and bytes that cannot wrap
 * whatever the guest wrote: sector <= size / 512 and length <= size - sector * 512. Only then is the disk
 * offset start + sector * 512 formed. A request outside its extent, a write to a read-only extent, or data
 * that is not whole sectors gets VIRTIO_BLK_S_IOERR and touches nothing. A chain without room for the
 * header and the status is not a request at all, and breaks the device (DEVICE_NEEDS_RESET).
 *
 * Data goes through this device's own bounce buffer, a piece at a time, so the disk's DMA only ever sees
 * hypervisor memory and a guest's buffers are only reached through the checked chain.
 *
 * Requests are done when the guest notifies, on its vCPU, one after the other; the disk's driver polls its
 * device, so a guest waits in its notify as long as the disk takes.
 */
#include <hv/emulator.h>
#include <params/virtio-blk-emulator.h>
#include "virtio-blk.h"

#define VIRTIO_BLK_F_SEG_MAX	2
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_BLK_SIZE	6
#define VIRTIO_BLK_F_FLUSH	9

#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_T_GET_ID	8

#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2

#define SECTOR			512UL
#define HEADER_SIZE		16
#define ID_BYTES		20

/* Config space (struct virtio_blk_config) up to blk_size: capacity, size_max, seg_max, geometry, blk_size. */
#define CONFIG_SIZE		24

struct blk_header {
	u32 type;
	u32 reserved;
	u64 sector;
};

static struct virtio_blk_state *state_of(struct virtio_mmio *vm)
{
	return container_of(vm, struct virtio_blk_state, vm);
}

static const struct virtio_blk_emulator_params *params_of(struct virtio_mmio *vm)
{
	return vm->dev->params;
}

static u64 blk_config_read(struct virtio_mmio *vm, u32 off, u32 size)
{
	const struct virtio_blk_emulator_params *p = params_of(vm);
	u8 config[CONFIG_SIZE] = { 0 };
	u64 capacity = p->size / SECTOR;
	u32 seg_max = VIRTIO_QUEUE_SIZE - 2;	/* header and status take one each */
	u32 blk_size = SECTOR;
	u64 v = 0;

	memcpy(&config[0], &capacity, 8);
	memcpy(&config[12], &seg_max, 4);
	memcpy(&config[20], &blk_size, 4);
	for (u32 i = 0; i < size; i++)
		v |= (u64)config[off + i] << (8 * i);
	return v;
}

/*
 * The disk bytes [sector * 512, + len) of the extent, or false when they are not inside it. No sum here can
 * wrap: sector and len are the guest's.
 */
static bool extent_range(const struct virtio_blk_emulator_params *p, u64 sector, u64 len, u64 *offset)
{
	if (sector > p->size / SECTOR || len > p->size - sector * SECTOR || len % SECTOR)
		return false;
	*offset = p->start + sector * SECTOR;
	return true;
}

/* Reads len bytes of the disk at offset into the chain's writable buffers. */
static u8 do_read(struct virtio_blk_state *s, u64 offset, u32 len)
{
	const struct hv_block_ops *disk = hv_block(params_of(&s->vm)->disk);

	for (u32 done = 0; done < len;) {
		u32 n = len - done < VIRTIO_BLK_BOUNCE ? len - done : VIRTIO_BLK_BOUNCE;

		if (!disk || disk->read(params_of(&s->vm)->disk, offset + done, s->bounce, n) != HV_BLOCK_OK)
			return VIRTIO_BLK_S_IOERR;
		virtq_write(&s->vm, &s->chain, done, s->bounce, n);
		done += n;
	}
	s->reads++;
	s->bytes_read += len;
	return VIRTIO_BLK_S_OK;
}

/* Writes len bytes from the chain's readable buffers, after the header, to the disk at offset. */
static u8 do_write(struct virtio_blk_state *s, u64 offset, u32 len)
{
	const struct hv_block_ops *disk = hv_block(params_of(&s->vm)->disk);

	for (u32 done = 0; done < len;) {
		u32 n = len - done < VIRTIO_BLK_BOUNCE ? len - done : VIRTIO_BLK_BOUNCE;

		virtq_read(&s->vm, &s->chain, HEADER_SIZE + done, s->bounce, n);
		if (!disk || disk->write(params_of(&s->vm)->disk, offset + done, s->bounce, n) != HV_BLOCK_OK)
			return VIRTIO_BLK_S_IOERR;
		done += n;
	}
	s->writes++;
	s->bytes_written += len;
	return VIRTIO_BLK_S_OK;
}

/* One request; returns the bytes written into its writable buffers (data and status). */
static u32 handle(struct virtio_blk_state *s)
{
	const struct virtio_blk_emulator_params *p = params_of(&s->vm);
	struct virtq_chain *c = &s->chain;
	struct blk_header h;
	u32 data_in = c->in_len - 1;		/* writable bytes before the status */
	u32 data_out = c->out_len - HEADER_SIZE;	/* readable bytes after the header */
	u32 written = 0;
	u64 offset;
	u8 status;

	virtq_read(&s->vm, c, 0, &h, sizeof(h));
	switch (h.type) {
	case VIRTIO_BLK_T_IN:
		if (!extent_range(p, h.sector, data_in, &offset)) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		status = do_read(s, offset, data_in);
		if (status == VIRTIO_BLK_S_OK)
			written = data_in;
		break;
	case VIRTIO_BLK_T_OUT:
		if (p->read_only || !extent_range(p, h.sector, data_out, &offset)) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		status = do_write(s, offset, data_out);
		break;
	case VIRTIO_BLK_T_FLUSH: {
		const struct hv_block_ops *disk = hv_block(p->disk);

		status = disk && disk->flush(p->disk) == HV_BLOCK_OK ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
		s->flushes++;
		break;
	}
	case VIRTIO_BLK_T_GET_ID: {
		char id[ID_BYTES] = { 0 };

		/* The extent's first sector on its disk: stable, and different for every extent of a disk. */
		hv_snprintf(id, sizeof(id), "hvcc-%lx", p->start / SECTOR);
		written = virtq_write(&s->vm, c, 0, id, data_in < ID_BYTES ? data_in : ID_BYTES);
		status = VIRTIO_BLK_S_OK;
		break;
	}
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	if (status == VIRTIO_BLK_S_IOERR)
		s->refused++;
	virtq_write(&s->vm, c, data_in, &status, 1);
	return written + 1;
}

static void blk_notify(struct virtio_mmio *vm, struct hv_vcpu *vcpu, u32 q)
{
	struct virtio_blk_state *s = state_of(vm);

	(void)vcpu;
	(void)q;	/* one queue */
	while (virtq_pop(vm, 0, &s->chain) == 1) {
		if (s->chain.out_len < HEADER_SIZE || s->chain.in_len < 1) {
			virtio_mmio_fail(vm, "queue 0: a request without a 16-byte header or a status byte");
			return;
		}
		virtq_push(vm, 0, &s->chain, handle(s));
	}
}

static const struct virtio_mmio_device blk_device = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.features = BIT(VIRTIO_BLK_F_SEG_MAX) | BIT(VIRTIO_BLK_F_BLK_SIZE) | BIT(VIRTIO_BLK_F_FLUSH),
	.queue_count = 1,
	.config_size = CONFIG_SIZE,
	.config_read = blk_config_read,
	.notify = blk_notify,
};

static const struct virtio_mmio_device blk_device_ro = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.features = BIT(VIRTIO_BLK_F_SEG_MAX) | BIT(VIRTIO_BLK_F_BLK_SIZE) | BIT(VIRTIO_BLK_F_FLUSH) | BIT(VIRTIO_BLK_F_RO),
	.queue_count = 1,
	.config_size = CONFIG_SIZE,
	.config_read = blk_config_read,
	.notify = blk_notify,
};

static void virtio_blk_reset(const struct hv_device *dev)
{
	struct virtio_blk_state *s = dev->state;
	const struct virtio_blk_emulator_params *p = dev->params;

	virtio_mmio_reset(&s->vm, dev, p->read_only ? &blk_device_ro : &blk_device);
}

static bool virtio_blk_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *access)
{
	struct virtio_blk_state *s = dev->state;

	return virtio_mmio_access(&s->vm, vcpu, access);
}

static void virtio_blk_stats(const struct hv_device *dev, char *buf, size_t size)
{
	struct virtio_blk_state *s = dev->state;
	u64 requests = s->reads + s->writes + s->flushes;

	hv_snprintf(buf, size, "virtio-blk: %lu reads (%lu bytes), %lu writes (%lu bytes), %lu flushes, %lu refused; %lu register accesses, %lu notifications, %lu interrupts (%lu.%02lu accesses per request)",
		    s->reads, s->bytes_read, s->writes, s->bytes_written, s->flushes, s->refused, s->vm.accesses,
		    s->vm.notifications, s->vm.interrupts, requests ? s->vm.accesses / requests : 0,
		    requests ? s->vm.accesses * 100 / requests % 100 : 0);
}

const struct hv_emulator_ops virtio_blk_emulator_ops = {
	.name = "virtio-blk",
	.reset = virtio_blk_reset,
	.mmio = virtio_blk_mmio,
	.stats = virtio_blk_stats,
};
