/*
 * memloops: memcpy-, memset- and memmove-like loops written out by hand,
 * over bytes and over 32- and 64-bit words, on two buffers of size bytes.
 * no_builtin keeps clang from turning the loops back into libc calls, so
 * the engine runs the loads and stores itself.
 */
#include "common.h"

#define NOLIBC __attribute__((noinline, no_builtin("memcpy", "memset", "memmove")))

NOLIBC static void copy_bytes(unsigned char *d, const unsigned char *s, long n) {
	for (long i = 0; i < n; i++)
		d[i] = s[i];
}

NOLIBC static void set_bytes(unsigned char *d, unsigned char v, long n) {
	for (long i = 0; i < n; i++)
		d[i] = v;
}

NOLIBC static void move_bytes_back(unsigned char *d, const unsigned char *s, long n) {
	for (long i = n - 1; i >= 0; i--)
		d[i] = s[i];
}

NOLIBC static void copy_words(uint32_t *d, const uint32_t *s, long n) {
	for (long i = 0; i < n; i++)
		d[i] = s[i];
}

NOLIBC static void set_words64(uint64_t *d, uint64_t v, long n) {
	for (long i = 0; i < n; i++)
		d[i] = v;
}

NOLIBC static void xor_words64(uint64_t *d, const uint64_t *s, long n) {
	for (long i = 0; i < n; i++)
		d[i] ^= s[i] + (uint64_t)i;
}

static uint32_t sum_bytes(const unsigned char *p, long n) {
	uint32_t s = 0;
	for (long i = 0; i < n; i++)
		s += p[i] * (uint32_t)(i | 1);
	return s;
}

static uint64_t sum_words64(const uint64_t *p, long n) {
	uint64_t s = 0;
	for (long i = 0; i < n; i++)
		s = (s << 1 | s >> 63) ^ p[i];
	return s;
}

int main(int argc, char **argv) {
	long n = size_arg(argc, argv, 1 << 20) & ~7L;
	unsigned char *a = malloc((size_t)n + 64), *b = malloc((size_t)n + 64);
	for (long i = 0; i < n + 64; i++)
		a[i] = (unsigned char)(rng() >> 24);
	uint32_t acc = 2166136261u;
	for (int round = 0; round < 4; round++) {
		copy_bytes(b, a, n);
		sink(&acc, sum_bytes(b, n));
		set_bytes(b, (unsigned char)(round * 37 + 1), n / 2);
		move_bytes_back(b + 3, b, n - 3);
		sink(&acc, sum_bytes(b, n));
		copy_words((uint32_t *)a, (const uint32_t *)b, n / 4);
		set_words64((uint64_t *)b, 0x0123456789abcdefull * (uint64_t)(round + 1), n / 16);
		xor_words64((uint64_t *)a, (const uint64_t *)b, n / 8);
		uint64_t s = sum_words64((const uint64_t *)a, n / 8);
		sink(&acc, (uint32_t)s ^ (uint32_t)(s >> 32));
	}
	printf("memloops %ld %08x\n", n, acc);
	return 0;
}
