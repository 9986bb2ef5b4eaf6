/* SPDX-License-Identifier: Apache-2.0 */
/* The state of one virtual PLIC (see vplic.c); the compiler defines one per instance from this header. */
#ifndef VPLIC_EMULATOR_H
#define VPLIC_EMULATOR_H

#include <hv/core.h>

/* Source 0 does not exist on a PLIC: bit n of the bitmaps is source n. */
#define VPLIC_SOURCES		(CONFIG_HV_VPLIC_SOURCES + 1)
#define VPLIC_WORDS		((VPLIC_SOURCES + 31) / 32)

struct vplic_context {
	u32 enable[VPLIC_WORDS];
	u32 threshold;
};

struct vplic_state {
	hv_spinlock_t lock;		/* everything below */
	u32 priority[VPLIC_SOURCES];
	u32 pending[VPLIC_WORDS];
	u32 claimed[VPLIC_WORDS];	/* in service: claimed, not yet completed */
	u32 level[VPLIC_WORDS];		/* the device lines as their emulators last set them */
	struct vplic_context ctx[CONFIG_HV_MAX_CPUS];	/* context n = vCPU n */
};

#endif /* VPLIC_EMULATOR_H */
