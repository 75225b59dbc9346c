package instance

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCacheDir: the first Compile with a CacheDir validates and records
// the verdict; a Compile in a fresh runtime (as in a later process) finds
// it and skips validation; an invalid module is never recorded; another
// module or feature set is validated again.
func TestCacheDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	bin := readWasm(t, "cpu")
	compile := func(b []byte) error {
		rt := newTestRuntime(t, Config{MemorySlots: 1, MemorySlotBytes: 1 << 20, CacheDir: dir})
		_, err := rt.Compile(ctx, b)
		return err
	}
	before := validations.Load()
	if err := compile(bin); err != nil {
		t.Fatal(err)
	}
	if got := validations.Load() - before; got != 1 {
		t.Fatalf("first Compile ran %d validations, want 1", got)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.valid"))
	if len(files) != 1 {
		t.Fatalf("cache holds %v, want one verdict", files)
	}
	if err := compile(bin); err != nil {
		t.Fatal(err)
	}
	if got := validations.Load() - before; got != 1 {
		t.Errorf("second Compile validated again (%d validations)", got)
	}
	invalid := []byte("\x00asm\x01\x00\x00\x00\x01\x05\x01\x60\x00\x01\x7f\x03\x02\x01\x00\x0a\x04\x01\x02\x00\x0b")
	for range 2 {
		if err := compile(invalid); err == nil {
			t.Fatal("an invalid module compiled")
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.valid")); len(files) != 1 {
		t.Errorf("cache holds %v after an invalid module, want one verdict", files)
	}
	if err := compile(readWasm(t, "calls")); err != nil {
		t.Fatal(err)
	}
	if got := validations.Load() - before; got != 4 {
		t.Errorf("%d validations, want 4 (cpu once, the invalid module twice, calls once)", got)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
}
