// simd.c: exercises clang's bulk-memory and SIMD code generation.
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <wasm_simd128.h>

static uint8_t a[4096], b[4096], c[4096];

static uint32_t fnv1a(const uint8_t *p, size_t n) {
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 16777619u; }
	return h;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	for (int i = 0; i < 4096; i++) { a[i] = (uint8_t)(i * 7); b[i] = (uint8_t)(i * 13 + 1); }
	memset(c, 0x11, sizeof c);          // memory.fill with -mbulk-memory
	float acc = 0;
	for (int r = 0; r < n; r++) {
		for (int i = 0; i < 4096; i += 16) {
			v128_t x = wasm_v128_load(a + i), y = wasm_v128_load(b + i);
			v128_t s = wasm_u8x16_add_sat(x, y);
			s = wasm_v128_xor(s, wasm_i8x16_shuffle(x, y, 0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14, 31));
			wasm_v128_store(c + i, s);
		}
		memmove(a + 1, a, 4095);       // memory.copy
		v128_t f = wasm_f32x4_splat((float)r);
		f = wasm_f32x4_mul(f, wasm_f32x4_make(0.5f, 1.5f, 2.5f, 3.5f));
		f = wasm_f32x4_sqrt(wasm_f32x4_abs(f));
		acc += wasm_f32x4_extract_lane(f, 0) + wasm_f32x4_extract_lane(f, 3);
	}
	int32_t dots = 0;
	for (int i = 0; i < 4096; i += 16) {
		v128_t x = wasm_u16x8_extend_low_u8x16(wasm_v128_load(c + i));
		v128_t d = wasm_i32x4_dot_i16x8(x, x);
		dots += wasm_i32x4_extract_lane(d, 0) + wasm_i32x4_extract_lane(d, 2);
	}
	printf("fnv=%08x dots=%d acc=%.3f\n", fnv1a(c, sizeof c), dots, acc);
	return 0;
}
