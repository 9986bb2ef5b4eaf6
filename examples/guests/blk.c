// SPDX-License-Identifier: Apache-2.0
/*
 * blk-owner, blk-attacker, blk-reader (examples/virtio-blk): bare-metal drivers of a virtio block device at
 * 0x0a000000 (polled, no interrupt controller), each given an extent of the board's disk.
 *
 *   owner     finds in its first sector how many times it booted before (a record it wrote itself), writes
 *             the next record and 64 KiB that depend on the boot number, flushes, reads them back;
 *   attacker  asks for everything outside its extent (the sector just past it, a range straddling its
 *             end, sectors whose byte offset wraps, a sector number near 2^64, a write past it, data that
 *             is not whole sectors), each of which must fail; an unknown request type; a request without a
 *             status byte, which breaks the device until a reset; then writes its own extent;
 *   reader    reads its read-only extent and prints a checksum, and fails to write it.
 *
 * Results are printed as "blk: <what> = <value> ok"; a mismatch prints "ERROR".
 */
#include "guest.h"

#define VIO		0x0a000000UL

#define MAGIC		0x000
#define VERSION		0x004
#define DEVICE_ID	0x008
#define DEV_FEATURES	0x010
#define DEV_FEATURES_SEL 0x014
#define DRV_FEATURES	0x020
#define DRV_FEATURES_SEL 0x024
#define QUEUE_SEL	0x030
#define QUEUE_NUM	0x038
#define QUEUE_READY	0x044
#define QUEUE_NOTIFY	0x050
#define STATUS		0x070
#define QUEUE_DESC	0x080
#define QUEUE_DRIVER	0x090
#define QUEUE_DEVICE	0x0a0
#define CONFIG		0x100

#define F_RO		5
#define F_FLUSH		9

#define T_IN		0
#define T_OUT		1
#define T_FLUSH		4
#define T_GET_ID	8
#define T_BOGUS		0x77

#define S_OK		0
#define S_IOERR		1
#define S_UNSUPP	2
#define S_NONE		0xee	/* not written by the device */

#define D_NEXT		1
#define D_WRITE		2

#define QSIZE		8
#define SECTOR		512UL
#define BUF		(64UL << 10)

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static volatile struct desc desc[QSIZE] __attribute__((aligned(16)));
static volatile struct { uint16_t flags, idx, ring[QSIZE], event; } avail __attribute__((aligned(16)));
static volatile struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[QSIZE]; uint16_t event; } used __attribute__((aligned(16)));
static uint16_t next_avail;
static volatile struct { uint32_t type, reserved; uint64_t sector; } header __attribute__((aligned(16)));
static volatile uint8_t status;
static uint8_t buf[BUF] __attribute__((aligned(16)));
static int errors;

static inline uint32_t vr(uint32_t off) { return *(volatile uint32_t *)(VIO + off); }
static inline void vw(uint32_t off, uint32_t v) { *(volatile uint32_t *)(VIO + off) = v; }

static void check(const char *what, uint64_t got, uint64_t want)
{
	puts("blk: ");
	puts(what);
	puts(" = ");
	put_hex(got);
	if (got == want) {
		puts(" ok\n");
		return;
	}
	puts(" ERROR: expected ");
	put_hex(want);
	puts("\n");
	errors++;
}

static void setup(void)
{
	vw(STATUS, 0);
	vw(STATUS, 1 | 2);
	vw(DRV_FEATURES_SEL, 1);
	vw(DRV_FEATURES, 1);	/* VERSION_1 */
	vw(DRV_FEATURES_SEL, 0);
	vw(DEV_FEATURES_SEL, 0);
	vw(DRV_FEATURES, vr(DEV_FEATURES) & (1U << F_RO | 1U << F_FLUSH));
	vw(STATUS, 1 | 2 | 8);
	/* The rings are the driver's to set up before the queue is ready. */
	next_avail = 0;
	avail.idx = 0;
	used.idx = 0;
	vw(QUEUE_SEL, 0);
	vw(QUEUE_NUM, QSIZE);
	vw(QUEUE_DESC, (uint32_t)(uint64_t)desc);
	vw(QUEUE_DRIVER, (uint32_t)(uint64_t)&avail);
	vw(QUEUE_DEVICE, (uint32_t)(uint64_t)&used);
	vw(QUEUE_READY, 1);
	vw(STATUS, 1 | 2 | 8 | 4);
}

/* One request of `type` at `sector` with `len` bytes of data in buf; the status the device wrote. */
static uint8_t request(uint32_t type, uint64_t sector, uint32_t len, int with_status)
{
	uint16_t n = 0;

	header.type = type;
	header.reserved = 0;
	header.sector = sector;
	status = S_NONE;
	desc[0].addr = (uint64_t)&header;
	desc[0].len = sizeof(header);
	desc[0].flags = D_NEXT;
	desc[0].next = 1;
	n = 1;
	if (len) {
		desc[1].addr = (uint64_t)buf;
		desc[1].len = len;
		desc[1].flags = (type == T_IN || type == T_GET_ID ? D_WRITE : 0) | (with_status ? D_NEXT : 0);
		desc[1].next = 2;
		n = 2;
	}
	if (with_status) {
		desc[n - 1].flags |= D_NEXT;
		desc[n - 1].next = n;
		desc[n].addr = (uint64_t)&status;
		desc[n].len = 1;
		desc[n].flags = D_WRITE;
	} else {
		desc[n - 1].flags &= (uint16_t)~D_NEXT;
	}
	avail.ring[next_avail % QSIZE] = 0;
	asm volatile("dmb sy" ::: "memory");
	avail.idx = ++next_avail;
	asm volatile("dmb sy" ::: "memory");
	vw(QUEUE_NOTIFY, 0);
	return status;
}

