/*
 * crc32: the IEEE CRC-32 (reflected polynomial 0xEDB88320) of a buffer of
 * size pseudo-random bytes, table-driven one byte at a time, repeated; byte
 * loads, table lookups, shifts and xors.
 */
#include "common.h"

static uint32_t table[256];

static void make_table(void) {
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
}

static uint32_t crc32(uint32_t crc, const unsigned char *p, long n) {
	crc = ~crc;
	for (long i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

int main(int argc, char **argv) {
	long n = size_arg(argc, argv, 1 << 20);
	unsigned char *buf = malloc((size_t)n);
	for (long i = 0; i < n; i++)
		buf[i] = (unsigned char)(rng() >> 24);
	make_table();
	uint32_t crc = 0, acc = 2166136261u;
	for (int round = 0; round < 16; round++) {
		crc = crc32(crc, buf, n);
		sink(&acc, crc);
	}
	printf("crc32 %ld %08x %08x\n", n, crc, acc);
	return 0;
}
