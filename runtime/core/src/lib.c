// SPDX-License-Identifier: Apache-2.0
/*
 * memcpy, memmove and memset: clang emits calls to these for struct copies and large initialisers even in
 * freestanding code, so they are exported (kept through internalize). With -mstrict-align the hypervisor
 * may not rely on unaligned accesses, so words are used only when both pointers are word aligned.
 * -fno-builtin keeps the optimizer from turning these loops back into calls to themselves.
 */
#include <hv/core.h>

#define WORD		sizeof(u64)
#define ALIGNED(p)	(((uintptr_t)(p) & (WORD - 1)) == 0)

void *memcpy(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (ALIGNED(d) && ALIGNED(s)) {
		for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
			*(u64 *)d = *(const u64 *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);

	/* Overlapping with dst above src: copy backwards. */
	d += n;
	s += n;
	if (ALIGNED(d) && ALIGNED(s)) {
		for (; n >= WORD; n -= WORD) {
			d -= WORD;
			s -= WORD;
			*(u64 *)d = *(const u64 *)s;
		}
	}
	while (n--)
		*--d = *--s;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	u8 *d = dst;
	u64 pattern = (u8)c * 0x0101010101010101UL;

	for (; n && !ALIGNED(d); n--)
		*d++ = (u8)c;
	for (; n >= WORD; n -= WORD, d += WORD)
		*(u64 *)d = pattern;
	while (n--)
		*d++ = (u8)c;
	return dst;
}
