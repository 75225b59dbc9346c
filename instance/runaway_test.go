package instance

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// stopBound is how long a stopped guest may take to return after its
// 10 ms deadline, measured from the call. The check runs at every
// back-edge, so the real figure is the timer's latency (well under a
// millisecond on an idle machine); the bound is generous so that a loaded
// 2-core CI machine (or the race detector) does not fail it, and still
// far below what a missing check would take (forever).
const stopBound = 500 * time.Millisecond

// runawayRuntime makes a runtime with the host module env (tick: does
// nothing; reenter: calls its caller's export spin from Go, with the
// context it was given) for testdata/runaway.wasm.
func runawayRuntime(t *testing.T, cfg Config) (*Runtime, *CompiledModule) {
	t.Helper()
	rt := newTestRuntime(t, cfg)
	reenter := func(ctx context.Context, caller Instance, _ []uint64) error {
		return caller.ExportedFunction("spin").CallWithStack(ctx, nil)
	}
	if _, err := rt.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithGoModuleFunction(func(context.Context, Instance, []uint64) error { return nil }, nil, nil).Export("tick").
		NewFunctionBuilder().WithGoModuleFunction(reenter, nil, nil).Export("reenter").
		Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	cm, err := rt.Compile(ctx, readWasm(t, "runaway"))
	if err != nil {
		t.Fatal(err)
	}
	return rt, cm
}

// TestRunawayGuestStops stops a guest spinning in "loop br 0" on every
// path (start function, export, nested calls, a host call in every
// iteration, wasm -> Go -> wasm) with each kind of stop, checks the error
// kind and the time taken, then checks that the slot went back to the
// pool and that a new instance works.
func TestRunawayGuestStops(t *testing.T) {
	deadline := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(ctx, 10*time.Millisecond)
	}
	background := func() (context.Context, context.CancelFunc) { return ctx, func() {} }
	cause := errors.New("tenant over budget")
	cancelCause := func() (context.Context, context.CancelFunc) {
		c, cancel := context.WithCancelCause(ctx)
		time.AfterFunc(10*time.Millisecond, func() { cancel(cause) })
		return c, func() { cancel(nil) }
	}
	stops := []struct {
		name  string
		ctx   func() (context.Context, context.CancelFunc)
		mc    ModuleConfig
		cfg   Config
		want  []error // all must match
		timed bool
	}{
		{"deadline", deadline, ModuleConfig{}, Config{}, []error{ErrTrapInterrupted, context.DeadlineExceeded}, true},
		{"cancel-cause", cancelCause, ModuleConfig{}, Config{}, []error{ErrTrapInterrupted, cause}, true},
		{"fuel", background, ModuleConfig{Fuel: 100_000}, Config{}, []error{ErrTrapFuelExhausted}, false},
	}
	paths := []string{"start", "spin", "nested", "host_loop", "reenter"}
	for _, stop := range stops {
		for _, path := range paths {
			t.Run(stop.name+"/"+path, func(t *testing.T) {
				rt, cm := runawayRuntime(t, Config{MemorySlots: 2})
				c, cancel := stop.ctx()
				defer cancel()
				begin := time.Now()
				var err error
				if path == "start" {
					_, err = rt.InstantiateWasm(c, readWasm(t, "runaway_start"), stop.mc)
				} else {
					inst, ierr := rt.Instantiate(c, cm, stop.mc)
					if ierr != nil {
						t.Fatal(ierr)
					}
					err = inst.ExportedFunction(path).CallWithStack(c, nil)
					inst.Close(ctx)
				}
				took := time.Since(begin)
				t.Logf("stopped after %v: %v", took, err)
				for _, w := range stop.want {
					if !errors.Is(err, w) {
						t.Errorf("error %v does not match %v", err, w)
					}
				}
				if stop.timed && took > stopBound {
					t.Errorf("stopped after %v, want under %v", took, stopBound)
				}
				checkPoolIdle(t, rt)
				checkWorks(t, rt, cm)
			})
		}
	}
}

// checkPoolIdle checks that no slot is in use.
func checkPoolIdle(t *testing.T, rt *Runtime) {
	t.Helper()
	st := rt.PoolStats()
	if diff := cmp.Diff([]int{0, st.Slots}, []int{st.InUse, st.Idle}); diff != "" {
		t.Errorf("[in use, idle] slots after the stop and Close (-want +got):\n%s", diff)
	}
}

// checkWorks instantiates cm and calls count(1000).
func checkWorks(t *testing.T, rt *Runtime, cm *CompiledModule) {
	t.Helper()
	inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatalf("a new instance after the stop: %v", err)
	}
	defer inst.Close(ctx)
	res, err := inst.ExportedFunction("count").Call(ctx, 1000)
	if err != nil || res[0] != 1000 {
		t.Errorf("count(1000) on a new instance = %v, %v; want 1000", res, err)
	}
}

