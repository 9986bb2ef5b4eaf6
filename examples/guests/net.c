// SPDX-License-Identifier: Apache-2.0
/*
 * net-a, net-b, net-c (examples/virtio-net): bare-metal drivers of a virtio network card at 0x0a000000
 * (polled), three guests on one network of the hypervisor's switch. Frames are Ethernet with the local
 * experimental EtherType 0x88b5 and a text payload.
 *
 *   a  broadcasts "who" until b and c have answered it (unicast "ready"), then sends b a ping and waits for
 *      its pong, then a broadcast, a multicast, a frame for an address nobody has, a frame claiming to come
 *      from c (which the switch must drop), a unicast "secret" for b, and last "done" to b and to c;
 *   b  answers "who" and "ping", prints every frame it gets, and stops at "done";
 *   c  answers "who", prints every frame it gets, and stops at "done": it must see the broadcasts, the
 *      multicast and its own "done", never what was for b or for nobody.
 *
 * Each received frame is printed as "net: got <to> from <from>: <text>".
 */
#include "guest.h"

#define VIO		0x0a000000UL
#define QSIZE		8
#define BUF		1536
#define HDR		12
#define ETHERTYPE	0x88b5

#ifndef NET_ME
#define NET_ME		0x0a
#endif

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq {
	volatile struct desc desc[QSIZE] __attribute__((aligned(16)));
	volatile struct { uint16_t flags, idx, ring[QSIZE], event; } avail __attribute__((aligned(16)));
	volatile struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[QSIZE]; uint16_t event; } used __attribute__((aligned(16)));
	uint16_t next_avail;
	uint16_t last_used;
};

static struct vq rxq, txq;
static uint8_t rx_buf[QSIZE][BUF] __attribute__((aligned(16)));
static uint8_t tx_buf[BUF] __attribute__((aligned(16)));

