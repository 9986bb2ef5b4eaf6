// SPDX-License-Identifier: Apache-2.0
/* Guest memory by guest-physical address, for emulators (see hv/guest-mem.h). */
#include <hv/guest-mem.h>
#include "internal.h"

const struct hv_mem_region *hv_guest_ram(const struct hv_guest *guest, u64 gpa, u64 size)
{
	const struct hv_guest_config *g = guest->cfg;

	for (u64 i = 0; i < g->mem_count; i++) {
		const struct hv_mem_region *m = &g->mem[i];

		/* Written so that no sum can wrap: a guest chooses gpa and size. */
		if (!(m->flags & HV_MEM_RAM) || gpa < m->ipa || gpa - m->ipa >= m->size)
			continue;
		if (size > m->size - (gpa - m->ipa))
			return NULL;	/* runs past the end of the region that holds its start */
		return m;
	}
	return NULL;
}

static u8 *host_address(const struct hv_mem_region *m, u64 gpa)
{
	return (u8 *)(uintptr_t)(m->pa + (gpa - m->ipa));
}

bool hv_guest_mem_read(struct hv_guest *guest, u64 gpa, void *buf, u64 size)
{
	const struct hv_mem_region *m = hv_guest_ram(guest, gpa, size);

	if (!m)
		return false;
	arch_guest_mem_sync(m->pa + (gpa - m->ipa), size);
	memcpy(buf, host_address(m, gpa), size);
	return true;
}

bool hv_guest_mem_write(struct hv_guest *guest, u64 gpa, const void *buf, u64 size)
{
	const struct hv_mem_region *m = hv_guest_ram(guest, gpa, size);

	if (!m)
		return false;
	memcpy(host_address(m, gpa), buf, size);
	arch_guest_mem_sync(m->pa + (gpa - m->ipa), size);
	return true;
}

void *hv_guest_mem_ptr(struct hv_guest *guest, u64 gpa, u64 size)
{
	const struct hv_mem_region *m = hv_guest_ram(guest, gpa, size);

	return m ? host_address(m, gpa) : NULL;
}
