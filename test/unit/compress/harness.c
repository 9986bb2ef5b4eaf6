// SPDX-License-Identifier: Apache-2.0
/*
 * The runtime's LZ4 expander on the build machine, under AddressSanitizer: every buffer is a heap block of
 * exactly its size, so a read or write one byte outside fails the run.
 *   harness expand BLOCK SIZE OUT [DICT]   expand BLOCK into SIZE bytes (against the dictionary file DICT),
 *                                          write them to OUT
 *   harness fuzz BLOCK SIZE SEED N [DICT]  N damaged copies of BLOCK (bytes changed, cut short): each expands
 *                                          inside its buffers or is refused
 * The dictionary, too, is a heap block of exactly its size: a match reaching before it fails the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/lz4.h>

static unsigned char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		perror(path);
		exit(1);
	}
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static unsigned long long rng_state;

static unsigned long long rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

int main(int argc, char **argv)
{
	size_t block_size, dict_size = 0;
	unsigned char *block, *dict = NULL;
	unsigned long long size;

	if (argc < 4) {
		fprintf(stderr, "usage: harness expand BLOCK SIZE OUT [DICT] | fuzz BLOCK SIZE SEED N [DICT]\n");
		return 1;
	}
	block = read_file(argv[2], &block_size);
	size = strtoull(argv[3], NULL, 0);

	if (!strcmp(argv[1], "expand") && (argc == 5 || argc == 6)) {
		unsigned char *out = malloc(size ? size : 1);
		s64 n;

		if (argc == 6)
			dict = read_file(argv[5], &dict_size);
		n = hv_lz4_expand(out, size, block, block_size, dict, dict_size);
		FILE *f;

		if (n < 0) {
			printf("harness: malformed\n");
			return 2;
		}
		f = fopen(argv[4], "wb");
		if (!f || fwrite(out, 1, (size_t)n, f) != (size_t)n || fclose(f)) {
			perror(argv[4]);
			return 1;
		}
		printf("harness: expanded %lld bytes\n", (long long)n);
		return 0;
	}
	if (!strcmp(argv[1], "fuzz") && (argc == 6 || argc == 7)) {
		unsigned long rounds = strtoul(argv[5], NULL, 0), refused = 0, expanded = 0;

		if (argc == 7)
			dict = read_file(argv[6], &dict_size);
		rng_state = strtoull(argv[4], NULL, 0) | 1;
		for (unsigned long r = 0; r < rounds; r++) {
			size_t len = block_size;
			unsigned char *copy, *out;
			unsigned long long room = size;
			s64 n;

			if (rng() % 4 == 0 && len)
				len = rng() % len;			/* cut short */
			copy = malloc(len ? len : 1);
			memcpy(copy, block, len);
			for (int k = rng() % 4; k >= 0 && len; k--)
				copy[rng() % len] = (unsigned char)rng();	/* a damaged byte */
			if (rng() % 4 == 0 && room)
				room = rng() % room;			/* a buffer too small */
			out = malloc(room ? room : 1);
			n = hv_lz4_expand(out, room, copy, len, dict, dict_size);
			if (n < 0)
				refused++;
			else if ((unsigned long long)n > room) {
				printf("harness: FAILED: %lld bytes written into %llu\n", (long long)n, room);
				return 1;
			} else
				expanded++;
			free(out);
			free(copy);
		}
		printf("harness: fuzz ok (%lu rounds, %lu refused, %lu expanded)\n", rounds, refused, expanded);
		return 0;
	}
	fprintf(stderr, "harness: unknown command\n");
	return 1;
}
