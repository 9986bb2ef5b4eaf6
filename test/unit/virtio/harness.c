// SPDX-License-Identifier: Apache-2.0
/*
 * The virtio-mmio transport and the virtio console, compiled for the build machine with the core's real
 * guest-memory service (runtime/core/src/mem.c) and stand-ins for the rest of the core, driven the way a
 * guest drives them: register accesses, rings in its RAM, console input. Run under AddressSanitizer by
 * test/unit/virtio/transport.test.ts.
 *
 *   input   console input fills receive buffers one byte each, raises the interrupt, and is refused
 *           (flow control) without a buffer or before DRIVER_OK
 *   fuzz    random queue setups, descriptors, ring indexes, notifies, inputs and resets: the device never
 *           writes outside the guest's RAM (guard areas on both sides stay intact; AddressSanitizer sees
 *           every access to the hypervisor's own state), prints nothing while it needs a reset, and
 *           reports each breakage once
 *   blk     a virtio-blk device on an extent [1 MiB, 2 MiB) of a 4 MiB disk: random requests (types,
 *           sectors near the extent's ends and near 2^64, lengths, chain shapes) never reach the disk
 *           outside the extent, and a read-only extent is never written
 *
 * Prints "harness: <what> ok" lines and exits 0, or stops at the first failure with exit 1.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/emulator.h>
#include <virtio/mmio.h>
#include "../../../runtime/emulators/virtio-console/virtio-console.h"
#include "../../../runtime/emulators/virtio-blk/virtio-blk.h"
#include <params/virtio-blk-emulator.h>

extern const struct hv_emulator_ops virtio_console_emulator_ops;
extern const struct hv_emulator_ops virtio_blk_emulator_ops;

#define RAM_IPA		0x40000000UL
#define RAM_SIZE	(1UL << 20)
#define GUARD		(64UL << 10)
#define GUARD_BYTE	0xa5

static u8 *arena;	/* guard, RAM, guard */
#define RAM		(arena + GUARD)

static struct hv_mem_region region;
static struct hv_guest_config guest_config;
static struct hv_guest guest;
static struct hv_irq irq = { .id = 48, .flags = HV_IRQ_LEVEL_HIGH };
static struct virtio_console_state state;
static struct hv_device dev;
static struct hv_vcpu vcpu;

static bool irq_level;
static char output[1 << 16];
static size_t output_len;
static unsigned int log_lines;

/* --- the core, as far as the devices use it --- */

void hv_spin_lock(hv_spinlock_t *lock) { lock->owner = 1; }
void hv_spin_unlock(hv_spinlock_t *lock) { lock->owner = 0; }
void arch_guest_mem_sync(u64 pa, u64 size) { (void)pa; (void)size; }
struct hv_guest *hv_device_guest(const struct hv_device *d) { (void)d; return &guest; }
void hv_device_irq_set(const struct hv_device *d, u64 n, bool level) { if (d == &dev && n == 0) irq_level = level; }

void hv_vcpu_console_putc(struct hv_vcpu *v, char c)
{
	(void)v;
	if (output_len < sizeof(output))
		output[output_len++] = c;
}

int hv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static bool quiet;

