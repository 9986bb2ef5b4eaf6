/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a device emulator needs from the core.
 *
 * Instance state: the compiler reserves "instance-state-bytes" (from the emulator's manifest) of zeroed,
 * 16-byte aligned storage per device instance and passes them in as hv_device.state. When it compiles an
 * emulator's sources it defines HV_INSTANCE_STATE_BYTES to that same number, and the emulator checks its
 * state type against it with HV_EMULATOR_STATE(), so a manifest that reserves too little does not build.
 */
#ifndef HV_EMULATOR_H
#define HV_EMULATOR_H

#include <hv/core.h>

#ifndef HV_INSTANCE_STATE_BYTES
#error "HV_INSTANCE_STATE_BYTES is not defined: the compiler defines it for emulator sources (manifest instance-state-bytes)"
#endif

#define HV_INSTANCE_STATE_ALIGN	16

#define HV_EMULATOR_STATE(type)							\
	_Static_assert(sizeof(type) <= (HV_INSTANCE_STATE_BYTES),		\
		       "manifest instance-state-bytes is smaller than " #type);	\
	_Static_assert(_Alignof(type) <= HV_INSTANCE_STATE_ALIGN,		\
		       #type " needs more alignment than instance storage has")

#endif /* HV_EMULATOR_H */
