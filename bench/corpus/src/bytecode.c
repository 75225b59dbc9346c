/*
 * bytecode: a tiny stack-based virtual machine (a switch loop over one-byte
 * opcodes with inline operands) running a program that counts the primes
 * below size by trial division and sums Collatz steps. The classic shape of
 * a scripting-language interpreter loop: indirect branch, operand stack in
 * memory, locals array.
 */
#include "common.h"

enum {
	PUSH,  /* push imm32 */
	LOAD,  /* push local[imm8] */
	STORE, /* local[imm8] = pop */
	ADD, SUB, MUL, DIV, MOD, AND, SHR,
	LT,    /* push (a < b) */
	EQ,
	JMP,   /* pc = imm16 */
	JZ,    /* if pop == 0: pc = imm16 */
	INC,   /* local[imm8]++ */
	HALT,
};

static int32_t run(const unsigned char *code, int32_t *locals) {
	int32_t stack[64];
	int sp = 0;
	int pc = 0;
	for (;;) {
		unsigned char op = code[pc++];
		switch (op) {
		case PUSH:
			stack[sp++] = (int32_t)(code[pc] | code[pc + 1] << 8 | code[pc + 2] << 16 | (uint32_t)code[pc + 3] << 24);
			pc += 4;
			break;
		case LOAD:
			stack[sp++] = locals[code[pc++]];
			break;
		case STORE:
			locals[code[pc++]] = stack[--sp];
			break;
		case ADD: sp--; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] + (uint32_t)stack[sp]); break;
		case SUB: sp--; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] - (uint32_t)stack[sp]); break;
		case MUL: sp--; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] * (uint32_t)stack[sp]); break;
		case DIV: sp--; stack[sp - 1] /= stack[sp]; break;
		case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
		case AND: sp--; stack[sp - 1] &= stack[sp]; break;
		case SHR: sp--; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] >> stack[sp]); break;
		case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
		case EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
		case JMP:
			pc = code[pc] | code[pc + 1] << 8;
			break;
		case JZ:
			if (stack[--sp] == 0)
				pc = code[pc] | code[pc + 1] << 8;
			else
				pc += 2;
			break;
		case INC:
			locals[code[pc++]]++;
			break;
		case HALT:
			return stack[sp - 1];
		default:
			return -1;
		}
	}
}

/* A minimal assembler with back-patched forward labels. */
static unsigned char prog[512];
static int plen;

static void op(int o) { prog[plen++] = (unsigned char)o; }
static void op8(int o, int a) { op(o); prog[plen++] = (unsigned char)a; }
static void push(int32_t v) {
	op(PUSH);
	for (int i = 0; i < 4; i++)
		prog[plen++] = (unsigned char)((uint32_t)v >> (8 * i));
}
static int jump(int o, int target) {
	op(o);
	int at = plen;
	prog[plen++] = (unsigned char)target;
	prog[plen++] = (unsigned char)(target >> 8);
	return at;
}
static void patch(int at, int target) {
	prog[at] = (unsigned char)target;
	prog[at + 1] = (unsigned char)(target >> 8);
}

enum { N, I, D, PRIME, COUNT, X, STEPS };

/*
 * count = 0; steps = 0
 * for i = 2; i < n; i++:
 *     prime = 1
 *     for d = 2; d*d <= i; d++: if i % d == 0 { prime = 0; break }
 *     count += prime
 *     if i % 16 == 0: x = i; while x != 1 { x = x&1 ? 3x+1 : x/2; steps++ }
 * return count * 65536 + steps
 */
static void assemble(void) {
	push(0); op8(STORE, COUNT);
	push(0); op8(STORE, STEPS);
	push(2); op8(STORE, I);
	int outer = plen;
	op8(LOAD, I); op8(LOAD, N); op(LT);
	int exit_outer = jump(JZ, 0);
	push(1); op8(STORE, PRIME);
	push(2); op8(STORE, D);
	int inner = plen;
	op8(LOAD, I); op8(LOAD, D); op8(LOAD, D); op(MUL); op(LT); /* i < d*d: done */
	int inner_test = jump(JZ, 0);
	int inner_done = jump(JMP, 0);
	patch(inner_test, plen);
	op8(LOAD, I); op8(LOAD, D); op(MOD);
	int divisor = jump(JZ, 0);
	op8(INC, D);
	jump(JMP, inner);
	patch(divisor, plen);
	push(0); op8(STORE, PRIME);
	patch(inner_done, plen);
	op8(LOAD, COUNT); op8(LOAD, PRIME); op(ADD); op8(STORE, COUNT);
	op8(LOAD, I); push(15); op(AND);
	int do_collatz = jump(JZ, 0);
	int skip_collatz = jump(JMP, 0);
	patch(do_collatz, plen);
	op8(LOAD, I); op8(STORE, X);
	int collatz = plen;
	op8(LOAD, X); push(1); op(EQ);
	int collatz_body = jump(JZ, 0);
	int collatz_done = jump(JMP, 0);
	patch(collatz_body, plen);
	op8(INC, STEPS);
	op8(LOAD, X); push(1); op(AND);
	int even = jump(JZ, 0);
	op8(LOAD, X); push(3); op(MUL); push(1); op(ADD); op8(STORE, X);
	jump(JMP, collatz);
	patch(even, plen);
	op8(LOAD, X); push(1); op(SHR); op8(STORE, X);
	jump(JMP, collatz);
	patch(collatz_done, plen);
	patch(skip_collatz, plen);
	op8(INC, I);
	jump(JMP, outer);
	patch(exit_outer, plen);
	op8(LOAD, COUNT); push(65536); op(MUL); op8(LOAD, STEPS); op(ADD);
	op(HALT);
}

int main(int argc, char **argv) {
	long n = size_arg(argc, argv, 40000);
	assemble();
	int32_t locals[8] = {0};
	locals[N] = (int32_t)n;
	int32_t r = run(prog, locals);
	printf("bytecode %ld %d %d %d\n", n, r, locals[COUNT], locals[STEPS]);
	return 0;
}
