package instance

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wpi-dev/wpi/memory"
)

// TestSteadyState checks the steady state of the echo workload with a
// fixed count, not a timing: once the slot is warm, a tenancy takes at
// most 0.001 page faults (the bound; getrusage counts the whole
// process, the Go runtime included), makes the pool do no madvise, finds
// the data image in place, and resets nothing (echo writes no memory).
// A tenancy allocates nothing (TestInstantiateAllocs), so the Go heap
// does not grow or collect either. scripts/steady-state.sh checks the system calls with
// strace.
func TestSteadyState(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	rt := newTestRuntime(t, Config{})
	cm, err := rt.Compile(ctx, readWasm(t, "echo"))
	if err != nil {
		t.Fatal(err)
	}
	stack := make([]uint64, 2)
	tenancy := func() {
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		stack[0], stack[1] = 1, 2
		if err := inst.ExportedFunction("echo").CallWithStack(ctx, stack); err != nil || stack[0] != 1 {
			t.Fatalf("echo: %v, %d", err, stack[0])
		}
		inst.Close(ctx)
	}
	// Warm up the slot, the recycled instance state and the interpreter's
	// machine.
	for range 10_000 {
		tenancy()
	}
	before := rt.PoolStats()
	// Where the OS counts no page faults for us (Windows), only the pool's
	// counters are checked.
	minor0, _, faultsErr := memory.Faults()
	if faultsErr != nil && !errors.Is(faultsErr, memory.ErrFaultsUnavailable) {
		t.Fatal(faultsErr)
	}
	for range n {
		tenancy()
	}
	minor1, _, _ := memory.Faults()
	after := rt.PoolStats()

	if faultsErr == nil {
		perInst := float64(minor1-minor0) / float64(n)
		t.Logf("%.5f minor faults per instance over %d instances", perInst, n)
		if perInst > 0.001 && !raceEnabled {
			t.Errorf("%.4f minor faults per instance over %d instances, want <= 0.001", perInst, n)
		}
	}
	// The goroutine may move to another P, whose home shard has no warm
	// slot yet: that costs one image copy per shard at most, once.
	cold := after.ImageWrites - before.ImageWrites
	if shards := uint64(rt.pool.p.Shards()); cold > shards {
		t.Errorf("%d image copies over %d warm instances, want at most one per shard (%d)", cold, n, shards)
	}
	type delta struct{ Acquires, WarmHits, ImageHits, MemsetBytes, MadviseCalls, Evictions uint64 }
	want := delta{Acquires: uint64(n), WarmHits: uint64(n) - cold, ImageHits: uint64(n) - cold}
	got := delta{
		after.Acquires - before.Acquires, after.WarmHits - before.WarmHits,
		after.ImageHits - before.ImageHits,
		after.MemsetBytes - before.MemsetBytes, after.MadviseCalls - before.MadviseCalls,
		after.Evictions - before.Evictions,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pool work over %d warm instances (-want +got):\n%s", n, diff)
	}
}
