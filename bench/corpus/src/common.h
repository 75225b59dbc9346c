/*
 * Shared helpers of the wpi benchmark corpus: the size argument and a
 * deterministic pseudo-random generator. Every program prints one line,
 * "<name> <size> <checksum>", which must be identical under every engine.
 */
#ifndef CORPUS_COMMON_H
#define CORPUS_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* size returns argv[1] as a positive integer, or def when absent. */
static long size_arg(int argc, char **argv, long def) {
	if (argc > 1) {
		long n = strtol(argv[1], NULL, 10);
		if (n > 0)
			return n;
	}
	return def;
}

/* xorshift32: cheap, deterministic, no libc state. */
static uint32_t rng_state = 2463534242u;

static inline uint32_t rng(void) {
	uint32_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x;
}

/* sink keeps a value alive without letting the optimizer fold the work. */
static inline void sink(uint32_t *acc, uint32_t v) {
	*acc = (*acc ^ v) * 16777619u;
}

#endif
