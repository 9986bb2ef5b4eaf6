// SPDX-License-Identifier: Apache-2.0
/*
 * A network: an Ethernet switch between the guests' cards (hv/net.h ports), with an optional uplink, a
 * virtio-net device of the board.
 *
 * The switch learns, from the source address of every frame it accepts, which port (or the uplink) an
 * address is behind, and sends a unicast frame there; a unicast frame for an address it has not seen, and
 * every broadcast and multicast frame, goes to every port but the one it came from, and out of the uplink.
 * A port is then handed only what is addressed to it (its own address, broadcast, multicast): a frame for
 * another address is not its business, and a guest never sees it, whatever the flooding. A port's frames
 * must come from its own address, so a guest can neither pose as another nor teach the switch lies.
 *
 * Delivery happens outside the switch's lock (the ports' deliver hooks take their own), from the sending
 * pCPU: a frame is copied straight from the sender's buffer into the receiver's, once per receiver.
 *
 * The uplink is polled: the hypervisor takes no interrupt of the board's virtio devices. A timer, armed on
 * the pCPU of the first guest that sends, looks at its receive queue every CONFIG_HV_VSWITCH_UPLINK_POLL_US
 * and re-arms itself for as long as the network exists.
 */
#include <hv/net.h>
#include <hv/timer.h>
#include <params/vswitch.h>
#include "vswitch.h"

#define VIRTIO_ID_NET		1
#define UPLINK			(~0UL)
#define NOWHERE			(~1UL)
#define POLL_NS			(CONFIG_HV_VSWITCH_UPLINK_POLL_US * 1000UL)

static struct vswitch_state *state_of(const struct hv_host_device *net)
{
	return net->state;
}

static bool multicast(const u8 *mac)
{
	return mac[0] & 1;	/* broadcast is a multicast address too */
}

