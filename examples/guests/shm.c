// SPDX-License-Identifier: Apache-2.0
/*
 * shm-producer / shm-consumer (examples/shared-memory): two guests share a 64 KiB region at IPA 0x50000000,
 * the producer read-write, the consumer read-only, each with a doorbell at 0x50100000 whose interrupt is
 * SPI 20 (INTID 52).
 *
 * The producer writes MESSAGES messages into the ring in the region, each followed by a ring of the
 * consumer's doorbell, then waits for the consumer's doorbell to ring back. The consumer waits for its
 * doorbell, prints every message that arrived, and rings back when it has them all; last, it tries to write
 * the region, which it may only read: the hypervisor stops it.
 *
 * Both run with their MMU off, so their accesses to the region go to memory, not to a cache: the consumer
 * sees what the producer wrote once the producer's barrier has passed.
 */
#include "guest.h"
#include "gic.h"

#define SHM		0x50000000UL
#define BELL		0x50100000UL
#define BELL_INTID	52
#define MESSAGES	5

#define DB_ID		0x000
#define DB_TARGETS	0x004
#define DB_RING		0x008
#define DB_PENDING	0x00c
#define DB_ACK		0x010
#define DB_RINGS	0x014

/* The region: a header, then the messages, 64 bytes each. */
struct ring {
	uint32_t magic;
	uint32_t written;	/* messages complete */
	uint32_t pad[14];
	char msg[MESSAGES][64];
};

#define RING_MAGIC	0x73686d31	/* "shm1" */

static volatile struct ring *const ring = (volatile struct ring *)SHM;

static void __attribute__((unused)) delay_ms(uint64_t ms)
{
	uint64_t freq = mrs(cntfrq_el0), start = mrs(cntvct_el0);

	while (mrs(cntvct_el0) - start < freq / 1000 * ms)
		;
}

/* Takes the doorbell's interrupt: returns who rang (PENDING), acknowledged. */
static uint32_t wait_bell(void)
{
	uint64_t intid = gic_wait();
	uint32_t pending = mmio_r32(BELL + DB_PENDING);

	mmio_w32(BELL + DB_ACK, pending);
	gic_eoi(intid);
	if (intid != BELL_INTID) {
		puts("shm: ERROR: interrupt ");
		put_dec(intid);
		puts(", not the doorbell's\n");
	}
	return pending;
}

#ifdef PRODUCER
int main(void)
{
	static const char text[] = "message N from the producer";

	puts("producer: doorbell ID ");
	put_hex(mmio_r32(BELL + DB_ID));
	puts(", targets ");
	put_dec(mmio_r32(BELL + DB_TARGETS));
	puts("\n");
	gic_init(BELL_INTID);
	ring->written = 0;
	ring->magic = RING_MAGIC;
	for (uint32_t i = 0; i < MESSAGES; i++) {
		for (uint32_t c = 0; c < sizeof(text); c++)
			ring->msg[i][c] = text[c] == 'N' ? (char)('1' + i) : text[c];
		asm volatile("dmb sy" ::: "memory");
		ring->written = i + 1;
		asm volatile("dmb sy" ::: "memory");
		mmio_w32(BELL + DB_RING, 0);
		puts("producer: wrote message ");
		put_dec(i + 1);
		puts(" and rang the consumer\n");
		delay_ms(20);
	}
	puts("producer: waiting for the consumer\n");
	puts(wait_bell() == 1 ? "producer: the consumer rang back: it has them all\n" : "producer: ERROR: rung by someone else\n");
	return 0;
}
#else
int main(void)
{
	uint32_t seen = 0, bells = 0;

	gic_init(BELL_INTID);
	puts("consumer: waiting for the producer's doorbell\n");
	while (seen < MESSAGES) {
		uint32_t pending = wait_bell(), written;

		bells++;
		if (pending != 1)
			puts("consumer: ERROR: PENDING is not the producer's bit\n");
		if (ring->magic != RING_MAGIC)
			continue;
		written = ring->written;
		asm volatile("dmb sy" ::: "memory");
		for (; seen < written && seen < MESSAGES; seen++) {
			char line[64];

			for (int c = 0; c < 64; c++)
				line[c] = ring->msg[seen][c];
			line[63] = 0;
			puts("consumer: read \"");
			puts(line);
			puts("\"\n");
		}
	}
	puts("consumer: ");
	put_dec(seen);
	puts(" messages after ");
	put_dec(bells);
	puts(" doorbell interrupt(s); ringing the producer back\n");
	mmio_w32(BELL + DB_RING, 0);
	puts("consumer: now writing the region, which it may only read\n");
	ring->written = 0;
	puts("consumer: ERROR: the write to read-only shared memory went through\n");
	return 0;
}
#endif

void secondary_main(void)
{
}
