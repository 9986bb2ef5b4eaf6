/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a guest device emulator gets from the core, and what it owes it.
 *
 * An emulator is a folder (runtime/emulators/<name>/, or runtime/arch/<arch>/emulators/<name>/ when it only
 * makes sense on one architecture) with a manifest.json, a Kconfig and its sources. It provides one
 * `const struct hv_emulator_ops` (hv/config.h), named in the manifest's "ops".
 *
 * State: the manifest names a C type and the header in the folder that defines it
 * ("state": { "type": "struct foo_state", "header": "foo.h" }). The compiler defines one zeroed object of
 * that type per device instance, compiled with the same Kconfig as the emulator, and points
 * hv_device.state at it; so the state may be sized by Kconfig symbols and never needs a byte count. The
 * header must compile on its own (include what it uses).
 *
 * Parameters: values the compiler takes from the device's node ("parameters" in the manifest). They arrive
 * as hv_device.params, a `const struct <component_name>_params *` from the generated <params/<name>.h>,
 * one field per parameter in manifest order (u64 for u32/u64/flag/clock, const char * for string, a
 * pointer and a _size for file).
 *
 * Concurrency: the hooks of one instance can run at the same time on several pCPUs (mmio on every vCPU of
 * the guest, input and timer callbacks on whichever pCPU calls or armed them), so an emulator guards its
 * state with a lock of its own (hv_spinlock_t in the state). reset is the exception: the core calls it
 * while no vCPU of the guest runs, before the guest first runs and on every guest reset, so it may assume
 * the guest is not touching the device. But input and the instance's timer callbacks may still run on
 * other pCPUs, so reset takes the lock too and cancels the instance's timers; and it may run on a pCPU
 * that runs none of the guest's vCPUs (the boot pCPU at boot), where a timer or work would never run, so
 * it arms and queues nothing. An emulator may call the services below with its own lock held; the core
 * never calls a hook with a core lock held.
 *
 * The state header is included, with every other instance's, into one generated source compiled with the
 * public include paths only: it must compile on its own, and its type and include guard need names of
 * their own (prefix them with the component's).
 *
 * An access the emulator refuses (mmio returns false) stops the guest with a report naming the emulator.
 */
#ifndef HV_EMULATOR_H
#define HV_EMULATOR_H

#include <hv/core.h>
#include <hv/console.h>
#include <hv/guest-mem.h>
#include <hv/irq.h>
#include <hv/timer.h>
#include <hv/vintc.h>
#include <hv/work.h>
#include <hv/block.h>
#include <hv/net.h>

#endif /* HV_EMULATOR_H */
