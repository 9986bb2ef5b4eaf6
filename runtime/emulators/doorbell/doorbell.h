/* SPDX-License-Identifier: Apache-2.0 */
/* The state of one doorbell (see doorbell.c); the compiler defines one per instance from this header. */
#ifndef DOORBELL_EMULATOR_H
#define DOORBELL_EMULATOR_H

#include <hv/core.h>

struct doorbell_state {
	hv_spinlock_t lock;		/* everything below: taken by the ringing guest's pCPU too */
	const struct hv_device *dev;
	u32 pending;			/* who rang since the guest last acknowledged */
	u32 rings;			/* how often it was rung */
	u64 sent;			/* how often it rang another */
	bool irq_level;
};

#endif /* DOORBELL_EMULATOR_H */
