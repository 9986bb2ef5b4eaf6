/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tiny support library for the example guests. On aarch64: a PL011 at 0x09000000 and PSCI over HVC
 * (lib.c); on riscv64: an NS16550A at 0x10000000 and SBI (riscv64/arch.c). The hooks at the end are what
 * a guest program uses to stay the same C on both.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>

#if defined(__riscv)
#define RAM_BASE	0x80000000UL
#define UART_BASE	0x10000000UL
#define VIRTIO_BASE	0x10001000UL	/* where QEMU's riscv64 virt has its first virtio-mmio transport */
/* Below the guest's RAM (which starts at 0x80000000): nothing is mapped there. */
#define OUTSIDE_RAM	0x40000000UL
#else
#define RAM_BASE	0x40000000UL
#define UART_BASE	0x09000000UL
#define VIRTIO_BASE	0x0a000000UL	/* where QEMU's arm virt has its first virtio-mmio transport */
/* Past the end of the guest's RAM (which starts at 0x40000000). */
#define OUTSIDE_RAM	0x80000000UL
#endif

#define PSCI_VERSION		0x84000000UL
#define PSCI_CPU_OFF		0x84000002UL
#define PSCI_CPU_ON		0xc4000003UL
#define PSCI_AFFINITY_INFO	0xc4000004UL
#define PSCI_SYSTEM_OFF		0x84000008UL
#define PSCI_SYSTEM_RESET	0x84000009UL

void putc(char c);
void puts(const char *s);	/* no newline added */
void put_hex(uint64_t v);
void put_dec(uint64_t v);
int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
void psci_system_off(void) __attribute__((noreturn));

/* --- the same on both architectures --- */

/* The CPU as the guest sees it: its privilege, its identifier and the firmware interface's version. */
void print_cpu(const char *name);
/* Powers this guest off through its firmware interface (PSCI SYSTEM_OFF, SBI SRST shutdown). */
void system_off(void) __attribute__((noreturn));
/* Resets this guest through its firmware interface (PSCI SYSTEM_RESET, SBI SRST cold reboot); returns on failure. */
void system_reset(void);
/* What the firmware interface's reset is called, for messages. */
extern const char firmware_reset[];
/* The counter every CPU shares, and its rate in Hz. */
uint64_t counter_read(void);
uint64_t counter_freq(void);

#endif
