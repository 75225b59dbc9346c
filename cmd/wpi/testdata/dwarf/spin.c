// A WASI command that spends its time in spin(), for wpi's profile test
// (a guest profile names spin with its file and lines). Built by build.sh.

__attribute__((noinline)) unsigned spin(unsigned n) {
	volatile unsigned acc = 0;
	for (unsigned i = 0; i < n; i++)
		acc += i * i;
	return acc;
}

int main(int argc, char **argv) {
	unsigned n = 0;
	for (const char *p = argc > 1 ? argv[1] : "1000000"; *p >= '0' && *p <= '9'; p++)
		n = 10 * n + (unsigned)(*p - '0');
	return spin(n) == 1 ? 1 : 0;
}
