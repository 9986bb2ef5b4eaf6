/* SPDX-License-Identifier: Apache-2.0 */
/* Tiny support library for the example guests: a PL011 at 0x09000000 and PSCI over HVC. */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>

#define UART_BASE	0x09000000UL

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

#endif
