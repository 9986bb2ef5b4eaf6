// SPDX-License-Identifier: Apache-2.0
/*
 * A guest's virtio network card (VirtIO 1.2, 5.1) on the virtio-mmio transport: a port of a network the
 * hypervisor switches (hv/net.h).
 *
 * Queue 0 receives, queue 1 transmits; no control queue, no offloads, so each buffer is a 12-byte
 * struct virtio_net_hdr (all zero but num_buffers = 1 on receive) and one Ethernet frame.
 *
 * Transmitting crosses guests: the switch copies the frame into other cards' receive buffers, taking their
 * locks. The transport calls notify with this card's lock held, so transmitting is not done there but in
 * deferred work on the same pCPU, right after the MMIO access, with no lock held: it takes tx_lock (one
 * transmitter at a time), and this card's lock only while it takes a chain and copies the frame out of it.
 * Two guests sending to each other at once therefore never hold each other's lock.
 *
 * Receiving: a frame the switch hands over fills the next receive buffer, or is dropped when the guest has
 * given none, as a real card drops what it has no room for.
 */
#include <hv/emulator.h>
#include <params/virtio-net-emulator.h>
#include "virtio-net.h"

#define VIRTIO_NET_F_MAC	5
#define VIRTIO_NET_F_STATUS	16
#define VIRTIO_NET_S_LINK_UP	1

#define RXQ		0
#define TXQ		1
#define HDR		12	/* struct virtio_net_hdr with num_buffers (VirtIO 1.x) */
#define ETH_HLEN	14

/* Config space: mac[6], status (u16). */
#define CONFIG_SIZE	8

static struct virtio_net_state *state_of(struct virtio_mmio *vm)
{
	return container_of(vm, struct virtio_net_state, vm);
}

static const struct virtio_net_emulator_params *params_of(const struct hv_device *dev)
{
	return dev->params;
}

static u64 net_config_read(struct virtio_mmio *vm, u32 off, u32 size)
{
	const struct virtio_net_state *s = state_of(vm);
	u8 config[CONFIG_SIZE];
	u64 v = 0;

	memcpy(config, s->port.mac, 6);
	config[6] = VIRTIO_NET_S_LINK_UP;
	config[7] = 0;
	for (u32 i = 0; i < size; i++)
		v |= (u64)config[off + i] << (8 * i);
	return v;
}

static void net_notify(struct virtio_mmio *vm, struct hv_vcpu *vcpu, u32 q)
{
	(void)vcpu;
	/* Received frames wait for the switch; frames to send wait until this lock is let go. */
	if (q == TXQ)
		hv_work_queue(&state_of(vm)->tx_work);
}

static void transmit(struct hv_work *work)
{
	struct virtio_net_state *s = container_of(work, struct virtio_net_state, tx_work);
	const struct hv_host_device *net = params_of(s->vm.dev)->network;
	const struct hv_net_ops *ops = hv_net(net);

	hv_spin_lock(&s->tx_lock);
	for (;;) {
		u32 len = 0;
		bool got;

		virtio_mmio_lock(&s->vm);
		got = virtq_pop(&s->vm, TXQ, &s->tx_chain) == 1;
		if (got) {
			u32 total = s->tx_chain.out_len;

			if (total >= HDR + ETH_HLEN && total - HDR <= HV_NET_FRAME_MAX)
				len = virtq_read(&s->vm, &s->tx_chain, HDR, s->tx_frame, total - HDR);
			else
				s->tx_dropped++;	/* no frame, or larger than a card sends without offloads */
			virtq_push(&s->vm, TXQ, &s->tx_chain, 0);
		}
		virtio_mmio_unlock(&s->vm);
		if (!got)
			break;
		if (len && ops) {
			ops->send(net, &s->port, s->tx_frame, len);
			s->tx_frames++;
		}
	}
	hv_spin_unlock(&s->tx_lock);
}

/* From the switch, on the sender's pCPU, with no lock held. */
static bool receive(struct hv_net_port *port, const u8 *frame, u32 len)
{
	struct virtio_net_state *s = container_of(port, struct virtio_net_state, port);
	u8 hdr[HDR] = { 0 };
	bool taken = false;

	hdr[10] = 1;	/* num_buffers */
	virtio_mmio_lock(&s->vm);
	if (virtq_pop(&s->vm, RXQ, &s->rx_chain) == 1) {
		if (s->rx_chain.in_len >= HDR + len) {
			virtq_write(&s->vm, &s->rx_chain, 0, hdr, HDR);
			virtq_write(&s->vm, &s->rx_chain, HDR, frame, len);
			virtq_push(&s->vm, RXQ, &s->rx_chain, HDR + len);
			taken = true;
		} else {
			virtq_push(&s->vm, RXQ, &s->rx_chain, 0);	/* a buffer too small for it */
		}
	}
	if (taken)
		s->rx_frames++;
	else
		s->rx_dropped++;
	virtio_mmio_unlock(&s->vm);
	return taken;
}

static const struct virtio_mmio_device net_device = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.features = BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_STATUS),
	.queue_count = 2,
	.config_size = CONFIG_SIZE,
	.config_read = net_config_read,
	.notify = net_notify,
};

static void virtio_net_reset(const struct hv_device *dev)
{
	struct virtio_net_state *s = dev->state;
	const struct virtio_net_emulator_params *p = params_of(dev);
	const struct hv_net_ops *ops = hv_net(p->network);

	/* A transmission queued before the reset finds the queue gone; the item itself is set up once. */
	if (!s->tx_work.fn)
		hv_work_init(&s->tx_work, transmit);
	for (int i = 0; i < 6; i++)
		s->port.mac[i] = (u8)(p->mac >> (8 * (5 - i)));
	s->port.deliver = receive;
	virtio_mmio_reset(&s->vm, dev, &net_device);
	if (ops)
		ops->attach(p->network, &s->port);
}

static bool virtio_net_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *access)
{
	struct virtio_net_state *s = dev->state;

	return virtio_mmio_access(&s->vm, vcpu, access);
}

static void virtio_net_stats(const struct hv_device *dev, char *buf, size_t size)
{
	struct virtio_net_state *s = dev->state;
	u64 frames = s->tx_frames + s->rx_frames;

	hv_snprintf(buf, size, "virtio-net: %lu frames sent, %lu received, %lu dropped on receive, %lu on send; %lu register accesses, %lu notifications, %lu interrupts (%lu.%02lu accesses per frame)",
		    s->tx_frames, s->rx_frames, s->rx_dropped, s->tx_dropped, s->vm.accesses, s->vm.notifications,
		    s->vm.interrupts, frames ? s->vm.accesses / frames : 0, frames ? s->vm.accesses * 100 / frames % 100 : 0);
}

const struct hv_emulator_ops virtio_net_emulator_ops = {
	.name = "virtio-net",
	.reset = virtio_net_reset,
	.mmio = virtio_net_mmio,
	.stats = virtio_net_stats,
};
