package instance

import (
	"bytes"
	"testing"

	"github.com/google/pprof/profile"
)

// TestProfiler: a profiler samples a recursive fib (cpu.wasm's function
// 1, which has no name) and its profile puts it on top; one profiler runs
// at a time; the written profile parses.
func TestProfiler(t *testing.T) {
	rt := newTestRuntime(t, Config{MemorySlots: 1, MemorySlotBytes: 1 << 20})
	inst, err := rt.InstantiateWasm(ctx, readWasm(t, "cpu"), ModuleConfig{Name: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := rt.StartProfiler(0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.StartProfiler(0); err == nil {
		t.Error("a second StartProfiler succeeded")
	}
	fib := inst.ExportedFunction("fib")
	for range 3 {
		if _, err := fib.Call(ctx, 27); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := p.WriteProfile(&buf); err != nil {
		t.Fatal(err)
	}
	if p.Stop() != nil {
		t.Error("a second Stop returned a profile")
	}
	prof, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	leaf := map[string]int64{}
	for _, s := range prof.Sample {
		leaf[s.Location[0].Line[0].Function.Name] += s.Value[0]
	}
	if leaf["cpu.$1"] < 5 || len(leaf) != 1 {
		t.Errorf("leaf samples %v, want only cpu.$1, at least 5", leaf)
	}
	// A new profiler may start after Stop; Close stops a running one.
	if _, err := rt.StartProfiler(0); err != nil {
		t.Errorf("StartProfiler after Stop: %v", err)
	}
	rt.Close(ctx)
	if _, err := rt.StartProfiler(0); err == nil {
		t.Error("StartProfiler after Close succeeded")
	}
}
