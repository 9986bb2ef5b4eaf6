// SPDX-License-Identifier: Apache-2.0
/*
 * vcon: a guest whose only console is a virtio console at VIRTIO_BASE (no UART, no interrupt controller):
 * it negotiates VIRTIO_F_VERSION_1, sets up the transmit queue and prints its lines through it, 50 ms
 * apart, polling the used ring, then powers off. Its output must appear on the host console prefixed with
 * its name, a line at a time, exactly as a PL011 guest's does.
 */
#include "guest.h"

#define VIO		VIRTIO_BASE
#define QSIZE		4
#define LINES		6

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

static inline void vw(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(VIO + off) = v;
}

static inline uint32_t vr(uint32_t off)
{
	return *(volatile uint32_t *)(VIO + off);
}

static void vcon_write(const char *s, uint32_t len)
{
	desc[0].addr = (uint64_t)s;
	desc[0].len = len;
	desc[0].flags = 0;
	avail.ring[next_avail % QSIZE] = 0;
	__sync_synchronize();	/* the descriptor before the index that makes it available */
	avail.idx = ++next_avail;
	__sync_synchronize();	/* and the index before the notification */
	vw(0x050, 1);
	while (used.idx != next_avail)
		;
}

static void vcon_puts(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	vcon_write(s, n);
}

static void delay_ms(uint64_t ms)
{
	uint64_t start = counter_read();

	while (counter_read() - start < counter_freq() / 1000 * ms)
		;
}

int main(void)
{
	static char line[] = "vcon: line N of 6 through the virtio console\n";

	if (vr(0x000) != 0x74726976 || vr(0x004) != 2 || vr(0x008) != 3)
		system_off();	/* no virtio console here: nothing to say it on */
	vw(0x070, 0);
	vw(0x070, 1 | 2);
	vw(0x024, 1);
	vw(0x020, 1);		/* VIRTIO_F_VERSION_1 */
	vw(0x070, 1 | 2 | 8);
	vw(0x030, 1);		/* the transmit queue */
	vw(0x038, QSIZE);
	vw(0x080, (uint32_t)(uint64_t)desc);
	vw(0x090, (uint32_t)(uint64_t)&avail);
	vw(0x0a0, (uint32_t)(uint64_t)&used);
	vw(0x044, 1);
	vw(0x070, 1 | 2 | 8 | 4);
	vcon_puts("vcon: hello from a guest without a UART\n");
	for (int i = 1; i <= LINES; i++) {
		line[11] = (char)('0' + i);
		/* In two pieces: a line is printed when it is complete, whatever the buffers. */
		vcon_write(line, 20);
		vcon_write(line + 20, sizeof(line) - 1 - 20);
		delay_ms(50);
	}
	vcon_puts("vcon: done\n");
	return 0;
}

void secondary_main(void)
{
}
