/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LZ4 block expansion (the block format of lz4's lz4_Block_format.md, no frame): how guest images stored
 * compressed in the hypervisor image reach guest RAM. Only <hv/types.h> is needed, so the build machine's
 * tests compile the same source.
 */
#ifndef HV_LZ4_H
#define HV_LZ4_H

#include <hv/types.h>

/*
 * Expands the block at src (src_size bytes) into dst, which holds dst_size bytes, against the dictionary at
 * dict (dict_size bytes; 0 for a block made without one). Returns the number of bytes written, or -1 when
 * the block is malformed: it would read past its end, write past dst's, or copy from before the dictionary.
 * Nothing outside [dst, dst + dst_size) is written, whatever the block holds.
 */
s64 hv_lz4_expand(u8 *dst, u64 dst_size, const u8 *src, u64 src_size, const u8 *dict, u64 dict_size);

#endif
