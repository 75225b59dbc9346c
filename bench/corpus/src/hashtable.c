/*
 * hashtable: an open-addressing hash table (linear probing, power-of-two
 * capacity, 64-bit keys and 32-bit values, tombstone-free deletion by
 * backward shift). Inserts size keys, looks up 4 x size keys of which half
 * are present, deletes every third key and looks them up again.
 */
#include "common.h"

struct table {
	uint64_t *keys; /* 0 marks an empty slot; keys are never 0 */
	uint32_t *vals;
	uint32_t mask;
	uint32_t len;
};

static inline uint32_t hash(uint64_t k) {
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (uint32_t)k;
}

static void put(struct table *t, uint64_t k, uint32_t v) {
	uint32_t i = hash(k) & t->mask;
	while (t->keys[i] != 0) {
		if (t->keys[i] == k) {
			t->vals[i] = v;
			return;
		}
		i = (i + 1) & t->mask;
	}
	t->keys[i] = k;
	t->vals[i] = v;
	t->len++;
}

static int get(const struct table *t, uint64_t k, uint32_t *v) {
	uint32_t i = hash(k) & t->mask;
	while (t->keys[i] != 0) {
		if (t->keys[i] == k) {
			*v = t->vals[i];
			return 1;
		}
		i = (i + 1) & t->mask;
	}
	return 0;
}

static void del(struct table *t, uint64_t k) {
	uint32_t i = hash(k) & t->mask;
	while (t->keys[i] != k) {
		if (t->keys[i] == 0)
			return;
		i = (i + 1) & t->mask;
	}
	/* Shift later members of the cluster back over the hole. */
	uint32_t hole = i;
	for (;;) {
		i = (i + 1) & t->mask;
		if (t->keys[i] == 0)
			break;
		uint32_t home = hash(t->keys[i]) & t->mask;
		/* Move i into hole unless its home lies cyclically in (hole, i]. */
		if (((i - home) & t->mask) >= ((i - hole) & t->mask)) {
			t->keys[hole] = t->keys[i];
			t->vals[hole] = t->vals[i];
			hole = i;
		}
	}
	t->keys[hole] = 0;
	t->len--;
}

static uint64_t key(uint32_t i) { return ((uint64_t)i * 0x9E3779B97F4A7C15ull) | 1; }

int main(int argc, char **argv) {
	long n = size_arg(argc, argv, 200000);
	uint32_t cap = 1;
	while (cap < (uint32_t)n * 2)
		cap <<= 1;
	struct table t = {calloc(cap, sizeof(uint64_t)), calloc(cap, sizeof(uint32_t)), cap - 1, 0};
	uint32_t acc = 2166136261u, v;
	for (uint32_t i = 0; i < (uint32_t)n; i++)
		put(&t, key(i), i * 7 + 1);
	long hits = 0;
	for (uint32_t r = 0; r < 4; r++)
		for (uint32_t i = 0; i < (uint32_t)n; i++) {
			uint32_t q = (i * 2654435761u + r) % (uint32_t)(2 * n);
			if (get(&t, key(q), &v)) {
				hits++;
				sink(&acc, v);
			}
		}
	for (uint32_t i = 0; i < (uint32_t)n; i += 3)
		del(&t, key(i));
	long after = 0;
	for (uint32_t i = 0; i < (uint32_t)n; i++)
		if (get(&t, key(i), &v)) {
			after++;
			sink(&acc, v ^ i);
		}
	printf("hashtable %ld %ld %ld %u %08x\n", n, hits, after, t.len, acc);
	return 0;
}
