package instance

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
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

// TestCompilationCache: NewCompilationCacheWithDir creates the directory
// (and its parents), Config.WithCompilationCache sets CacheDir from it
// (nil clears it), two runtimes made with it share the verdicts, Close
// keeps them, and a path that is a file, or "", is an error.
func TestCompilationCache(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "cache")
	cache, err := NewCompilationCacheWithDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("NewCompilationCacheWithDir(%q) did not create the directory: %v", dir, err)
	}
	cfg := Config{MemorySlots: 1, MemorySlotBytes: 1 << 20}.WithCompilationCache(cache)
	if diff := cmp.Diff(dir, cfg.CacheDir); diff != "" {
		t.Errorf("WithCompilationCache: CacheDir (-want +got)\n%s", diff)
	}
	if got := cfg.WithCompilationCache(nil).CacheDir; got != "" {
		t.Errorf("WithCompilationCache(nil): CacheDir %q, want \"\"", got)
	}
	bin := readWasm(t, "calls")
	before := validations.Load()
	for range 2 { // two runtimes, as in wazero's multiple-runtimes example
		rt := newTestRuntime(t, cfg)
		if _, err := rt.Compile(ctx, bin); err != nil {
			t.Fatal(err)
		}
	}
	if got := validations.Load() - before; got != 1 {
		t.Errorf("two runtimes sharing the cache ran %d validations, want 1", got)
	}
	if err := cache.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.valid")); len(files) != 1 {
		t.Errorf("after Close the cache holds %v, want one verdict", files)
	}

	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", file, filepath.Join(file, "sub")} {
		if c, err := NewCompilationCacheWithDir(bad); err == nil {
			t.Errorf("NewCompilationCacheWithDir(%q) = %v, want an error", bad, c)
		}
	}
}

// MustNewRuntime returns NewRuntime's runtime, and panics with its error
// on a configuration NewRuntime refuses.
func TestMustNewRuntime(t *testing.T) {
	rt := MustNewRuntime(ctx, Config{MemorySlots: 1, MemorySlotBytes: 1 << 20})
	defer rt.Close(ctx)
	if diff := cmp.Diff(uint64(1<<20), rt.Config().MemorySlotBytes); diff != "" {
		t.Errorf("MemorySlotBytes (-want +got)\n%s", diff)
	}
	bad := Config{MemorySlotBytes: maxSlotBytes + 1}
	_, wantErr := NewRuntime(ctx, bad)
	if wantErr == nil {
		t.Fatal("NewRuntime accepted MemorySlotBytes past 4 GiB")
	}
	defer func() {
		p := recover()
		err, ok := p.(error)
		if !ok || err.Error() != wantErr.Error() {
			t.Errorf("MustNewRuntime panicked with %v, want NewRuntime's error %q", p, wantErr)
		}
	}()
	MustNewRuntime(ctx, bad)
	t.Error("MustNewRuntime did not panic")
}
