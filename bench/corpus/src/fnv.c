/*
 * fnv: FNV-1a hashes, 32-bit and 64-bit, of a buffer of size bytes and of
 * each of its 64-byte chunks, repeated; i32 and i64 multiplies on a serial
 * dependency chain.
 */
#include "common.h"

static uint32_t fnv32(const unsigned char *p, long n) {
	uint32_t h = 2166136261u;
	for (long i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static uint64_t fnv64(const unsigned char *p, long n) {
	uint64_t h = 14695981039346656037ull;
	for (long i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

int main(int argc, char **argv) {
	long n = size_arg(argc, argv, 1 << 20);
	unsigned char *buf = malloc((size_t)n);
	for (long i = 0; i < n; i++)
		buf[i] = (unsigned char)(rng() >> 24);
	uint32_t h32 = 0, acc = 2166136261u;
	uint64_t h64 = 0;
	for (int round = 0; round < 6; round++) {
		buf[round] ^= (unsigned char)round;
		h32 ^= fnv32(buf, n);
		h64 ^= fnv64(buf, n);
		for (long off = 0; off + 64 <= n; off += 64)
			sink(&acc, fnv32(buf + off, 64) ^ (uint32_t)fnv64(buf + off, 64));
	}
	printf("fnv %ld %08x %016llx %08x\n", n, h32, (unsigned long long)h64, acc);
	return 0;
}
