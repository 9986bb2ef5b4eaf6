/* SPDX-License-Identifier: Apache-2.0 */
/* The state of one emulated PL031 (see pl031.c); the compiler defines one per instance from this header. */
#ifndef PL031_EMULATOR_H
#define PL031_EMULATOR_H

#include <hv/core.h>
#include <hv/timer.h>

struct pl031_state {
	hv_spinlock_t lock;		/* everything below */
	const struct hv_device *dev;	/* for the match timer's callback */
	struct hv_timer match_timer;	/* fires when the counter next becomes MR */
	/* The counter: DR = lr + whole seconds since load_ns. Kept across a guest reset, as a real RTC's. */
	u32 lr;
	u64 load_ns;			/* hv_time_ns() when lr was loaded (0 before any load: boot) */
	/* Everything a reset puts back. */
	u32 mr;
	u32 imsc;
	u32 ris;
	u64 match_ns;			/* when the counter next becomes MR, while the match timer is wanted */
	bool irq_level;			/* what the interrupt line was last set to */
};

#endif /* PL031_EMULATOR_H */