void hv_log(const char *fmt, ...)
{
	va_list ap;

	log_lines++;
	if (quiet)
		return;
	va_start(ap, fmt);
	printf("[hv] ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

/* --- the guest's side --- */

static void fail(const char *what, unsigned long a, unsigned long b)
{
	printf("harness: FAILED: %s (0x%lx, 0x%lx)\n", what, a, b);
	exit(1);
}

#define expect(cond, what, a, b) do { if (!(cond)) fail(what, (unsigned long)(a), (unsigned long)(b)); } while (0)

static u32 reg_read(u32 off)
{
	struct hv_mmio_access a = { .offset = off, .size = 4, .write = false };

	expect(dev.ops->mmio(&vcpu, &dev, &a), "register read refused", off, 0);
	return (u32)a.value;
}

static void reg_write(u32 off, u32 v)
{
	struct hv_mmio_access a = { .offset = off, .size = 4, .write = true, .value = v };

	expect(dev.ops->mmio(&vcpu, &dev, &a), "register write refused", off, v);
}

static void *gpa(u64 addr) { return RAM + (addr - RAM_IPA); }

static void guards_intact(void)
{
	for (u64 i = 0; i < GUARD; i++) {
		expect(arena[i] == GUARD_BYTE, "the device wrote below the guest's RAM", i, arena[i]);
		expect(arena[GUARD + RAM_SIZE + i] == GUARD_BYTE, "the device wrote above the guest's RAM", i, 0);
	}
}

struct ring {
	u64 desc, avail, used;
	u32 num;
	u16 avail_idx;
};

static void queue_setup(u32 q, const struct ring *r)
{
	reg_write(0x030, q);
	reg_write(0x038, r->num);
	reg_write(0x080, (u32)r->desc);
	reg_write(0x084, (u32)(r->desc >> 32));
	reg_write(0x090, (u32)r->avail);
	reg_write(0x094, (u32)(r->avail >> 32));
	reg_write(0x0a0, (u32)r->used);
	reg_write(0x0a4, (u32)(r->used >> 32));
	reg_write(0x044, 1);
}

static void negotiate(void)
{
	reg_write(0x070, 0);
	reg_write(0x070, 3);
	reg_write(0x024, 1);
	reg_write(0x020, 1);	/* VERSION_1 */
	reg_write(0x024, 0);
	reg_write(0x020, 0);
	reg_write(0x070, 3 | 8);
}

static void desc_set(const struct ring *r, u32 i, u64 addr, u32 len, u16 flags, u16 next)
{
	u8 *d = gpa(r->desc + 16UL * i);

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* The guest may misalign its rings (the device refuses them): write them bytewise. */
static void avail_put(struct ring *r, u16 head)
{
	u8 *a = gpa(r->avail);
	u16 idx = ++r->avail_idx;

	memcpy(a + 4 + 2 * ((u16)(idx - 1) % r->num), &head, 2);
	memcpy(a + 2, &idx, 2);
}

static u16 used_idx(const struct ring *r)
{
	u16 v;

	memcpy(&v, (u8 *)gpa(r->used) + 2, 2);
	return v;
}

static u32 used_len(const struct ring *r, u16 n)
{
	u32 v;

	memcpy(&v, (u8 *)gpa(r->used) + 4 + 8 * (n % r->num) + 4, 4);
	return v;
}

static void reset_all(void)
{
	memset(arena, GUARD_BYTE, GUARD);
	memset(arena + GUARD + RAM_SIZE, GUARD_BYTE, GUARD);
	memset(RAM, 0, RAM_SIZE);
	output_len = 0;
	log_lines = 0;
	dev.ops->reset(&dev);
}

static void test_input(void)
{
	struct ring rx = { .desc = RAM_IPA, .avail = RAM_IPA + 0x1000, .used = RAM_IPA + 0x2000, .num = 8 };
	struct ring tx = { .desc = RAM_IPA + 0x3000, .avail = RAM_IPA + 0x4000, .used = RAM_IPA + 0x5000, .num = 8 };
	u8 *buf = gpa(RAM_IPA + 0x10000);

	reset_all();
	expect(!dev.ops->input(&dev, 'a'), "input taken before the driver is there", 0, 0);
	negotiate();
	queue_setup(0, &rx);
	queue_setup(1, &tx);
	desc_set(&rx, 0, RAM_IPA + 0x10000, 4, 2, 0);
	avail_put(&rx, 0);
	expect(!dev.ops->input(&dev, 'a'), "input taken before DRIVER_OK", 0, 0);
	reg_write(0x070, 3 | 8 | 4);
	desc_set(&rx, 1, RAM_IPA + 0x10010, 4, 2, 0);
	avail_put(&rx, 1);
	expect(dev.ops->input(&dev, 'x'), "first byte refused", 0, 0);
	expect(buf[0] == 'x' && buf[1] == 0, "first byte not in the first buffer", buf[0], buf[1]);
	expect(used_idx(&rx) == 1 && used_len(&rx, 0) == 1, "first buffer not returned with 1 byte", used_idx(&rx), used_len(&rx, 0));
	expect(irq_level && (reg_read(0x060) & 1), "no used-buffer interrupt", irq_level, reg_read(0x060));
	reg_write(0x064, 1);
	expect(!irq_level, "the line stays up after the acknowledge", 0, 0);
	expect(dev.ops->input(&dev, 'y'), "second byte refused", 0, 0);
	expect(buf[0x10] == 'y', "second byte not in the second buffer", buf[0x10], 0);
	expect(!dev.ops->input(&dev, 'z'), "a byte taken without a buffer", 0, 0);
	expect(used_idx(&rx) == 2, "used index", used_idx(&rx), 2);
	/* A byte refused stays with the caller, who offers it again once a buffer is there. */
	desc_set(&rx, 2, RAM_IPA + 0x10020, 1, 2, 0);
	avail_put(&rx, 2);
	expect(dev.ops->input(&dev, 'z') && buf[0x20] == 'z', "the byte offered again not taken", buf[0x20], 0);
	/* Output meanwhile, as a chain of two buffers. */
	memcpy(gpa(RAM_IPA + 0x20000), "hello ", 6);
	memcpy(gpa(RAM_IPA + 0x20100), "world\n", 6);
	desc_set(&tx, 0, RAM_IPA + 0x20000, 6, 1, 3);
	desc_set(&tx, 3, RAM_IPA + 0x20100, 6, 0, 0);
	avail_put(&tx, 0);
	reg_write(0x050, 1);
	expect(output_len == 12 && !memcmp(output, "hello world\n", 12), "output", output_len, 0);
	/* Broken: a receive buffer outside the guest's RAM is not written, and input stops. */
	desc_set(&rx, 3, RAM_IPA + RAM_SIZE - 2, 4, 2, 0);
	avail_put(&rx, 3);
	quiet = true;
	expect(!dev.ops->input(&dev, 'q'), "a byte taken into a buffer past the end of RAM", 0, 0);
	quiet = false;
	expect(reg_read(0x070) & 64, "not broken", reg_read(0x070), 0);
	expect(log_lines == 1, "one report", log_lines, 1);
	guards_intact();
	printf("harness: input ok\n");
}

/* xorshift64*: reproducible from the seed the test passes. */
static u64 rng;

static u64 rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dUL;
}

/* An address a hostile guest might give: inside RAM, near its edges, past them, or anywhere. */
static u64 any_address(void)
{
	switch (rnd() % 8) {
	case 0: return RAM_IPA - (rnd() % 64);
	case 1: return RAM_IPA + RAM_SIZE - (rnd() % 64);
	case 2: return RAM_IPA + RAM_SIZE + (rnd() % 64);
	case 3: return rnd();
	case 4: return RAM_IPA + (rnd() % RAM_SIZE) - (rnd() % 2 ? 0 : (1UL << 32));
	default: return RAM_IPA + (rnd() % RAM_SIZE);
	}
}

static u32 any_length(void)
{
	switch (rnd() % 6) {
	case 0: return 0;
	case 1: return (u32)rnd();
	case 2: return 0xffffffffu - (u32)(rnd() % 16);
	default: return (u32)(rnd() % 4096);
	}
}

static void test_fuzz(unsigned long rounds)
{
	unsigned long breakages = 0, chains = 0;

	quiet = true;
	for (unsigned long round = 0; round < rounds; round++) {
		struct ring r[2];
		unsigned int reports_before, steps = 1 + rnd() % 40;

		reset_all();
		negotiate();
		for (u32 q = 0; q < 2; q++) {
			bool sane = rnd() % 4 != 0;

			r[q].num = sane ? 1U << (rnd() % 9) : (u32)rnd() % 600;
			r[q].desc = sane ? RAM_IPA + 0x10000UL * (1 + q * 3) : any_address();
			r[q].avail = sane ? RAM_IPA + 0x10000UL * (2 + q * 3) : any_address();
			r[q].used = sane ? RAM_IPA + 0x10000UL * (3 + q * 3) : any_address();
			r[q].avail_idx = 0;
			queue_setup(q, &r[q]);
		}
		reg_write(0x070, 15);
		for (unsigned int s = 0; s < steps; s++) {
			u32 q = rnd() % 2;
			bool sane_ring = r[q].desc >= RAM_IPA && r[q].desc + 16UL * r[q].num <= RAM_IPA + RAM_SIZE &&
					 r[q].avail >= RAM_IPA && r[q].avail + 6 + 2UL * r[q].num <= RAM_IPA + RAM_SIZE &&
					 r[q].num && r[q].num <= 256;
			size_t out_before = output_len;
			bool broken_before = reg_read(0x070) & 64;

			reports_before = log_lines;
			if (sane_ring) {
				u32 n = 1 + rnd() % 4;

				for (u32 i = 0; i < n; i++)
					desc_set(&r[q], rnd() % r[q].num, any_address(), any_length(), rnd() % 8,
						 rnd() % 3 ? rnd() % r[q].num : (u16)rnd());
				if (rnd() % 16 == 0)
					r[q].avail_idx += (u16)rnd();
				avail_put(&r[q], rnd() % 8 ? rnd() % r[q].num : (u16)rnd());
			}
			switch (rnd() % 10) {
			case 0:
				dev.ops->input(&dev, (u8)rnd());
				break;
			case 1:
				reg_write(0x070, 0);	/* reset, then nothing works until set up again */
				break;
			case 2:
				reg_write(0x064, (u32)rnd());
				break;
			default:
				reg_write(0x050, q);
				chains++;
				break;
			}
			if (broken_before) {
				expect(output_len == out_before, "output while the device needs a reset", output_len, out_before);
				expect(log_lines == reports_before, "a broken device reported again", log_lines, reports_before);
			}
			expect(log_lines <= reports_before + 1, "two reports for one breakage", log_lines, reports_before);
		}
		if (reg_read(0x070) & 64)
			breakages++;
		guards_intact();
	}
	quiet = false;
	printf("harness: fuzz ok (%lu rounds, %lu notifications, %lu ended broken)\n", rounds, chains, breakages);
}

/* --- a disk of 4 MiB behind hv/block.h, which records every access --- */

#define DISK_SIZE	(4UL << 20)
#define EXTENT_START	(1UL << 20)
#define EXTENT_SIZE	(1UL << 20)

static u8 *disk_bytes;
static u64 disk_reads, disk_writes;
static bool extent_read_only;

static void in_extent(u64 offset, u64 len, const char *what)
{
	expect(offset >= EXTENT_START && len <= EXTENT_SIZE && offset - EXTENT_START <= EXTENT_SIZE - len, what, offset, len);
}

static u64 fake_capacity(const struct hv_host_device *d) { (void)d; return DISK_SIZE; }

static enum hv_block_status fake_read(const struct hv_host_device *d, u64 offset, void *buf, u64 len)
{
	(void)d;
	in_extent(offset, len, "a read outside the extent reached the disk");
	memcpy(buf, disk_bytes + offset, len);
	disk_reads++;
	return HV_BLOCK_OK;
}

static enum hv_block_status fake_write(const struct hv_host_device *d, u64 offset, const void *buf, u64 len)
{
	(void)d;
	in_extent(offset, len, "a write outside the extent reached the disk");
	expect(!extent_read_only, "a read-only extent was written", offset, len);
	memcpy(disk_bytes + offset, buf, len);
	disk_writes++;
	return HV_BLOCK_OK;
}

static enum hv_block_status fake_flush(const struct hv_host_device *d) { (void)d; return HV_BLOCK_OK; }

static const struct hv_block_ops fake_block = { fake_capacity, fake_read, fake_write, fake_flush };
static const struct hv_driver_ops fake_driver = { .name = "fake-disk", .service = &fake_block };
static const struct hv_host_device fake_disk = { .path = "/hypervisor/disk0", .ops = &fake_driver };
static struct virtio_blk_emulator_params blk_params = { .disk = &fake_disk, .start = EXTENT_START, .size = EXTENT_SIZE };
static struct virtio_blk_state blk_state;

/* A sector a hostile driver might ask for: around the extent's ends, around 2^64 / 512, or anything. */
static u64 any_sector(void)
{
	switch (rnd() % 6) {
	case 0: return EXTENT_SIZE / 512 - (rnd() % 4);
	case 1: return EXTENT_SIZE / 512 + (rnd() % 4);
	case 2: return ~0UL - (rnd() % 256);
	case 3: return (1UL << 55) + (rnd() % 4) - 2;	/* times 512 wraps around 0 */
	case 4: return rnd();
	default: return rnd() % (EXTENT_SIZE / 512);
	}
}

static void test_blk(unsigned long rounds)
{
	struct ring r = { .desc = RAM_IPA, .avail = RAM_IPA + 0x1000, .used = RAM_IPA + 0x2000, .num = 64 };
	unsigned long requests = 0;

	disk_bytes = calloc(1, DISK_SIZE);
	dev = (struct hv_device){ .path = "/guests/t/virtio@a000000", .ops = &virtio_blk_emulator_ops, .state = &blk_state,
				  .params = &blk_params, .irq_count = 1, .irqs = &irq };
	quiet = true;
	for (unsigned long round = 0; round < rounds; round++) {
		extent_read_only = rnd() % 4 == 0;
		blk_params.read_only = extent_read_only;
		reset_all();
		negotiate();
		queue_setup(0, &r);
		r.avail_idx = 0;
		reg_write(0x070, 15);
		for (int k = 0; k < 8; k++) {
			u64 header = RAM_IPA + 0x10000;
			u32 types[] = { 0, 1, 4, 8, (u32)rnd() };
			u32 type = types[rnd() % 5];
			u64 sector = any_sector();
			u32 data = rnd() % 3 ? (u32)(rnd() % 8 + 1) * 512 : (u32)(rnd() % 70000);
			u16 n = 0;
			bool split = rnd() % 2;

			memcpy(gpa(header), &type, 4);
			memset(gpa(header + 4), 0, 4);
			memcpy(gpa(header + 8), &sector, 8);
			/* Header (maybe with the data in the same buffer), data in one or two buffers, status. */
			if (rnd() % 4 == 0 && type == 1) {
				desc_set(&r, n, header, 16 + data, 1, n + 1);
				n++;
			} else {
				desc_set(&r, n, header, 16, 1, n + 1);
				n++;
				if (data && split && data > 1) {
					desc_set(&r, n, RAM_IPA + 0x20000, data / 2, (type == 1 ? 0 : 2) | 1, n + 1);
					n++;
					desc_set(&r, n, RAM_IPA + 0x40000, data - data / 2, (type == 1 ? 0 : 2) | 1, n + 1);
					n++;
				} else if (data) {
					desc_set(&r, n, RAM_IPA + 0x20000, data, (type == 1 ? 0 : 2) | 1, n + 1);
					n++;
				}
			}
			desc_set(&r, n, RAM_IPA + 0x80000, 1, 2, 0);
			avail_put(&r, 0);
			reg_write(0x050, 0);
			requests++;
			if (reg_read(0x070) & 64)
				break;	/* a chain that is no request: the device waits for a reset */
		}
		guards_intact();
	}
	quiet = false;
	printf("harness: blk ok (%lu rounds, %lu requests, %lu reads and %lu writes reached the disk, all inside the extent)\n",
	       rounds, requests, disk_reads, disk_writes);
	free(disk_bytes);
}

int main(int argc, char **argv)
{
	rng = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	if (!rng)
		rng = 1;
	arena = malloc(RAM_SIZE + 2 * GUARD);
	region = (struct hv_mem_region){ .ipa = RAM_IPA, .pa = (u64)(uintptr_t)RAM, .size = RAM_SIZE, .flags = HV_MEM_RAM };
	guest_config = (struct hv_guest_config){ .name = "t", .mem_count = 1, .mem = &region, .device_count = 1, .devices = &dev };
	guest.cfg = &guest_config;
	vcpu.guest = &guest;
	dev = (struct hv_device){ .path = "/guests/t/virtio@a000000", .ops = &virtio_console_emulator_ops, .state = &state,
				  .irq_count = 1, .irqs = &irq };
	test_input();
	test_fuzz(argc > 2 ? strtoul(argv[2], NULL, 0) : 2000);
	test_blk(argc > 2 ? strtoul(argv[2], NULL, 0) : 2000);
	free(arena);
	return 0;
}
