/* fib: the naive doubly recursive Fibonacci; measures calls and returns. */
#include "common.h"

__attribute__((noinline)) static uint32_t fib(uint32_t n) {
	if (n < 2)
		return n;
	return fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv) {
	long n = size_arg(argc, argv, 34);
	uint32_t r = fib((uint32_t)n);
	printf("fib %ld %u\n", n, r);
	return 0;
}
