// SPDX-License-Identifier: Apache-2.0
/*
 * LZ4 block expansion. A block is a run of sequences; each is a token (literal count in the high nibble,
 * match length - 4 in the low one, 15 meaning "more in the following bytes, each 255 adds on"), the
 * literals, then a 16-bit little-endian offset back into what was written and the match's extra length
 * bytes. The last sequence has literals only. An offset may reach past the start of the output into the
 * dictionary, the bytes the block was made against, as if they came just before the output. The compiler
 * wrote these blocks, but each length and offset is still checked against the buffers: an image damaged on
 * its way to the board must not scribble over the hypervisor.
 */
#include <hv/lz4.h>

#define MIN_MATCH	4

/* A length nibble of 15 continues in bytes of 255 until a smaller one; false when the block ends first. */
static bool read_length(const u8 **in, const u8 *end, u64 *len)
{
	u8 b;

	if (*len != 15)
		return true;
	do {
		if (*in >= end)
			return false;
		b = *(*in)++;
		*len += b;
	} while (b == 255);
	return true;
}

s64 hv_lz4_expand(u8 *dst, u64 dst_size, const u8 *src, u64 src_size, const u8 *dict, u64 dict_size)
{
	const u8 *in = src, *in_end = src + src_size;
	const u8 *dict_end = dict_size ? dict + dict_size : NULL;
	u8 *out = dst, *out_end = dst + dst_size;

	while (in < in_end) {
		u8 token = *in++;
		u64 literals = token >> 4;
		u64 match = token & 15;
		u64 offset;
		const u8 *from;

		if (!read_length(&in, in_end, &literals))
			return -1;
		if (literals > (u64)(in_end - in) || literals > (u64)(out_end - out))
			return -1;
		for (u64 i = 0; i < literals; i++)
			out[i] = in[i];
		in += literals;
		out += literals;
		if (in == in_end)
			break;			/* the last sequence: literals only */

		if (in_end - in < 2)
			return -1;
		offset = in[0] | (u64)in[1] << 8;
		in += 2;
		if (offset == 0 || offset > (u64)(out - dst) + dict_size)
			return -1;
		if (!read_length(&in, in_end, &match))
			return -1;
		match += MIN_MATCH;
		if (match > (u64)(out_end - out))
			return -1;
		/*
		 * Byte by byte: a match may overlap what it writes (offset 1 repeats a byte). One that starts in
		 * the dictionary goes on at the start of the output when it reaches the dictionary's end.
		 */
		from = offset <= (u64)(out - dst) ? out - offset : dict_end - (offset - (u64)(out - dst));
		for (u64 i = 0; i < match; i++) {
			out[i] = *from++;
			if (from == dict_end)
				from = dst;
		}
		out += match;
	}
	return out - dst;
}