static const uint8_t __attribute__((unused)) mac_b[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t __attribute__((unused)) mac_c[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0c };
static const uint8_t __attribute__((unused)) mac_nobody[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x99 };
static const uint8_t __attribute__((unused)) mac_all[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t __attribute__((unused)) mac_group[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static uint8_t me[6];

static inline void vw(uint32_t off, uint32_t v) { *(volatile uint32_t *)(VIO + off) = v; }

static uint64_t now_ms(void)
{
	uint64_t f, c;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(f));
	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(c));
	return c / (f / 1000);
}

static void queue(uint32_t q, struct vq *v)
{
	vw(0x030, q);
	vw(0x038, QSIZE);
	vw(0x080, (uint32_t)(uint64_t)v->desc);
	vw(0x090, (uint32_t)(uint64_t)&v->avail);
	vw(0x0a0, (uint32_t)(uint64_t)&v->used);
	vw(0x044, 1);
}

static void publish(struct vq *v, uint16_t head)
{
	v->avail.ring[v->next_avail % QSIZE] = head;
	asm volatile("dmb sy" ::: "memory");
	v->avail.idx = ++v->next_avail;
	asm volatile("dmb sy" ::: "memory");
}

static int __attribute__((unused)) same(const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < 6; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static void setup(void)
{
	vw(0x070, 0);
	vw(0x070, 1 | 2);
	vw(0x024, 1);
	vw(0x020, 1);			/* VERSION_1 */
	vw(0x024, 0);
	vw(0x020, 1U << 5 | 1U << 16);	/* MAC, STATUS */
	vw(0x070, 1 | 2 | 8);
	for (int i = 0; i < 6; i++)
		me[i] = (uint8_t)*(volatile uint8_t *)(VIO + 0x100 + i);
	queue(0, &rxq);
	queue(1, &txq);
	vw(0x070, 1 | 2 | 8 | 4);
	for (uint16_t i = 0; i < QSIZE; i++) {
		rxq.desc[i].addr = (uint64_t)rx_buf[i];
		rxq.desc[i].len = BUF;
		rxq.desc[i].flags = 2;	/* device-writable */
		publish(&rxq, i);
	}
	vw(0x050, 0);
}

static void __attribute__((unused)) send(const uint8_t *to, const uint8_t *from, const char *text)
{
	uint32_t n = 0;

	for (int i = 0; i < HDR; i++)
		tx_buf[i] = 0;
	for (int i = 0; i < 6; i++) {
		tx_buf[HDR + i] = to[i];
		tx_buf[HDR + 6 + i] = from[i];
	}
	tx_buf[HDR + 12] = ETHERTYPE >> 8;
	tx_buf[HDR + 13] = ETHERTYPE & 0xff;
	while (text[n] && n < 100) {
		tx_buf[HDR + 14 + n] = (uint8_t)text[n];
		n++;
	}
	tx_buf[HDR + 14 + n++] = 0;
	txq.desc[0].addr = (uint64_t)tx_buf;
	txq.desc[0].len = HDR + 14 + (n < 46 ? 46 : n);	/* the shortest Ethernet payload */
	txq.desc[0].flags = 0;
	publish(&txq, 0);
	vw(0x050, 1);
	while (txq.used.idx != txq.next_avail)
		;
	txq.last_used = txq.used.idx;
}

static void print_mac(const uint8_t *m)
{
	for (int i = 0; i < 6; i++) {
		putc("0123456789abcdef"[m[i] >> 4]);
		putc("0123456789abcdef"[m[i] & 15]);
		if (i < 5)
			putc(':');
	}
}

/* The next frame's payload and addresses, or 0 after `ms` without one. */
static const char *__attribute__((unused)) receive(uint64_t ms, const uint8_t **to, const uint8_t **from)
{
	static uint16_t last = (uint16_t)-1;
	uint64_t end = now_ms() + ms;

	/* The buffer handed out last time goes back to the card now. */
	if (last != (uint16_t)-1) {
		publish(&rxq, last);
		vw(0x050, 0);
		last = (uint16_t)-1;
	}
	while (rxq.used.idx == rxq.last_used)
		if (now_ms() > end)
			return 0;
	asm volatile("dmb sy" ::: "memory");
	last = (uint16_t)rxq.used.ring[rxq.last_used % QSIZE].id;
	rxq.last_used++;
	*to = rx_buf[last] + HDR;
	*from = rx_buf[last] + HDR + 6;
	puts("net: got ");
	print_mac(*to);
	puts(" from ");
	print_mac(*from);
	puts(": ");
	puts((const char *)rx_buf[last] + HDR + 14);
	puts("\n");
	return (const char *)rx_buf[last] + HDR + 14;
}

static int __attribute__((unused)) equal(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int main(void)
{
	const uint8_t *to, *from;
	const char *text;

	setup();
	puts("net: my address ");
	print_mac(me);
	puts("\n");
#if NET_ME == 0x0a
	int b_ready = 0, c_ready = 0, pong = 0;

	while (!b_ready || !c_ready) {
		send(mac_all, me, "who");
		while ((text = receive(50, &to, &from))) {
			if (equal(text, "ready") && same(from, mac_b))
				b_ready = 1;
			if (equal(text, "ready") && same(from, mac_c))
				c_ready = 1;
		}
	}
	send(mac_b, me, "ping 1");
	while (!pong && (text = receive(2000, &to, &from)))
		pong = equal(text, "pong 1") && same(from, mac_b);
	puts(pong ? "net: b answered the ping\n" : "net: ERROR: no pong from b\n");
	send(mac_all, me, "hello everyone");
	send(mac_group, me, "hello multicast group");
	send(mac_nobody, me, "for an address nobody has");
	send(mac_b, mac_c, "pretending to be c");
	send(mac_b, me, "secret for b");
	send(mac_b, me, "done");
	send(mac_c, me, "done");
	puts("net: a done\n");
#elif NET_ME == 0x0e
	/*
	 * arp: on a network with an uplink (QEMU's user-mode network, 10.0.2.0/24), asks who has 10.0.2.2 (the
	 * gateway QEMU plays) and waits for the answer, which must come in through the uplink.
	 */
	static const uint8_t gateway[4] = { 10, 0, 2, 2 }, self[4] = { 10, 0, 2, 15 };
	int answered = 0;

	for (int tries = 0; tries < 20 && !answered; tries++) {
		for (int i = 0; i < HDR; i++)
			tx_buf[i] = 0;
		for (int i = 0; i < 6; i++) {
			tx_buf[HDR + i] = 0xff;
			tx_buf[HDR + 6 + i] = me[i];
		}
		uint8_t *arp = tx_buf + HDR + 12;
		const uint8_t head[10] = { 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01 };	/* ARP, Ethernet/IPv4, request */
		for (int i = 0; i < 10; i++)
			arp[i] = head[i];
		for (int i = 0; i < 6; i++) {
			arp[10 + i] = me[i];
			arp[20 + i] = 0;
		}
		for (int i = 0; i < 4; i++) {
			arp[16 + i] = self[i];
			arp[26 + i] = gateway[i];
		}
		txq.desc[0].addr = (uint64_t)tx_buf;
		txq.desc[0].len = HDR + 60;
		txq.desc[0].flags = 0;
		publish(&txq, 0);
		vw(0x050, 1);
		while (txq.used.idx != txq.next_avail)
			;
		/* The reply: an ARP (0x0806) reply (2) whose sender is 10.0.2.2. */
		uint64_t end = now_ms() + 200;
		while (!answered && now_ms() < end) {
			if (rxq.used.idx == rxq.last_used)
				continue;
			asm volatile("dmb sy" ::: "memory");
			uint16_t id = (uint16_t)rxq.used.ring[rxq.last_used % QSIZE].id;
			const uint8_t *f = rx_buf[id] + HDR;

			rxq.last_used++;
			if (f[12] == 0x08 && f[13] == 0x06 && f[20] == 0 && f[21] == 2 && f[28] == 10 && f[29] == 0 && f[30] == 2 && f[31] == 2) {
				puts("net: 10.0.2.2 is at ");
				print_mac(f + 22);
				puts(" (the answer came through the uplink)\n");
				answered = 1;
			}
			publish(&rxq, id);
			vw(0x050, 0);
		}
	}
	if (!answered)
		puts("net: ERROR: no ARP reply from 10.0.2.2\n");
	puts("net: done\n");
	(void)to;
	(void)from;
	(void)text;
#elif NET_ME == 0x0d
	/*
	 * watch (examples/guest-network): a third card on the Linux guests' network, which must see only their
	 * broadcasts (ARP requests), never their unicast traffic. It stops at the ARP request for 10.0.0.99, the
	 * address nobody has that guest a asks for last.
	 */
	unsigned int frames = 0, broadcasts = 0, unicast = 0;

	for (;;) {
		uint64_t end = now_ms() + 120000;
		const uint8_t *f;
		uint16_t id;

		while (rxq.used.idx == rxq.last_used && now_ms() < end)
			;
		if (rxq.used.idx == rxq.last_used) {
			puts("net: ERROR: nothing for 120 s\n");
			break;
		}
		asm volatile("dmb sy" ::: "memory");
		id = (uint16_t)rxq.used.ring[rxq.last_used % QSIZE].id;
		rxq.last_used++;
		f = rx_buf[id] + HDR;
		frames++;
		if (same(f, mac_all))
			broadcasts++;
		else if (!(f[0] & 1))
			unicast++;
		puts("net: got ");
		print_mac(f);
		puts(" from ");
		print_mac(f + 6);
		puts(", type ");
		put_hex((uint64_t)f[12] << 8 | f[13]);
		if (f[12] == 0x08 && f[13] == 0x06) {
			puts(", ARP who has ");
			put_dec(f[38]);
			putc('.');
			put_dec(f[39]);
			putc('.');
			put_dec(f[40]);
			putc('.');
			put_dec(f[41]);
		}
		puts("\n");
		int last = f[12] == 0x08 && f[13] == 0x06 && f[38] == 10 && f[39] == 0 && f[40] == 0 && f[41] == 99;
		publish(&rxq, id);
		vw(0x050, 0);
		if (last)
			break;
	}
	puts("net: watched ");
	put_dec(frames);
	puts(" frames: ");
	put_dec(broadcasts);
	puts(" broadcast, ");
	put_dec(unicast);
	puts(" unicast\n");
	(void)to;
	(void)from;
	(void)text;
#else
	for (;;) {
		text = receive(20000, &to, &from);
		if (!text) {
			puts("net: ERROR: nothing for 20 s\n");
			break;
		}
		if (equal(text, "who"))
			send(from, me, "ready");
		else if (equal(text, "ping 1"))
			send(from, me, "pong 1");
		else if (equal(text, "done"))
			break;
	}
	puts("net: done\n");
#endif
	return 0;
}

void secondary_main(void)
{
}
