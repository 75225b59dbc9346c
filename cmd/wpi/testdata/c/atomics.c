// C11 atomics on a shared memory (wasm threads: -matomics, linked with
// --shared-memory). Single-threaded (wasi-libc here has no threads
// build): it exercises the atomic instructions clang emits for
// <stdatomic.h> and the wait/notify builtins, and prints the results.
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static _Atomic int32_t counter32;
static _Atomic int64_t counter64;
static _Atomic uint8_t counter8;
static _Atomic uint16_t counter16;
static _Atomic uint32_t bits;
static _Atomic int32_t flag;

int main(int argc, char **argv) {
	long n = argc > 1 ? strtol(argv[1], 0, 10) : 1000;
	for (long i = 0; i < n; i++) {
		atomic_fetch_add(&counter32, 3);
		atomic_fetch_sub(&counter64, 5);
		atomic_fetch_add_explicit(&counter8, 7, memory_order_relaxed);
		atomic_fetch_add(&counter16, 11);
		atomic_fetch_or(&bits, 1u << (i % 32));
		atomic_fetch_xor(&bits, 1u << ((i * 7) % 32));
		atomic_fetch_and(&bits, ~(1u << ((i * 13) % 32)));
	}
	atomic_thread_fence(memory_order_seq_cst);
	printf("counter32 %d\n", (int)atomic_load(&counter32));
	printf("counter64 %lld\n", (long long)atomic_load(&counter64));
	printf("counter8 %u\n", (unsigned)atomic_load(&counter8));
	printf("counter16 %u\n", (unsigned)atomic_load(&counter16));
	printf("bits %08x\n", (unsigned)atomic_load(&bits));

	// A spin lock by compare-exchange and exchange.
	int32_t expected = 0;
	int won = atomic_compare_exchange_strong(&flag, &expected, 1);
	printf("cas 0->1: %d (saw %d)\n", won, (int)expected);
	expected = 0;
	won = atomic_compare_exchange_strong(&flag, &expected, 2);
	printf("cas 0->2: %d (saw %d)\n", won, (int)expected);
	printf("exchange: %d\n", (int)atomic_exchange(&flag, 9));
	uint8_t e8 = (uint8_t)(7 * n);
	won = atomic_compare_exchange_strong(&counter8, &e8, 1);
	printf("cas8: %d, now %u\n", won, (unsigned)atomic_load(&counter8));

	// wait/notify (memory.atomic.wait32/notify): a value that differs
	// returns 1 at once, an equal one times out (2) after 1 ms; nobody
	// waits, so notify wakes 0.
	printf("wait32 not-equal: %d\n", __builtin_wasm_memory_atomic_wait32((int *)&flag, 0, -1));
	printf("wait32 timeout: %d\n", __builtin_wasm_memory_atomic_wait32((int *)&flag, 9, 1000000));
	printf("wait64 not-equal: %d\n", __builtin_wasm_memory_atomic_wait64((long long *)&counter64, 1, -1));
	printf("notify: %u\n", __builtin_wasm_memory_atomic_notify((int *)&flag, 1));
	return 0;
}
