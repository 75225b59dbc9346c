package instance

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"
)

// sharedSetup instantiates shared_mem.wat as "shared" and compiles
// shared_worker.wat, whose instances import its memory.
func sharedSetup(t *testing.T) (*Runtime, Instance, *CompiledModule) {
	t.Helper()
	rt := newTestRuntime(t, Config{Features: SupportedFeatures, MemorySlots: 1}) // one slot: the shared memory always gets the warm one
	owner, err := rt.InstantiateWasm(ctx, readWasm(t, "shared_mem"), ModuleConfig{Name: "shared"})
	if err != nil {
		t.Fatal(err)
	}
	cm, err := rt.Compile(ctx, readWasm(t, "shared_worker"))
	if err != nil {
		t.Fatal(err)
	}
	return rt, owner, cm
}

func call1(t *testing.T, inst Instance, fn string, args ...uint64) uint64 {
	t.Helper()
	got, err := inst.ExportedFunction(fn).Call(ctx, args...)
	if err != nil {
		t.Fatalf("%s%v: %v", fn, args, err)
	}
	if len(got) == 0 {
		return 0
	}
	return got[0]
}

// TestSharedMemoryCounters runs instances on several goroutines that
// import one shared memory and count with atomic read-modify-writes
// (full-width adds, 8- and 16-bit adds on the containing word, a
// compare-exchange loop): no increment is lost. Then waiters block in
// memory.atomic.wait32 until one instance sets a flag and notifies them
// all. Under -race this also checks that the engine's accesses are
// synchronised (they are sync/atomic operations).
func TestSharedMemoryCounters(t *testing.T) {
	rt, owner, cm := sharedSetup(t)
	const workers, n = 4, 3000
	insts := make([]Instance, workers)
	for i := range insts {
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		insts[i] = inst
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers)
	for _, inst := range insts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := inst.ExportedFunction("count").Call(ctx, n); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	total := uint64(workers * n)
	w := insts[0]
	got := []uint64{call1(t, w, "load32", 0), call1(t, w, "load64", 8), call1(t, w, "load32", 16), call1(t, w, "load32", 20)}
	want := []uint64{total, 2 * total, total, total%256<<24 | total%65536}
	// 20..23: the 16-bit counter at 20 and the byte counter at 23.
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counters after %d goroutines x %d (-want +got):\n%s", workers, n, diff)
	}

	// Wait and notify: the waiters block until "release" sets the flag.
	for _, inst := range insts[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := inst.ExportedFunction("await_flag").Call(ctx); err != nil {
				errs <- err
			}
		}()
	}
	time.Sleep(20 * time.Millisecond) // most waiters are blocked by now; a late one sees the flag
	woken := call1(t, insts[0], "release")
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if woken > workers-1 {
		t.Errorf("notify woke %d, at most %d wait", woken, workers-1)
	}
	if got := call1(t, w, "load32", 36); got != workers-1 {
		t.Errorf("%d waiters saw the flag, want %d", got, workers-1)
	}
	if got := owner.Memory().Size(); got != 65536 {
		t.Errorf("owner's memory size %d", got)
	}
	for _, inst := range insts {
		if err := inst.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSharedMemoryWait checks wait's results and how it ends: 1 when the
// value differs, 2 after a timeout, the interrupt trap with the
// context's error at a deadline, and with Close during the wait.
func TestSharedMemoryWait(t *testing.T) {
	rt, _, cm := sharedSetup(t)
	inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	wait := inst.ExportedFunction("wait32")
	if got := call1(t, inst, "wait32", 64, 7, api.EncodeI64(-1)); got != 1 { // 64 holds 42
		t.Errorf("wait for 7 where 42 is: %d, want 1 (not-equal)", got)
	}
	start := time.Now()
	if got := call1(t, inst, "wait32", 40, 0, api.EncodeI64(int64(5*time.Millisecond))); got != 2 {
		t.Errorf("wait with a 5 ms timeout: %d, want 2 (timed-out)", got)
	}
	if d := time.Since(start); d < 5*time.Millisecond {
		t.Errorf("the 5 ms wait returned after %v", d)
	}

	dctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = wait.Call(dctx, 40, 0, api.EncodeI64(-1))
	if !errors.Is(err, ErrTrapInterrupted) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait past the context's deadline: %v, want the interrupt trap and DeadlineExceeded", err)
	}

	other, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := other.ExportedFunction("wait32").Call(ctx, 40, 0, api.EncodeI64(-1))
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	if err := other.Close(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrTrapInterrupted) {
			t.Errorf("wait ended by Close: %v, want the interrupt trap", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the wait")
	}
}

// TestSharedMemoryLifetime checks that a shared memory's slot stays with
// its users until the last one closes, whichever closes first, and that
// growth by one instance is seen by the others.
func TestSharedMemoryLifetime(t *testing.T) {
	rt, owner, cm := sharedSetup(t)
	a, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if got := rt.PoolStats().InUse; got != 1 {
		t.Errorf("%d slots in use, want 1 (the shared memory's)", got)
	}
	if got := call1(t, a, "grow", 1); got != 1 {
		t.Errorf("grow: %d, want 1", got)
	}
	if got := call1(t, b, "size"); got != 2 {
		t.Errorf("size seen by another instance after a grow: %d, want 2", got)
	}
	rt.Unregister("shared")
	if err := owner.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// The defining instance is gone; the memory is not.
	if got := call1(t, b, "load32", 64); got != 42 {
		t.Errorf("marker after the owner closed: %d, want 42", got)
	}
	if got := rt.PoolStats().InUse; got != 1 {
		t.Errorf("%d slots in use with two importers open, want 1", got)
	}
	a.Close(ctx)
	if got := call1(t, b, "load32", 64); got != 42 {
		t.Errorf("marker with one importer left: %d, want 42", got)
	}
	call1(t, b, "count", 1) // dirties the counters (atomic writes mark no cards)
	b.Close(ctx)
	if got := rt.PoolStats().InUse; got != 0 {
		t.Errorf("%d slots in use after the last user closed, want 0", got)
	}

	// The next shared memory, in the same (only) warm slot, starts zeroed
	// but for its data.
	if _, err := rt.InstantiateWasm(ctx, readWasm(t, "shared_mem"), ModuleConfig{Name: "shared"}); err != nil {
		t.Fatal(err)
	}
	c, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	got := []uint64{call1(t, c, "load32", 0), call1(t, c, "load64", 8), call1(t, c, "load32", 64), call1(t, c, "size")}
	if diff := cmp.Diff([]uint64{0, 0, 42, 1}, got); diff != "" {
		t.Errorf("a new shared memory after the reset (-want +got):\n%s", diff)
	}
}

// TestSharedMemoryGrowElsewhere: an instance blocked in a call reads,
// with a plain load, a page that another instance added to their shared
// memory meanwhile, and memory.size says 2. The running loop cached the
// smaller size; its out-of-bounds check reloads the size of a shared
// memory before it traps, and memory.size reads it.
func TestSharedMemoryGrowElsewhere(t *testing.T) {
	rt, _, cm := sharedSetup(t)
	a, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	b, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(ctx)
	type result struct {
		v   []uint64
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := b.ExportedFunction("await_then_load").Call(ctx, 65540)
		done <- result{v, err}
	}()
	time.Sleep(10 * time.Millisecond) // b is most likely waiting by now
	call1(t, a, "grow_and_signal")
	r := <-done
	if r.err != nil || len(r.v) != 1 || r.v[0] != 2077 {
		t.Errorf("plain load of the page grown by another instance + 1000 * memory.size: %v, %v; want 2077", r.v, r.err)
	}
}
