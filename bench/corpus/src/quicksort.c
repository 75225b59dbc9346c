/*
 * quicksort: sorts size pseudo-random 32-bit integers with a hand-written
 * quicksort (median of three, insertion sort below 16 elements), several
 * times; loads, stores, compares and recursion.
 */
#include "common.h"

static void insertion(uint32_t *a, long n) {
	for (long i = 1; i < n; i++) {
		uint32_t v = a[i];
		long j = i - 1;
		while (j >= 0 && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

static void swap(uint32_t *a, long i, long j) {
	uint32_t t = a[i];
	a[i] = a[j];
	a[j] = t;
}

static void quicksort(uint32_t *a, long n) {
	while (n > 16) {
		long m = n / 2;
		if (a[m] < a[0])
			swap(a, m, 0);
		if (a[n - 1] < a[0])
			swap(a, n - 1, 0);
		if (a[n - 1] < a[m])
			swap(a, n - 1, m);
		uint32_t pivot = a[m];
		long i = 0, j = n - 1;
		for (;;) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i >= j)
				break;
			swap(a, i, j);
			i++;
			j--;
		}
		/* Recurse into the smaller half, loop on the larger one. */
		long left = j + 1;
		if (left < n - left) {
			quicksort(a, left);
			a += left;
			n -= left;
		} else {
			quicksort(a + left, n - left);
			n = left;
		}
	}
	insertion(a, n);
}

int main(int argc, char **argv) {
	long n = size_arg(argc, argv, 200000);
	uint32_t *a = malloc((size_t)n * sizeof *a);
	uint32_t acc = 2166136261u;
	for (int round = 0; round < 4; round++) {
		for (long i = 0; i < n; i++)
			a[i] = rng();
		quicksort(a, n);
		for (long i = 1; i < n; i++) {
			if (a[i - 1] > a[i]) {
				printf("quicksort: not sorted at %ld\n", i);
				return 1;
			}
		}
		for (long i = 0; i < n; i += 97)
			sink(&acc, a[i]);
	}
	printf("quicksort %ld %08x\n", n, acc);
	free(a);
	return 0;
}
