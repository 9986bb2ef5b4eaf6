/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest memory by guest-physical address, for emulators that read or fill buffers the guest points them at
 * (DMA descriptors, virtqueues).
 *
 * Every access is checked against the guest's RAM regions (hv_guest_config.mem with HV_MEM_RAM): the whole
 * range [gpa, gpa + size) must lie inside one region, so a range that is outside the guest's RAM, wraps
 * around, or straddles two regions (even adjacent ones: they need not be adjacent in host memory) fails
 * and touches nothing. Device windows are never guest memory here. A guest-supplied address therefore can
 * never make the hypervisor read or write memory that is not that guest's own.
 *
 * The hypervisor reaches guest RAM through its own cacheable identity map. hv_guest_mem_read() and
 * hv_guest_mem_write() also do the cache maintenance that makes them agree with a guest running with its
 * caches off (bare-metal code, early boot), so they are always coherent with the guest. A pointer from
 * hv_guest_mem_ptr() is not: it is coherent with a guest that maps that RAM as normal cacheable memory,
 * which every OS does once its MMU is on, and is meant for those (a virtqueue's rings).
 *
 * Callers: emulators (mmio handlers, timer callbacks, deferred work), on any pCPU. No lock is taken; the
 * guest may change the memory concurrently from its vCPUs, as it may with a real DMA-capable device, so
 * read what is shared once and check it before using it. During a reset of the guest (its reset hooks) the
 * image is being reloaded: do not touch guest memory from a reset hook.
 */
#ifndef HV_GUEST_MEM_H
#define HV_GUEST_MEM_H

#include <hv/core.h>

/* Copies size bytes at guest-physical gpa to buf. False, and buf untouched, unless the range is guest RAM. */
bool hv_guest_mem_read(struct hv_guest *guest, u64 gpa, void *buf, u64 size);

/* Copies size bytes from buf to guest-physical gpa. False, and nothing written, unless the range is guest RAM. */
bool hv_guest_mem_write(struct hv_guest *guest, u64 gpa, const void *buf, u64 size);

/*
 * The hypervisor's address of guest-physical gpa, valid for size bytes, or NULL unless the whole range lies
 * in one RAM region. Valid until the guest is reset; see above for coherency.
 */
void *hv_guest_mem_ptr(struct hv_guest *guest, u64 gpa, u64 size);

#endif /* HV_GUEST_MEM_H */