static bool same(const u8 *a, const u8 *b)
{
	for (int i = 0; i < 6; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* --- the learned table (with the switch's lock held) --- */

static struct vswitch_learned *entry_for(struct vswitch_state *s, const u8 *mac)
{
	for (u64 i = 0; i < VSWITCH_LEARNED; i++)
		if (s->learned[i].valid && same(s->learned[i].mac, mac))
			return &s->learned[i];
	return NULL;
}

/* Where `mac` was last seen: a port index, UPLINK, or NOWHERE. */
static u64 lookup(struct vswitch_state *s, const u8 *mac)
{
	for (u64 p = 0; p < s->nports; p++)
		if (same(s->ports[p]->mac, mac))
			return p;
	return entry_for(s, mac) ? UPLINK : NOWHERE;
}

/* An address seen on the uplink: remembered, the oldest forgotten when the table is full. */
static void learn_uplink(struct vswitch_state *s, const u8 *mac)
{
	struct vswitch_learned *e = entry_for(s, mac);

	if (!e) {
		e = &s->learned[0];
		for (u64 i = 0; i < VSWITCH_LEARNED; i++) {
			if (!s->learned[i].valid) {
				e = &s->learned[i];
				break;
			}
			if (s->learned[i].stamp < e->stamp)
				e = &s->learned[i];
		}
		memcpy(e->mac, mac, 6);
		e->valid = 1;
	}
	e->stamp = ++s->clock;
}

/* --- the uplink --- */

static void uplink_rx_give(struct vswitch_uplink *u, u16 slot)
{
	struct vhost_desc *d = &u->rx_ring.desc[slot];

	d->addr = (u64)(uintptr_t)u->rx_buf[slot];
	d->len = VSWITCH_UPLINK_BUF;
	d->flags = VHOST_DESC_WRITE;
	d->next = 0;
	vhost_add(&u->rxq, slot);
}

static void uplink_init(const struct hv_host_device *net, struct vswitch_uplink *u, u64 base)
{
	const char *why = NULL;

	u->up = false;
	if (!vhost_probe(&u->dev, base, VIRTIO_ID_NET, 0, &why)) {
		hv_log("network %s: no uplink: %s at 0x%lx", net->path, why, base);
		return;
	}
	if (!vhost_queue_init(&u->dev, 0, &u->rxq, &u->rx_ring) || !vhost_queue_init(&u->dev, 1, &u->txq, &u->tx_ring)) {
		hv_log("network %s: the uplink's queues are too small; not used", net->path);
		return;
	}
	/* struct virtio_net_hdr, with num_buffers in VirtIO 1.x (12 bytes), without it before (10). */
	u->hdr_len = u->dev.version == 2 ? 12 : 10;
	u->tx_busy = 0;
	vhost_ready(&u->dev);
	for (u16 i = 0; i < VSWITCH_UPLINK_RX; i++)
		uplink_rx_give(u, i);
	vhost_notify(&u->dev, 0);
	u->up = true;
	hv_log("network %s: uplink virtio-net at 0x%lx (virtio-mmio version %u)", net->path, base, u->dev.version);
}

/* With the uplink's lock held: transmit slots the device is done with are free again. */
static void uplink_reclaim(struct vswitch_uplink *u)
{
	u16 head;
	u32 len;

	while (vhost_used(&u->txq, &head, &len))
		if (head < VSWITCH_UPLINK_TX)
			u->tx_busy &= ~(u32)BIT(head);
}

static void uplink_send(struct vswitch_uplink *u, const u8 *frame, u32 len)
{
	struct vhost_desc *d;
	u16 slot;

	hv_spin_lock(&u->lock);
	uplink_reclaim(u);
	if (u->tx_busy == 0xffffffffU) {
		u->dropped++;	/* the device is that far behind: as a full NIC queue, drop */
		hv_spin_unlock(&u->lock);
		return;
	}
	slot = (u16)__builtin_ctz(~u->tx_busy);
	u->tx_busy |= (u32)BIT(slot);
	memset(u->tx_buf[slot], 0, u->hdr_len);
	memcpy(u->tx_buf[slot] + u->hdr_len, frame, len);
	d = &u->tx_ring.desc[slot];
	d->addr = (u64)(uintptr_t)u->tx_buf[slot];
	d->len = u->hdr_len + len;
	d->flags = 0;
	d->next = 0;
	vhost_submit(&u->dev, 1, &u->txq, slot);
	u->tx++;
	hv_spin_unlock(&u->lock);
}

/* --- switching --- */

/* Hands a frame to each target port it is addressed to (no lock held). */
static void deliver(struct vswitch_state *s, struct hv_net_port *const *targets, u64 n, const u8 *frame, u32 len)
{
	for (u64 i = 0; i < n; i++) {
		struct hv_net_port *p = targets[i];

		if (!multicast(frame) && !same(frame, p->mac))
			continue;	/* not its address: flooded past it, never shown to it */
		if (!p->deliver(p, frame, len))
			__atomic_add_fetch(&s->dropped, 1, __ATOMIC_RELAXED);
	}
}

/*
 * Where a frame from `from` (a port index, or UPLINK) goes: the ports, copied to `targets`, and whether
 * the uplink. With the switch's lock held.
 */
static u64 route(struct vswitch_state *s, u64 from, const u8 *frame, struct hv_net_port **targets, bool *up)
{
	u64 to = multicast(frame) ? NOWHERE : lookup(s, frame);
	u64 n = 0;

	*up = false;
	if (to == UPLINK) {
		*up = from != UPLINK;
		return 0;
	}
	if (to != NOWHERE) {
		if (to != from)
			targets[n++] = s->ports[to];
		s->forwarded++;
		return n;
	}
	/* Unknown or group address: everyone but the sender. */
	for (u64 p = 0; p < s->nports; p++)
		if (p != from)
			targets[n++] = s->ports[p];
	*up = from != UPLINK;
	s->flooded++;
	return n;
}

static void uplink_poll(struct hv_timer *timer);

static void net_send(const struct hv_host_device *net, struct hv_net_port *from, const u8 *frame, u32 len)
{
	struct vswitch_state *s = state_of(net);
	struct hv_net_port *targets[VSWITCH_PORTS];
	u64 n;
	bool up;

	if (len < 14 || len > HV_NET_FRAME_MAX) {
		__atomic_add_fetch(&s->dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	/* Only its own address: no posing as another guest, no lies for the learned table. */
	if (!same(frame + 6, from->mac)) {
		__atomic_add_fetch(&s->spoofed, 1, __ATOMIC_RELAXED);
		return;
	}
	hv_spin_lock(&s->lock);
	n = route(s, from->index, frame, targets, &up);
	hv_spin_unlock(&s->lock);
	deliver(s, targets, n, frame, len);
	if (up && s->uplink.up) {
		uplink_send(&s->uplink, frame, len);
		/* Replies come back through the receive queue, which nothing but this timer looks at. */
		if (!__atomic_exchange_n(&s->uplink.polling, true, __ATOMIC_ACQ_REL))
			hv_timer_arm(&s->uplink.poll, hv_time_ns() + POLL_NS);
	}
}

static void uplink_poll(struct hv_timer *timer)
{
	struct vswitch_uplink *u = container_of(timer, struct vswitch_uplink, poll);
	struct vswitch_state *s = container_of(u, struct vswitch_state, uplink);
	struct hv_net_port *targets[VSWITCH_PORTS];
	u16 head;
	u32 len;
	bool more = true;

	while (more) {
		const u8 *frame;
		u64 n = 0;
		bool up;

		hv_spin_lock(&u->lock);
		uplink_reclaim(u);
		more = vhost_used(&u->rxq, &head, &len);
		hv_spin_unlock(&u->lock);
		if (!more)
			break;
		if (head < VSWITCH_UPLINK_RX && len >= u->hdr_len + 14 && len - u->hdr_len <= HV_NET_FRAME_MAX) {
			frame = u->rx_buf[head] + u->hdr_len;
			hv_spin_lock(&s->lock);
			if (!multicast(frame + 6))
				learn_uplink(s, frame + 6);
			n = route(s, UPLINK, frame, targets, &up);
			hv_spin_unlock(&s->lock);
			deliver(s, targets, n, frame, len - u->hdr_len);
			u->rx++;
		} else {
			u->dropped++;
		}
		/* The buffer is the device's again once every port has its copy. */
		hv_spin_lock(&u->lock);
		if (head < VSWITCH_UPLINK_RX) {
			uplink_rx_give(u, head);
			vhost_notify(&u->dev, 0);
		}
		hv_spin_unlock(&u->lock);
	}
	hv_timer_arm(timer, hv_time_ns() + POLL_NS);
}

static void net_attach(const struct hv_host_device *net, struct hv_net_port *port)
{
	struct vswitch_state *s = state_of(net);

	hv_spin_lock(&s->lock);
	for (u64 p = 0; p < s->nports; p++) {
		if (s->ports[p] == port) {
			hv_spin_unlock(&s->lock);
			return;
		}
	}
	if (s->nports == VSWITCH_PORTS) {
		hv_spin_unlock(&s->lock);
		hv_log("network %s: more than %u cards; CONFIG_HV_VSWITCH_PORTS is too small", net->path, VSWITCH_PORTS);
		return;
	}
	port->index = s->nports;
	s->ports[s->nports++] = port;
	hv_spin_unlock(&s->lock);
}

static void vswitch_init(const struct hv_host_device *net)
{
	struct vswitch_state *s = state_of(net);
	const struct vswitch_params *p = net->params;

	s->net = net;
	hv_timer_init(&s->uplink.poll, uplink_poll);
	if (p->uplink_base)
		uplink_init(net, &s->uplink, p->uplink_base);
}

static const struct hv_net_ops vswitch_service = {
	.attach = net_attach,
	.send = net_send,
};

const struct hv_driver_ops vswitch_ops = {
	.name = "vswitch",
	.init = vswitch_init,
	.service = &vswitch_service,
};