// TestOtherStops covers the stops that need no clock: stack exhaustion,
// a host function failing, and a memory limit, each followed by the same
// slot checks.
func TestOtherStops(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		run  func(inst Instance) error
		want error
	}{
		{"call depth", Config{MaxCallDepth: 100}, func(inst Instance) error {
			return inst.ExportedFunction("recurse").CallWithStack(ctx, nil)
		}, ErrTrapCallStackExhausted},
		{"value stack", Config{MaxStackCells: 1000}, func(inst Instance) error {
			return inst.ExportedFunction("recurse").CallWithStack(ctx, nil)
		}, ErrTrapCallStackExhausted},
		{"memory limit", Config{MemoryLimitPages: 3}, func(inst Instance) error {
			res, err := inst.ExportedFunction("grow").Call(ctx, 3) // 1 + 3 > 3
			if err != nil {
				return err
			}
			if int32(res[0]) != -1 {
				return fmt.Errorf("grow(3) = %d, want -1", int32(res[0]))
			}
			return ErrMemoryLimit
		}, ErrMemoryLimit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.MemorySlots = 2
			rt, cm := runawayRuntime(t, tc.cfg)
			inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.run(inst); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			inst.Close(ctx)
			checkPoolIdle(t, rt)
			checkWorks(t, rt, cm)
		})
	}
}

// TestFuel checks that fuel is deterministic and refuelable: count(n)
// takes n+1 back-edges plus the loop's exit... whatever it is, twice the
// same; a host function can charge fuel; a refuel from Go lets the
// instance go on.
func TestFuel(t *testing.T) {
	rt, cm := runawayRuntime(t, Config{MemorySlots: 2})
	inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	count := inst.ExportedFunction("count")
	if f, on := inst.Fuel(); f != 0 || on {
		t.Fatalf("Fuel() before SetFuel = %d, %v; want 0, false", f, on)
	}
	spent := func(n uint64) int64 {
		inst.SetFuel(1 << 40)
		if _, err := count.Call(ctx, n); err != nil {
			t.Fatal(err)
		}
		f, _ := inst.Fuel()
		return 1<<40 - f
	}
	got := []int64{spent(0), spent(10), spent(10), spent(1000)}
	if diff := cmp.Diff([]int64{0, 10, 10, 1000}, got); diff != "" {
		t.Errorf("fuel spent by count(0), count(10) twice, count(1000) (-want +got):\n%s", diff)
	}

	inst.SetFuel(500)
	_, err = count.Call(ctx, 1000)
	f, on := inst.Fuel()
	if !errors.Is(err, ErrTrapFuelExhausted) || f != 0 || !on {
		t.Errorf("count(1000) with 500 units: %v, fuel %d %v; want ErrTrapFuelExhausted, 0, true", err, f, on)
	}
	inst.AddFuel(2000)
	if res, err := count.Call(ctx, 1000); err != nil || res[0] != 1000 {
		t.Errorf("after AddFuel(2000): %v, %v", res, err)
	}
	if f, _ := inst.Fuel(); f != 1000 {
		t.Errorf("fuel left after AddFuel(2000) and count(1000) = %d, want 1000", f)
	}
	inst.SetFuel(-1)
	if _, err := count.Call(ctx, 100_000); err != nil {
		t.Errorf("metering off: %v", err)
	}
	if f, on := inst.Fuel(); on {
		t.Errorf("Fuel() after SetFuel(-1) = %d, %v; want metering off", f, on)
	}
}

