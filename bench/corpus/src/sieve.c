/*
 * sieve: the sieve of Eratosthenes over a byte array of size entries, run
 * eight times; byte stores with a stride, and a counting scan.
 */
#include <string.h>
#include "common.h"

int main(int argc, char **argv) {
	long n = size_arg(argc, argv, 1000000);
	unsigned char *composite = malloc((size_t)n + 1);
	long count = 0;
	uint32_t acc = 2166136261u;
	for (int round = 0; round < 8; round++) {
		memset(composite, 0, (size_t)n + 1);
		count = 0;
		for (long i = 2; i <= n; i++) {
			if (composite[i])
				continue;
			count++;
			sink(&acc, (uint32_t)i);
			if (i > n / i)
				continue;
			for (long j = i * i; j <= n; j += i)
				composite[j] = 1;
		}
	}
	printf("sieve %ld %ld %08x\n", n, count, acc);
	free(composite);
	return 0;
}
