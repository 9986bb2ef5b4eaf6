// SPDX-License-Identifier: Apache-2.0
/*
 * A guest's virtio console (VirtIO 1.2, 5.3), one port, on the virtio-mmio transport.
 *
 * Queue 0 (receiveq) holds buffers the driver gives for input, queue 1 (transmitq) the output. Output is
 * taken when the driver notifies the transmit queue and goes to the host console through the core's guest
 * output path, so it is printed a whole line at a time as "[name] text", exactly as a PL011's is. Input
 * comes byte by byte from hv_guest_console_input(): each byte fills one receive buffer, which goes back
 * at once (a console is typed at, latency matters more than buffers). Without a free receive buffer the
 * byte is refused and the core's caller keeps it, which is the flow control the core's input path
 * expects.
 *
 * The emergency write register (VIRTIO_CONSOLE_F_EMERG_WRITE) prints its byte like transmitted output,
 * for a driver that has no queues yet. Neither the console size nor multiport is offered.
 */
#include <hv/emulator.h>
#include "virtio-console.h"

#define VIRTIO_CONSOLE_F_EMERG_WRITE	2

#define RXQ	0
#define TXQ	1

/* Config space: cols, rows (u16), max_nr_ports (u32), emerg_wr (u32). */
#define CONFIG_EMERG_WR	8
#define CONFIG_SIZE	12

static struct virtio_console_state *state_of(struct virtio_mmio *vm)
{
	return container_of(vm, struct virtio_console_state, vm);
}

static u64 console_config_read(struct virtio_mmio *vm, u32 off, u32 size)
{
	u8 config[CONFIG_SIZE] = { 0 };
	u64 v = 0;

	(void)vm;
	config[4] = 1;	/* max_nr_ports, although only meaningful with multiport */
	for (u32 i = 0; i < size; i++)
		v |= (u64)config[off + i] << (8 * i);
	return v;
}

static void console_config_write(struct virtio_mmio *vm, struct hv_vcpu *vcpu, u32 off, u32 size, u64 value)
{
	(void)size;
	if (off == CONFIG_EMERG_WR && (vm->driver_features & BIT(VIRTIO_CONSOLE_F_EMERG_WRITE))) {
		hv_vcpu_console_putc(vcpu, (char)value);
		state_of(vm)->tx_bytes++;
	}
}

static void transmit(struct virtio_console_state *s, struct hv_vcpu *vcpu)
{
	struct virtq_chain *c = &s->chain;

	while (virtq_pop(&s->vm, TXQ, c) == 1) {
		u8 buf[64];

		for (u32 off = 0; off < c->out_len;) {
			u32 n = virtq_read(&s->vm, c, off, buf, sizeof(buf));

			if (!n)
				break;
			for (u32 i = 0; i < n; i++)
				hv_vcpu_console_putc(vcpu, (char)buf[i]);
			off += n;
		}
		s->tx_bytes += c->out_len;
		virtq_push(&s->vm, TXQ, c, 0);
	}
}

static void console_notify(struct virtio_mmio *vm, struct hv_vcpu *vcpu, u32 q)
{
	/* Receive buffers wait for input; only output has work to do now. */
	if (q == TXQ)
		transmit(state_of(vm), vcpu);
}

static const struct virtio_mmio_device console_device = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.features = BIT(VIRTIO_CONSOLE_F_EMERG_WRITE),
	.queue_count = 2,
	.config_size = CONFIG_SIZE,
	.config_read = console_config_read,
	.config_write = console_config_write,
	.notify = console_notify,
};

static void virtio_console_reset(const struct hv_device *dev)
{
	struct virtio_console_state *s = dev->state;

	virtio_mmio_reset(&s->vm, dev, &console_device);
}

static bool virtio_console_mmio(struct hv_vcpu *vcpu, const struct hv_device *dev, struct hv_mmio_access *access)
{
	struct virtio_console_state *s = dev->state;

	return virtio_mmio_access(&s->vm, vcpu, access);
}

static bool virtio_console_input(const struct hv_device *dev, u8 byte)
{
	struct virtio_console_state *s = dev->state;
	bool taken = false;

	virtio_mmio_lock(&s->vm);
	while (!taken && virtq_pop(&s->vm, RXQ, &s->chain) == 1) {
		/* A buffer with no room (a driver bug, but harmless) goes back empty; try the next. */
		taken = virtq_write(&s->vm, &s->chain, 0, &byte, 1) == 1;
		virtq_push(&s->vm, RXQ, &s->chain, taken ? 1 : 0);
	}
	if (taken)
		s->rx_bytes++;
	virtio_mmio_unlock(&s->vm);
	return taken;
}

static void virtio_console_stats(const struct hv_device *dev, char *buf, size_t size)
{
	struct virtio_console_state *s = dev->state;

	hv_snprintf(buf, size, "virtio-console: %lu bytes out, %lu in; %lu register accesses, %lu notifications, %lu interrupts",
		    s->tx_bytes, s->rx_bytes, s->vm.accesses, s->vm.notifications, s->vm.interrupts);
}

const struct hv_emulator_ops virtio_console_emulator_ops = {
	.name = "virtio-console",
	.reset = virtio_console_reset,
	.mmio = virtio_console_mmio,
	.input = virtio_console_input,
	.stats = virtio_console_stats,
};
