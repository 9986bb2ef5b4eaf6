/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixed-width types for the freestanding runtime. Only the compiler's own freestanding headers are used
 * (stdint/stddef/stdbool/stdarg come with clang, not with a C library).
 */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1UL << (n))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))

/* The object a member is embedded in, from a pointer to that member. */
#define container_of(ptr, type, member)	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#define __noreturn	__attribute__((noreturn))
#define __printf(f, a)	__attribute__((format(printf, f, a)))
#define __aligned(n)	__attribute__((aligned(n)))
#define __unused	__attribute__((unused))
/* Code that runs rarely (formatting, diagnostics, emulating registers guests seldom touch): compiled for size. */
#define __cold_path	__attribute__((cold, minsize))
#define __noinline	__attribute__((noinline))

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

#endif /* HV_TYPES_H */
