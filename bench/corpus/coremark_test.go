package corpus

import "testing"

func TestCoreMarkChecksum(t *testing.T) {
	out := "2K performance run parameters for coremark.\nTotal ticks      : 68\nIterations/Sec   : 294.117647\n" +
		"seedcrc          : 0xe9f5\n[0]crclist       : 0xe714\n[0]crcfinal      : 0x4983\nErrors detected\n"
	want := "seedcrc          : 0xe9f5\n[0]crclist       : 0xe714\n[0]crcfinal      : 0x4983\nErrors detected"
	if got := string(CoreMarkChecksum([]byte(out))); got != want {
		t.Errorf("CoreMarkChecksum = %q, want %q", got, want)
	}
}

func TestCoreMarkFromEnv(t *testing.T) {
	t.Setenv("WPI_COREMARK", "testdata-does-not-exist.wasm")
	if _, p, err := CoreMark(); err == nil || p != "testdata-does-not-exist.wasm" {
		t.Errorf("CoreMark() = %q, %v; want the missing file's error", p, err)
	}
}