static uint64_t capacity(void)
{
	return (uint64_t)vr(CONFIG + 4) << 32 | vr(CONFIG);
}

static void __attribute__((unused)) fill(uint8_t seed)
{
	for (uint64_t i = 0; i < BUF; i++)
		buf[i] = (uint8_t)(seed + i * 7 + (i >> 9));
}

static int __attribute__((unused)) matches(uint8_t seed)
{
	for (uint64_t i = 0; i < BUF; i++)
		if (buf[i] != (uint8_t)(seed + i * 7 + (i >> 9)))
			return 0;
	return 1;
}

#if defined(BLK_OWNER)
static const char record[] = "hvcc-disk-test boot ";

int main(void)
{
	uint64_t boot = 1;
	int found = 1;

	setup();
	check("capacity (sectors of a 1 MiB extent)", capacity(), 2048);
	check("read-only not offered", (vr(DEV_FEATURES) >> F_RO) & 1, 0);
	check("read the first sector", request(T_IN, 0, SECTOR, 1), S_OK);
	for (unsigned int i = 0; i < sizeof(record) - 1; i++)
		if (buf[i] != (uint8_t)record[i])
			found = 0;
	if (found) {
		boot = buf[sizeof(record) - 1] - '0' + 1;
		puts("blk: found the record of boot ");
		put_dec(boot - 1);
		puts(" on the disk\n");
		check("the data of that boot, read back", request(T_IN, 8, BUF, 1) == S_OK && matches((uint8_t)(boot - 1)), 1);
	} else {
		puts("blk: no record on the disk: the first boot\n");
	}
	fill((uint8_t)boot);
	check("write 64 KiB at sector 8", request(T_OUT, 8, BUF, 1), S_OK);
	for (unsigned int i = 0; i < SECTOR; i++)
		buf[i] = i < sizeof(record) - 1 ? (uint8_t)record[i] : i == sizeof(record) - 1 ? (uint8_t)('0' + boot) : 0;
	check("write the record of this boot", request(T_OUT, 0, SECTOR, 1), S_OK);
	check("flush", request(T_FLUSH, 0, 0, 1), S_OK);
	for (uint64_t i = 0; i < BUF; i++)
		buf[i] = 0;
	check("read back", request(T_IN, 8, BUF, 1) == S_OK && matches((uint8_t)boot), 1);
	puts("blk: this was boot ");
	put_dec(boot);
	puts(errors ? "; done, with ERRORs\n" : "; done\n");
	return 0;
}
#elif defined(BLK_ATTACKER)
int main(void)
{
	uint64_t cap;

	setup();
	cap = capacity();
	check("capacity (sectors of a 1 MiB extent)", cap, 2048);
	check("read the sector just past the extent", request(T_IN, cap, SECTOR, 1), S_IOERR);
	check("read two sectors straddling its end", request(T_IN, cap - 1, 2 * SECTOR, 1), S_IOERR);
	check("read sector 2^55 (its byte offset wraps to 0)", request(T_IN, 1UL << 55, SECTOR, 1), S_IOERR);
	check("read sector 2^64 - 1", request(T_IN, ~0UL, SECTOR, 1), S_IOERR);
	check("read 64 KiB at sector 2^64 - 64", request(T_IN, ~0UL - 63, BUF, 1), S_IOERR);
	fill(0x5a);
	check("write the sector just past the extent", request(T_OUT, cap, SECTOR, 1), S_IOERR);
	check("write 64 KiB from the extent's last sector", request(T_OUT, cap - 1, BUF, 1), S_IOERR);
	check("write sector 2^55 (wraps to 0)", request(T_OUT, 1UL << 55, SECTOR, 1), S_IOERR);
	check("write 100 bytes (not whole sectors)", request(T_OUT, 0, 100, 1), S_IOERR);
	check("an unknown request type", request(T_BOGUS, 0, SECTOR, 1), S_UNSUPP);
	check("get the device ID", request(T_GET_ID, 0, 20, 1), S_OK);
	puts("blk: device ID \"");
	buf[19] = 0;
	puts((const char *)buf);
	puts("\"\n");
	request(T_OUT, 0, SECTOR, 0);
	check("a request without a status byte breaks the device", vr(STATUS) & 64, 64);
	setup();
	for (uint64_t i = 0; i < BUF; i++)
		buf[i] = 0xa5;
	check("after a reset, write its own extent's first 64 KiB", request(T_OUT, 0, BUF, 1), S_OK);
	check("and its last sector", request(T_OUT, cap - 1, SECTOR, 1), S_OK);
	puts(errors ? "blk: done, with ERRORs\n" : "blk: done\n");
	return 0;
}
#else
int main(void)
{
	uint64_t sum = 0;

	setup();
	check("capacity (sectors of a 1 MiB extent)", capacity(), 2048);
	check("read-only offered", (vr(DEV_FEATURES) >> F_RO) & 1, 1);
	for (uint64_t sector = 0; sector < 2048; sector += BUF / SECTOR) {
		if (request(T_IN, sector, BUF, 1) != S_OK) {
			check("read", 1, 0);
			break;
		}
		for (uint64_t i = 0; i < BUF; i++)
			sum = sum * 31 + buf[i];
	}
	puts("blk: checksum of the extent ");
	put_hex(sum);
	puts("\n");
	check("write to the read-only extent", request(T_OUT, 0, SECTOR, 1), S_IOERR);
	puts(errors ? "blk: done, with ERRORs\n" : "blk: done\n");
	return 0;
}
#endif

void secondary_main(void)
{
}
