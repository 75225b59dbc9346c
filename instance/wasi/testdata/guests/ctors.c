// A WASI reactor whose start-up is the heavy part, as real ones are: its
// constructors fill a 256 KiB table with pseudo-random numbers and sort
// it (qsort), build a heap string and read the environment; the exports
// then only look things up. Built by build.sh (clang, wasi-libc).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N (64 * 1024) // 256 KiB of uint32_t

static uint32_t table[N];
static char *greeting;
static uint64_t checksum;
static int calls;

static int cmp(const void *a, const void *b) {
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

__attribute__((constructor)) static void build_table(void) {
	uint32_t x = 2463534242u;
	for (int i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		table[i] = x;
	}
	qsort(table, N, sizeof table[0], cmp);
	for (int i = 0; i < N; i++)
		checksum = checksum * 31 + table[i];
}

__attribute__((constructor)) static void build_greeting(void) {
	const char *who = getenv("GREET");
	size_t n = strlen("hello, ") + strlen(who ? who : "world") + 1;
	greeting = malloc(n);
	snprintf(greeting, n, "hello, %s", who ? who : "world");
}

// lookup returns the i-th smallest number of the table.
__attribute__((export_name("lookup"))) uint32_t lookup(uint32_t i) { return table[i % N]; }

// rank returns how many numbers of the table are below v (binary search).
__attribute__((export_name("rank"))) uint32_t rank(uint32_t v) {
	uint32_t lo = 0, hi = N;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (table[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

// sum returns the constructors' checksum, folded to 32 bits.
__attribute__((export_name("sum"))) uint32_t sum(void) { return (uint32_t)(checksum ^ (checksum >> 32)); }

// hello prints the greeting and a count of the calls so far, and returns
// the length printed.
__attribute__((export_name("hello"))) int hello(int n) {
	calls++;
	int len = printf("%s #%d (%d)\n", greeting, calls, n);
	fflush(stdout);
	return len;
}

// scratch allocates pages 4 KiB pages on the heap, writes them, frees
// them and returns a checksum: the heap grows and changes.
__attribute__((export_name("scratch"))) uint32_t scratch(int pages) {
	size_t n = (size_t)pages * 4096;
	unsigned char *p = malloc(n);
	if (!p)
		return 0;
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7);
	uint32_t s = 0;
	for (size_t i = 0; i < n; i += 97)
		s += p[i];
	free(p);
	return s;
}

// quit exits the process with code.
__attribute__((export_name("quit"))) void quit(int code) { exit(code); }
