// A WASI command that traps three calls deep, for wpi's DWARF backtrace
// test. Built by build.sh.
#include <unistd.h>

static int depth;

__attribute__((noinline)) void fail(int x) {
	depth = x;
	__builtin_trap();
}

__attribute__((noinline)) void middle(int x) {
	write(1, "middle\n", 7);
	fail(x + 1);
}

int main(void) {
	middle(41);
	return 0;
}
