/*
 * mandelbrot: escape-time iteration over a size x size grid of the
 * rectangle [-2,1] x [-1.5,1.5], at most 64 iterations per point. f64
 * multiply-add in a tight loop; the checksum hashes the iteration counts.
 */
#include "common.h"

int main(int argc, char **argv) {
	long n = size_arg(argc, argv, 600);
	uint32_t acc = 2166136261u;
	uint64_t total = 0;
	for (long py = 0; py < n; py++) {
		double ci = -1.5 + 3.0 * (double)py / (double)n;
		for (long px = 0; px < n; px++) {
			double cr = -2.0 + 3.0 * (double)px / (double)n;
			double zr = 0, zi = 0, zr2 = 0, zi2 = 0;
			int it = 0;
			while (it < 64 && zr2 + zi2 <= 4.0) {
				zi = 2.0 * zr * zi + ci;
				zr = zr2 - zi2 + cr;
				zr2 = zr * zr;
				zi2 = zi * zi;
				it++;
			}
			total += (uint64_t)it;
			sink(&acc, (uint32_t)it);
		}
	}
	printf("mandelbrot %ld %llu %08x\n", n, (unsigned long long)total, acc);
	return 0;
}
