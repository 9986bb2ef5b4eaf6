// SPDX-License-Identifier: Apache-2.0
/*
 * virtio: a bare-metal virtio-mmio driver (MMU off, interrupts masked, a virtual GICv3) that checks the
 * hypervisor's transport on its virtio console at 0x0a000000 (examples/virtio-console):
 *
 *   1. the identity registers (magic, version 2, device ID 3);
 *   2. feature negotiation: FEATURES_OK refused without VIRTIO_F_VERSION_1 and for a feature not
 *      offered, accepted for VERSION_1 + EMERG_WRITE; reset by writing 0 to Status;
 *   3. queue setup: QueueNumMax of a queue that does not exist, ready read back;
 *   4. output through the transmit queue (a chain of two buffers), the used ring, the interrupt through
 *      the GIC (SPI 16, INTID 48) and its acknowledge, the config space and the emergency write;
 *   5. malformed requests, each of which must put the device into DEVICE_NEEDS_RESET without printing
 *      anything or touching memory, and a reset that brings it back: a buffer outside RAM, one that runs
 *      past the end of RAM, a chain that loops, a zero length, next and head indexes past the table, an
 *      available index too far ahead, a writable buffer before a readable one, rings outside RAM or
 *      running past its end (a canary at the end of RAM stays intact).
 *
 * Every result is printed (on the PL011) as "virtio: <what> = <value> ok"; a mismatch prints "ERROR".
 */
#include "guest.h"

#define VIO		0x0a000000UL
#define RAM_END		0x41000000UL	/* 16 MiB from 0x40000000 */
#define CANARY		(RAM_END - 0x20)

#define GICD		0x08000000UL
#define GICR		0x080a0000UL
#define VIO_INTID	48		/* SPI 16 */
#define INTID_SPURIOUS	1023

/* Registers. */
#define MAGIC		0x000
#define VERSION		0x004
#define DEVICE_ID	0x008
#define VENDOR_ID	0x00c
#define DEV_FEATURES	0x010
#define DEV_FEATURES_SEL 0x014
#define DRV_FEATURES	0x020
#define DRV_FEATURES_SEL 0x024
#define QUEUE_SEL	0x030
#define QUEUE_NUM_MAX	0x034
#define QUEUE_NUM	0x038
#define QUEUE_READY	0x044
#define QUEUE_NOTIFY	0x050
#define INT_STATUS	0x060
#define INT_ACK		0x064
#define STATUS		0x070
#define QUEUE_DESC	0x080
#define QUEUE_DRIVER	0x090
#define QUEUE_DEVICE	0x0a0
#define CONFIG		0x100

#define S_ACK		1
#define S_DRIVER	2
#define S_DRIVER_OK	4
#define S_FEATURES_OK	8
#define S_NEEDS_RESET	64

#define F_EMERG_WRITE	2
#define F_MULTIPORT	1

#define D_NEXT		1
#define D_WRITE		2

#define TXQ		1
#define QSIZE		8

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[QSIZE];
	uint16_t used_event;
};

struct used {
	uint16_t flags;
	uint16_t idx;
	struct {
		uint32_t id;
		uint32_t len;
	} ring[QSIZE];
	uint16_t avail_event;
};

static volatile struct desc desc[QSIZE] __attribute__((aligned(16)));
static volatile struct avail avail __attribute__((aligned(16)));
static volatile struct used used __attribute__((aligned(16)));
static uint16_t avail_idx;	/* what the driver has made available */
static int errors;

static inline void w32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint32_t r32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void w64(uint64_t addr, uint64_t v)
{
	*(volatile uint64_t *)addr = v;
}

static inline uint32_t vr(uint32_t off)
{
	return r32(VIO + off);
}

static inline void vw(uint32_t off, uint32_t v)
{
	w32(VIO + off, v);
}

#define msr(reg, v)	asm volatile("msr " #reg ", %0; isb" : : "r"((uint64_t)(v)) : "memory")
#define mrs(reg)	({ uint64_t __v; asm volatile("isb; mrs %0, " #reg : "=r"(__v) : : "memory"); __v; })

