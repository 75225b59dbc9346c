package corpus

import "testing"

// TestCoreMarkChecksum: a run under 10 s ("Errors detected") and a valid
// one ("Correct operation validated") with the same CRCs compare equal;
// their timing lines are dropped.
func TestCoreMarkChecksum(t *testing.T) {
	crcs := "seedcrc          : 0xe9f5\n[0]crclist       : 0xe714\n[0]crcfinal      : 0x4983\n"
	short := "2K performance run parameters for coremark.\nTotal ticks      : 68\nIterations/Sec   : 294.117647\n" +
		crcs + "Errors detected\n"
	valid := "2K performance run parameters for coremark.\nTotal ticks      : 12000\nIterations/Sec   : 2000.5\n" +
		crcs + "Correct operation validated. See README.md for run and reporting rules.\n"
	want := "seedcrc          : 0xe9f5\n[0]crclist       : 0xe714\n[0]crcfinal      : 0x4983"
	for name, out := range map[string]string{"short": short, "valid": valid} {
		if got := string(CoreMarkChecksum([]byte(out))); got != want {
			t.Errorf("%s run: CoreMarkChecksum = %q, want %q", name, got, want)
		}
	}
}

func TestCoreMarkFromEnv(t *testing.T) {
	t.Setenv("WPI_COREMARK", "testdata-does-not-exist.wasm")
	if _, p, err := CoreMark(); err == nil || p != "testdata-does-not-exist.wasm" {
		t.Errorf("CoreMark() = %q, %v; want the missing file's error", p, err)
	}
}
