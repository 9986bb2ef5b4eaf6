// SPDX-License-Identifier: Apache-2.0
/*
 * The core's lock (hv/core.h). A file of its own because every exit that touches shared state takes one:
 * it stays optimized for speed when the files around it are built for size (the manifest's cold-sources).
 */
#include "internal.h"

void hv_spin_lock(hv_spinlock_t *lock)
{
	u64 me = arch_cpu_id() + 1;

	for (;;) {
		u64 free = 0;

		if (__atomic_compare_exchange_n(&lock->owner, &free, me, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		while (READ_ONCE(lock->owner))
			;
	}
}

void hv_spin_unlock(hv_spinlock_t *lock)
{
	store_release(&lock->owner, 0);
}
