/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Deferred work: a function to run later on the same pCPU, after the caller has let go of its locks and
 * before the pCPU returns to its guest (or, when it waits, in its wait loop): the same points as timer
 * callbacks (hv/timer.h), which run first.
 *
 * What it is for: doing something that must not be done where the need arises, e.g. under the emulator's
 * lock, or in a hook that may not take the locks the work needs.
 *
 * Queueing works from any context on any pCPU and is idempotent: a work item that is already queued (on
 * whatever pCPU) stays where it is and runs once. The item may be queued again from its own function. The
 * function runs with no lock held.
 */
#ifndef HV_WORK_H
#define HV_WORK_H

#include <hv/core.h>

struct hv_work {
	void (*fn)(struct hv_work *work);	/* container_of() leads to the emulator's state */
	struct hv_work *next;			/* in its pCPU's queue */
	u64 queued;				/* claimed by a pCPU's queue */
};

/* Sets the function. Never while the item is queued (a zeroed item is not). */
void hv_work_init(struct hv_work *work, void (*fn)(struct hv_work *work));

/* Queues the item on the calling pCPU. False when it was already queued, and will run anyway. */
bool hv_work_queue(struct hv_work *work);

#endif /* HV_WORK_H */
