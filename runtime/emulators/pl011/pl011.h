/* SPDX-License-Identifier: Apache-2.0 */
/* The state of one emulated PL011 (see pl011.c); the compiler defines one per instance from this header. */
#ifndef PL011_EMULATOR_H
#define PL011_EMULATOR_H

#include <hv/core.h>
#include <hv/timer.h>

#define PL011_FIFO_DEPTH	16	/* what a driver believes of revision r1p5 (PeriphID2 0x14) */

/* The registers and FIFOs: everything a reset puts back. */
struct pl011_regs {
	u32 ibrd;
	u32 fbrd;
	u32 lcr_h;
	u32 cr;
	u32 ifls;
	u32 imsc;
	u32 ris;
	u32 dmacr;
	u32 ilpr;
	u32 tx_fill;			/* bytes "in" the transmit FIFO (already printed) */
	u32 tx_level;			/* fifo_level(ifls): TXRIS is set while tx_fill is at or below it */
	u32 rx_head;			/* next byte a DR read returns */
	u32 rx_count;			/* bytes in the receive FIFO */
	u8 rx_fifo[PL011_FIFO_DEPTH];
	u64 rt_deadline;		/* when the receive timeout expires (hv_time_ns()), while armed */
	bool irq_level;			/* what the interrupt line was last set to */
};

struct pl011_state {
	/*
	 * Everything below: its guest's output lock (hv_device_output_lock()), which a data-register write
	 * needs anyway to print its byte.
	 */
	hv_spinlock_t *lock;
	const struct hv_device *dev;	/* for the receive timeout's callback */
	struct hv_timer rx_timeout;	/* receive timeout: 32 bit periods without new data */
	struct pl011_regs r;
};

#endif /* PL011_EMULATOR_H */
