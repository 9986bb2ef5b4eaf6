// SPDX-License-Identifier: Apache-2.0
/*
 * first: prints one line and powers off. For the benchmark of the instructions from power-on to a guest's
 * first console line (test/bench/riscv64.ts), on both architectures.
 */
#include "guest.h"

int main(void)
{
	puts("first line\n");
	return 0;
}

void secondary_main(void)
{
}