// TestFuelInHostFunctions: host functions see the running call's budget
// and may charge it; a nested call from Go spends the same budget.
func TestFuelInHostFunctions(t *testing.T) {
	rt := newTestRuntime(t, Config{MemorySlots: 2})
	var seen []int64
	tick := func(_ context.Context, caller Instance, _ []uint64) error {
		f, _ := caller.Fuel()
		seen = append(seen, f)
		caller.AddFuel(-100) // the host work costs 100 units
		return nil
	}
	reenter := func(ctx context.Context, caller Instance, _ []uint64) error {
		_, err := caller.ExportedFunction("count").Call(ctx, 50)
		return err
	}
	if _, err := rt.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithGoModuleFunction(tick, nil, nil).Export("tick").
		NewFunctionBuilder().WithGoModuleFunction(reenter, nil, nil).Export("reenter").
		Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	inst, err := rt.InstantiateWasm(ctx, readWasm(t, "runaway"), ModuleConfig{Fuel: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	// host_loop: each iteration costs 1 (call) + 100 (charged) + 1 (back-edge).
	err = inst.ExportedFunction("host_loop").CallWithStack(ctx, nil)
	if !errors.Is(err, ErrTrapFuelExhausted) {
		t.Errorf("host_loop: %v, want ErrTrapFuelExhausted", err)
	}
	if diff := cmp.Diff([]int64{999, 897, 795, 693, 591, 489, 387, 285, 183, 81}, seen); diff != "" {
		t.Errorf("fuel seen by the host function (-want +got):\n%s", diff)
	}
	// reenter: 1 (call) + 50 (nested count) from 1000.
	inst.SetFuel(1000)
	if err := inst.ExportedFunction("reenter").CallWithStack(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if f, _ := inst.Fuel(); f != 949 {
		t.Errorf("fuel after a nested call of count(50) = %d, want 949", f)
	}
}

// TestMemoryLimitPages checks how the runtime's and the module config's
// page limits combine with the declared maximum (runaway.wasm: 1..100).
func TestMemoryLimitPages(t *testing.T) {
	tests := []struct {
		name          string
		rtLimit, mcLm uint32
		wantMax       uint64
		wantErr       error
	}{
		{"none", 0, 0, 100, nil},
		{"runtime", 10, 0, 10, nil},
		{"module", 0, 7, 7, nil},
		{"lower of both", 10, 20, 10, nil},
		{"lower of both 2", 10, 5, 5, nil},
		{"above declared", 500, 0, 100, nil},
		{"exactly the minimum", 0, 1, 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt, cm := runawayRuntime(t, Config{MemorySlots: 1, MemorySlotBytes: 200 * 65536, MemoryLimitPages: tc.rtLimit})
			inst, err := rt.Instantiate(ctx, cm, ModuleConfig{MemoryLimitPages: tc.mcLm})
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close(ctx)
			grow := inst.ExportedFunction("grow")
			r1, _ := grow.Call(ctx, tc.wantMax-1) // to the limit: ok
			r2, _ := grow.Call(ctx, 1)            // past it: -1
			got := []any{inst.Memory().MaxPages(), int32(r1[0]), int32(r2[0])}
			if diff := cmp.Diff([]any{tc.wantMax, int32(1), int32(-1)}, got); diff != "" {
				t.Errorf("[MaxPages, grow to the limit, grow past it] (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("minimum over the limit", func(t *testing.T) {
		rt := newTestRuntime(t, Config{MemorySlots: 1})
		_, err := rt.InstantiateWasm(ctx, readWasm(t, "big_mem"), ModuleConfig{MemoryLimitPages: 1})
		if !errors.Is(err, ErrMemoryLimit) {
			t.Errorf("got %v, want ErrMemoryLimit", err)
		}
		checkPoolIdle(t, rt)
	})
}

// TestWaitForSlot: a full pool fails at once without WaitForSlot; with
// it, Instantiate waits for a Close, or until its context ends.
func TestWaitForSlot(t *testing.T) {
	bin := readWasm(t, "image")
	t.Run("no wait", func(t *testing.T) {
		rt := newTestRuntime(t, Config{MemorySlots: 1})
		a, err := rt.InstantiateWasm(ctx, bin, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close(ctx)
		if _, err := rt.InstantiateWasm(ctx, bin, ModuleConfig{}); !errors.Is(err, ErrNoSlot) {
			t.Errorf("got %v, want ErrNoSlot", err)
		}
	})
	t.Run("wait until Close", func(t *testing.T) {
		rt := newTestRuntime(t, Config{MemorySlots: 1, WaitForSlot: true})
		cm, err := rt.Compile(ctx, bin)
		if err != nil {
			t.Fatal(err)
		}
		a, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			c, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			b, err := rt.Instantiate(c, cm, ModuleConfig{})
			if err == nil {
				b.Close(ctx)
			}
			done <- err
		}()
		select {
		case err := <-done:
			t.Fatalf("Instantiate on a full pool returned %v before any Close", err)
		case <-time.After(20 * time.Millisecond):
		}
		a.Close(ctx)
		if err := <-done; err != nil {
			t.Errorf("Instantiate waiting for a slot: %v", err)
		}
	})
	t.Run("wait until the deadline", func(t *testing.T) {
		rt := newTestRuntime(t, Config{MemorySlots: 1, WaitForSlot: true})
		a, err := rt.InstantiateWasm(ctx, bin, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close(ctx)
		c, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		defer cancel()
		_, err = rt.InstantiateWasm(c, bin, ModuleConfig{})
		if !errors.Is(err, ErrNoSlot) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want ErrNoSlot and context.DeadlineExceeded", err)
		}
	})
}