static void check(const char *what, uint64_t got, uint64_t want)
{
	puts("virtio: ");
	puts(what);
	puts(" = ");
	put_hex(got);
	if (got == want) {
		puts(" ok\n");
	} else {
		puts(" ERROR: expected ");
		put_hex(want);
		puts("\n");
		errors++;
	}
}

/* The pending interrupt, if any (interrupts stay masked; the GIC's CPU interface is polled). */
static uint64_t pending_irq(void)
{
	return mrs(S3_0_C12_C12_0) & 0xffffff;	/* ICC_IAR1_EL1 */
}

static void eoi(uint64_t intid)
{
	msr(S3_0_C12_C12_1, intid);	/* ICC_EOIR1_EL1 */
}

static void gic_init(void)
{
	w32(GICD + 0x0000, (1U << 4) | (1U << 1));	/* GICD_CTLR: ARE, EnableGrp1 */
	w32(GICR + 0x0014, r32(GICR + 0x0014) & ~2U);	/* GICR_WAKER */
	while (r32(GICR + 0x0014) & 4U)
		;
	msr(S3_0_C4_C6_0, 0xff);			/* ICC_PMR_EL1 */
	msr(S3_0_C12_C12_7, 1);				/* ICC_IGRPEN1_EL1 */
	w64(GICD + 0x6000 + VIO_INTID * 8, 0);		/* GICD_IROUTER: vCPU 0 */
	w32(GICD + 0x0100 + 4 * (VIO_INTID / 32), 1U << (VIO_INTID % 32));	/* GICD_ISENABLER */
}

static void set_features(uint64_t f)
{
	vw(DRV_FEATURES_SEL, 0);
	vw(DRV_FEATURES, (uint32_t)f);
	vw(DRV_FEATURES_SEL, 1);
	vw(DRV_FEATURES, (uint32_t)(f >> 32));
}

