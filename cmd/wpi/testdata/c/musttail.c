/*
 * A C program whose hot paths are guaranteed tail calls (clang's
 * musttail; with -mtail-call they are wasm's return_call and
 * return_call_indirect): two mutually tail-recursive functions counting
 * down n steps, and a threaded-code interpreter whose handlers tail-call
 * the next one through a table. Both run in constant stack only if the
 * engine reuses the caller's frame: n is far past any call-depth limit.
 * Usage: musttail [N] (default 1000000). Built by build.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t odd(uint64_t n, uint64_t acc);

__attribute__((noinline)) static uint64_t even(uint64_t n, uint64_t acc) {
	if (n == 0)
		return acc;
	__attribute__((musttail)) return odd(n - 1, acc * 3 + 1);
}

__attribute__((noinline)) static uint64_t odd(uint64_t n, uint64_t acc) {
	if (n == 0)
		return acc ^ 1;
	__attribute__((musttail)) return even(n - 1, acc ^ (acc >> 7));
}

/* The interpreter: acc, two registers, a byte code with signed jumps. */
enum { LOAD0, JZ, DEC, STORE0, MIX1, JMP, HALT };

typedef int64_t (*handler)(const int8_t *pc, int64_t acc, int64_t *r);
extern const handler ops[];

#define NEXT(pc) __attribute__((musttail)) return ops[*(pc)]((pc) + 1, acc, r)

static int64_t op_load0(const int8_t *pc, int64_t acc, int64_t *r) { acc = r[0]; NEXT(pc); }
static int64_t op_jz(const int8_t *pc, int64_t acc, int64_t *r) {
	if (acc == 0) {
		NEXT(pc + 1 + pc[0]);
	}
	NEXT(pc + 1);
}
static int64_t op_dec(const int8_t *pc, int64_t acc, int64_t *r) { acc--; NEXT(pc); }
static int64_t op_store0(const int8_t *pc, int64_t acc, int64_t *r) { r[0] = acc; NEXT(pc); }
static int64_t op_mix1(const int8_t *pc, int64_t acc, int64_t *r) {
	r[1] = (r[1] ^ acc) * 0x100000001b3LL + (r[1] >> 11);
	NEXT(pc);
}
static int64_t op_jmp(const int8_t *pc, int64_t acc, int64_t *r) { NEXT(pc + 1 + pc[0]); }
static int64_t op_halt(const int8_t *pc, int64_t acc, int64_t *r) { return r[1]; }

const handler ops[] = {op_load0, op_jz, op_dec, op_store0, op_mix1, op_jmp, op_halt};

int main(int argc, char **argv) {
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	printf("even/odd %llu: %llu\n", (unsigned long long)n, (unsigned long long)even(n, 7));

	/* 0: LOAD0; 1: JZ +5 (to 8); 3: DEC; 4: STORE0; 5: MIX1; 6: JMP -8 (to 0); 8: HALT */
	static const int8_t code[] = {LOAD0, JZ, 5, DEC, STORE0, MIX1, JMP, -8, HALT};
	int64_t r[2] = {(int64_t)n, 1469598103934665603LL};
	printf("interpreter %llu: %lld\n", (unsigned long long)n, (long long)ops[code[0]](code + 1, 0, r));
	return 0;
}
