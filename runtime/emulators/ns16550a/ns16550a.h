/* SPDX-License-Identifier: Apache-2.0 */
/* The state of one emulated NS16550A (see ns16550a.c); the compiler defines one per instance from this header. */
#ifndef NS16550A_EMULATOR_H
#define NS16550A_EMULATOR_H

#include <hv/core.h>

#define NS16550A_FIFO_DEPTH	16

struct ns16550a_regs {
	u8 ier;
	u8 lcr;
	u8 mcr;
	u8 scr;
	u8 fcr;
	u8 dll;
	u8 dlm;
	bool thre_pending;		/* the "THR empty" interrupt, until IIR reports it or THR is written */
	u32 rx_head;
	u32 rx_count;
	u8 rx_fifo[NS16550A_FIFO_DEPTH];
	bool irq_level;			/* what the interrupt line was last set to */
};

struct ns16550a_state {
	hv_spinlock_t lock;		/* everything below */
	const struct hv_device *dev;
	struct ns16550a_regs r;
};

#endif /* NS16550A_EMULATOR_H */