/* Resets the device and negotiates VERSION_1 + EMERG_WRITE. */
static void negotiate(void)
{
	vw(STATUS, 0);
	vw(STATUS, S_ACK | S_DRIVER);
	set_features(1UL << 32 | 1UL << F_EMERG_WRITE);
	vw(STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
}

static void queue_setup(uint32_t q, uint64_t d, uint64_t a, uint64_t u)
{
	vw(QUEUE_SEL, q);
	vw(QUEUE_NUM, QSIZE);
	vw(QUEUE_DESC, (uint32_t)d);
	vw(QUEUE_DESC + 4, (uint32_t)(d >> 32));
	vw(QUEUE_DRIVER, (uint32_t)a);
	vw(QUEUE_DRIVER + 4, (uint32_t)(a >> 32));
	vw(QUEUE_DEVICE, (uint32_t)u);
	vw(QUEUE_DEVICE + 4, (uint32_t)(u >> 32));
	vw(QUEUE_READY, 1);
}

/* A fresh device with the transmit queue on the static rings, DRIVER_OK. */
static void bring_up(void)
{
	negotiate();
	for (int i = 0; i < QSIZE; i++) {
		desc[i].addr = 0;
		desc[i].len = 0;
		desc[i].flags = 0;
		desc[i].next = 0;
	}
	avail.flags = 0;
	avail.idx = 0;
	used.flags = 0;
	used.idx = 0;
	avail_idx = 0;
	queue_setup(TXQ, (uint64_t)desc, (uint64_t)&avail, (uint64_t)&used);
	vw(STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

static uint32_t length(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Makes head available on the transmit queue and notifies. */
static void kick(uint16_t head)
{
	avail.ring[avail_idx % QSIZE] = head;
	asm volatile("dmb sy" ::: "memory");
	avail.idx = ++avail_idx;
	asm volatile("dmb sy" ::: "memory");
	vw(QUEUE_NOTIFY, TXQ);
}

static void send(const char *text)
{
	desc[0].addr = (uint64_t)text;
	desc[0].len = length(text);
	desc[0].flags = 0;
	kick(0);
}

/* After a malformed request: the device says it needs a reset, tells the driver, used nothing. */
static void expect_broken(const char *what, uint16_t used_before)
{
	puts("virtio: --- ");
	puts(what);
	puts("\n");
	check("status has DEVICE_NEEDS_RESET", vr(STATUS) & S_NEEDS_RESET, S_NEEDS_RESET);
	check("interrupt status has the config change bit", vr(INT_STATUS) & 2, 2);
	check("used index unchanged", used.idx, used_before);
	vw(INT_ACK, vr(INT_STATUS));
	vw(STATUS, 0);
	check("status after reset", vr(STATUS), 0);
	check("interrupt status after reset", vr(INT_STATUS), 0);
	bring_up();
}

static const char hello1[] = "hello ";
static const char hello2[] = "through the virtio transmit queue\n";
static const char never[] = "ERROR: this must never be printed\n";

int main(void)
{
	volatile uint64_t *canary = (volatile uint64_t *)CANARY;
	uint64_t intid;
	uint16_t before;

	puts("virtio: virtio-mmio transport test\n");
	canary[0] = 0x1122334455667788UL;
	canary[1] = 0x99aabbccddeeff00UL;
	canary[2] = 0x0123456789abcdefUL;
	canary[3] = 0xfedcba9876543210UL;
	gic_init();

	/* 1. Identity. */
	check("magic", vr(MAGIC), 0x74726976);
	check("version", vr(VERSION), 2);
	check("device ID", vr(DEVICE_ID), 3);
	check("vendor ID", vr(VENDOR_ID), 0x63637668);

	/* 2. Features. */
	vw(STATUS, 0);
	check("status after reset", vr(STATUS), 0);
	vw(STATUS, S_ACK | S_DRIVER);
	vw(DEV_FEATURES_SEL, 0);
	check("device features 0-31", vr(DEV_FEATURES), 1U << F_EMERG_WRITE);
	vw(DEV_FEATURES_SEL, 1);
	check("device features 32-63 (VERSION_1)", vr(DEV_FEATURES), 1);
	set_features(1UL << F_EMERG_WRITE);
	vw(STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	check("FEATURES_OK without VERSION_1 is refused", vr(STATUS) & S_FEATURES_OK, 0);
	vw(STATUS, 0);
	vw(STATUS, S_ACK | S_DRIVER);
	set_features(1UL << 32 | 1UL << F_MULTIPORT);
	vw(STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	check("FEATURES_OK with a feature not offered is refused", vr(STATUS) & S_FEATURES_OK, 0);
	negotiate();
	check("FEATURES_OK with VERSION_1 and EMERG_WRITE", vr(STATUS), S_ACK | S_DRIVER | S_FEATURES_OK);

	/* 3. Queues. */
	vw(QUEUE_SEL, 2);
	check("QueueNumMax of queue 2 (there is none)", vr(QUEUE_NUM_MAX), 0);
	vw(QUEUE_SEL, TXQ);
	check("QueueNumMax of the transmit queue at least 8", vr(QUEUE_NUM_MAX) >= QSIZE, 1);
	bring_up();
	vw(QUEUE_SEL, TXQ);
	check("transmit queue ready", vr(QUEUE_READY), 1);
	check("status DRIVER_OK", vr(STATUS), S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);

	/* 4. Output, used ring, interrupt. */
	check("nothing pending before", pending_irq(), INTID_SPURIOUS);
	desc[0].addr = (uint64_t)hello1;
	desc[0].len = length(hello1);
	desc[0].flags = D_NEXT;
	desc[0].next = 5;
	desc[5].addr = (uint64_t)hello2;
	desc[5].len = length(hello2);
	desc[5].flags = 0;
	kick(0);
	check("used index after one chain", used.idx, 1);
	check("used element id", used.ring[0].id, 0);
	check("used element length (nothing written)", used.ring[0].len, 0);
	check("interrupt status", vr(INT_STATUS), 1);
	intid = pending_irq();
	check("interrupt through the GIC", intid, VIO_INTID);
	vw(INT_ACK, 1);
	check("interrupt status after acknowledge", vr(INT_STATUS), 0);
	eoi(intid);
	check("nothing pending after acknowledge", pending_irq(), INTID_SPURIOUS);
	avail.flags = 1;	/* VIRTQ_AVAIL_F_NO_INTERRUPT */
	send("a line without an interrupt\n");
	check("no interrupt when the driver asks for none", vr(INT_STATUS), 0);
	avail.flags = 0;
	check("config max_nr_ports", vr(CONFIG + 4), 1);
	for (const char *p = "emergency write\n"; *p; p++)
		vw(CONFIG + 8, (uint8_t)*p);

	/* 5. Malformed requests. */
	before = used.idx;
	desc[0].addr = 0x80000000UL;
	desc[0].len = 16;
	desc[0].flags = 0;
	kick(0);
	expect_broken("a buffer outside the guest's RAM", before);
	send("working again after the reset\n");
	check("used index after the reset", used.idx, 1);

	before = used.idx;
	desc[0].addr = RAM_END - 8;
	desc[0].len = 16;
	desc[0].flags = 0;
	kick(0);
	expect_broken("a buffer running past the end of RAM", before);

	before = used.idx;
	desc[0].addr = (uint64_t)never;
	desc[0].len = 4;
	desc[0].flags = D_NEXT;
	desc[0].next = 1;
	desc[1].addr = (uint64_t)never;
	desc[1].len = 4;
	desc[1].flags = D_NEXT;
	desc[1].next = 0;
	kick(0);
	expect_broken("a chain that loops", before);

	before = used.idx;
	desc[0].addr = (uint64_t)never;
	desc[0].len = 0;
	desc[0].flags = 0;
	kick(0);
	expect_broken("a zero-length buffer", before);

	before = used.idx;
	desc[0].addr = (uint64_t)never;
	desc[0].len = length(never);
	desc[0].flags = D_NEXT;
	desc[0].next = QSIZE + 1;
	kick(0);
	expect_broken("a next index past the table", before);

	before = used.idx;
	kick(QSIZE + 4);
	expect_broken("a head index past the table", before);

	before = used.idx;
	desc[0].addr = (uint64_t)never;
	desc[0].len = length(never);
	desc[0].flags = 0;
	avail.ring[0] = 0;
	avail_idx += 2 * QSIZE;
	kick(0);
	expect_broken("an available index too far ahead", before);

	before = used.idx;
	desc[0].addr = (uint64_t)never;
	desc[0].len = 8;
	desc[0].flags = D_WRITE | D_NEXT;
	desc[0].next = 1;
	desc[1].addr = (uint64_t)never;
	desc[1].len = 8;
	desc[1].flags = 0;
	kick(0);
	expect_broken("a readable buffer after a writable one", before);

	before = used.idx;
	negotiate();
	queue_setup(TXQ, 0x80000000UL, (uint64_t)&avail, (uint64_t)&used);
	check("queue with its descriptor table outside RAM not ready", vr(QUEUE_READY), 0);
	expect_broken("a descriptor table outside the guest's RAM", before);

	before = used.idx;
	negotiate();
	queue_setup(TXQ, (uint64_t)desc, (uint64_t)&avail, CANARY);
	check("queue with its used ring past the end of RAM not ready", vr(QUEUE_READY), 0);
	expect_broken("a used ring running past the end of RAM", before);
	check("the canary at the end of RAM, word 0", canary[0], 0x1122334455667788UL);
	check("the canary at the end of RAM, word 3", canary[3], 0xfedcba9876543210UL);

	send("virtio: the device works after all of it\n");
	check("used index at the end", used.idx, 1);
	puts(errors ? "virtio: done, with ERRORs\n" : "virtio: done\n");
	return 0;
}

void secondary_main(void)
{
}
