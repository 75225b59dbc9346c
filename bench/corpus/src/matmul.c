/*
 * matmul: C = A x B for size x size f64 matrices in row-major order
 * (i-k-j loop order), then the same in i32 with wrapping arithmetic.
 */
#include "common.h"

int main(int argc, char **argv) {
	long n = size_arg(argc, argv, 200);
	double *a = malloc((size_t)(n * n) * sizeof(double));
	double *b = malloc((size_t)(n * n) * sizeof(double));
	double *c = calloc((size_t)(n * n), sizeof(double));
	uint32_t *ia = malloc((size_t)(n * n) * sizeof(uint32_t));
	uint32_t *ib = malloc((size_t)(n * n) * sizeof(uint32_t));
	uint32_t *ic = calloc((size_t)(n * n), sizeof(uint32_t));
	for (long i = 0; i < n * n; i++) {
		ia[i] = rng();
		ib[i] = rng();
		a[i] = (double)(ia[i] >> 8) / 16777216.0 - 0.5;
		b[i] = (double)(ib[i] >> 8) / 16777216.0 - 0.5;
	}
	for (long i = 0; i < n; i++)
		for (long k = 0; k < n; k++) {
			double aik = a[i * n + k];
			uint32_t iaik = ia[i * n + k];
			for (long j = 0; j < n; j++) {
				c[i * n + j] += aik * b[k * n + j];
				ic[i * n + j] += iaik * ib[k * n + j];
			}
		}
	double trace = 0, sum = 0;
	uint32_t acc = 2166136261u;
	for (long i = 0; i < n; i++)
		trace += c[i * n + i];
	for (long i = 0; i < n * n; i++) {
		sum += c[i];
		sink(&acc, ic[i]);
	}
	printf("matmul %ld %.9f %.9f %08x\n", n, trace, sum, acc);
	return 0;
}
