/*
 * A stand-in bcryptprimitives.dll for Wine 8.0 (Debian 12's), which lacks
 * it: Go 1.22+ programs for windows call ProcessPrng from it at start-up
 * and die with "bcryptprimitives.dll not found" otherwise. ProcessPrng
 * fills the buffer from RDRAND; good enough for running tests, not for
 * keys. scripts/wine-test.sh builds it (clang, lld-link) into the Wine
 * prefix's system32.
 */
typedef unsigned char BYTE;
typedef unsigned long long SIZE_T;

__declspec(dllexport) int ProcessPrng(BYTE *p, SIZE_T n) {
	while (n > 0) {
		unsigned long long v;
		unsigned char ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
		if (!ok)
			continue;
		for (int i = 0; i < 8 && n > 0; i++, n--) {
			*p++ = (BYTE)v;
			v >>= 8;
		}
	}
	return 1;
}
