package instance

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// faultsRuntime returns a runtime with an "env" module whose hook runs
// hook(caller), and the compiled faults.wat.
func faultsRuntime(t *testing.T, cfg Config, hook func(ctx context.Context, caller Instance) error) (*Runtime, *CompiledModule) {
	t.Helper()
	rt := newTestRuntime(t, cfg)
	_, err := rt.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithGoModuleFunction(func(ctx context.Context, caller Instance, _ []uint64) error { return hook(ctx, caller) }, nil, nil).
		Export("hook").Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := rt.Compile(ctx, readWasm(t, "faults"))
	if err != nil {
		t.Fatal(err)
	}
	return rt, cm
}

// checkServing checks that rt still serves: no slot is held, and a new
// instance of cm starts with a zeroed memory (the slot was reset) and
// runs.
func checkServing(t *testing.T, rt *Runtime, cm *CompiledModule) {
	t.Helper()
	if st := rt.PoolStats(); st.InUse != 0 { // env has no memory; the test's instances are closed
		t.Errorf("%d slots in use, want 0", st.InUse)
	}
	inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatalf("Instantiate after the fault: %v", err)
	}
	defer inst.Close(ctx)
	if b, _ := inst.Memory().ReadUint8(0); b != 0 {
		t.Errorf("the next tenant sees %#x at 0: the slot was not reset", b)
	}
	if _, err := inst.ExportedFunction("nop").Call(ctx); err != nil {
		t.Errorf("call after the fault: %v", err)
	}
}

// TestFaultsMidFlight: faults while a call runs end with a clear error,
// the slot reset and returned, and the runtime still serving (run it
// with -race: CI does).
func TestFaultsMidFlight(t *testing.T) {
	t.Run("host function panics", func(t *testing.T) {
		rt, cm := faultsRuntime(t, Config{}, func(context.Context, Instance) error { panic("host bug") })
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = inst.ExportedFunction("call_hook").Call(ctx)
		var te *TrapError
		var hp *HostPanicError
		if !errors.As(err, &te) || !errors.As(err, &hp) || hp.Value != "host bug" {
			t.Fatalf("got %v, want a TrapError caused by a HostPanicError(\"host bug\")", err)
		}
		if _, err := inst.ExportedFunction("nop").Call(ctx); err != nil {
			t.Errorf("the instance is unusable after a host panic: %v", err)
		}
		inst.Close(ctx)
		checkServing(t, rt, cm)
	})

	// running is a hook that tells the test the call is under way.
	running := func(started chan<- struct{}) func(context.Context, Instance) error {
		return func(context.Context, Instance) error {
			select {
			case started <- struct{}{}:
			default:
			}
			return nil
		}
	}

	t.Run("Close from another goroutine during a call", func(t *testing.T) {
		started := make(chan struct{}, 1)
		rt, cm := faultsRuntime(t, Config{}, running(started))
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		errc := make(chan error, 1)
		go func() {
			_, err := inst.ExportedFunction("hook_then_spin").Call(ctx)
			errc <- err
		}()
		<-started
		time.Sleep(time.Millisecond) // into the loop's stores
		if err := inst.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if !inst.Closed() {
			t.Error("handle not closed by Close during a call")
		}
		err = <-errc
		if !errors.Is(err, ErrClosed) || !errors.Is(err, ErrTrapInterrupted) {
			t.Fatalf("call closed midway: %v, want ErrClosed and ErrTrapInterrupted", err)
		}
		checkServing(t, rt, cm)
	})

	t.Run("Close from a host function during its call", func(t *testing.T) {
		rt, cm := faultsRuntime(t, Config{}, func(ctx context.Context, caller Instance) error {
			return caller.Close(ctx)
		})
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = inst.ExportedFunction("hook_then_spin").Call(ctx)
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("call whose host function closed the instance: %v, want ErrClosed", err)
		}
		checkServing(t, rt, cm)
	})

	t.Run("Runtime.Close with calls in flight", func(t *testing.T) {
		started := make(chan struct{}, 4)
		rt, err := NewRuntime(ctx, Config{MemorySlots: 4, MemorySlotBytes: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		_, err = rt.NewHostModuleBuilder("env").NewFunctionBuilder().
			WithGoModuleFunction(func(ctx context.Context, caller Instance, _ []uint64) error {
				started <- struct{}{}
				return nil
			}, nil, nil).Export("hook").Instantiate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cm, err := rt.Compile(ctx, readWasm(t, "faults"))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for k := range errs {
			inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[k] = inst.ExportedFunction("hook_then_spin").Call(ctx)
			}()
		}
		for range errs {
			<-started
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := rt.Close(cctx); err != nil {
			t.Fatalf("Runtime.Close with calls in flight: %v", err)
		}
		wg.Wait()
		for k, err := range errs {
			if !errors.Is(err, ErrClosed) || !errors.Is(err, ErrTrapInterrupted) {
				t.Errorf("call %d: %v, want ErrClosed and ErrTrapInterrupted", k, err)
			}
		}
		if _, err := rt.Compile(ctx, readWasm(t, "faults")); !errors.Is(err, ErrClosed) {
			t.Errorf("Compile after Runtime.Close: %v, want ErrClosed", err)
		}
		// The process serves: a new runtime works.
		rt2, cm2 := faultsRuntime(t, Config{}, func(context.Context, Instance) error { return nil })
		checkServing(t, rt2, cm2)
	})

	t.Run("pool exhausted, WaitForSlot, context cancelled", func(t *testing.T) {
		rt, cm := faultsRuntime(t, Config{MemorySlots: 1, WaitForSlot: true}, func(context.Context, Instance) error { return nil })
		holder, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		go func() { time.Sleep(20 * time.Millisecond); cancel() }()
		_, err = rt.Instantiate(cctx, cm, ModuleConfig{})
		if !errors.Is(err, ErrNoSlot) || !errors.Is(err, context.Canceled) {
			t.Fatalf("Instantiate with the pool full and the wait cancelled: %v, want ErrNoSlot and context.Canceled", err)
		}
		if _, err := rt.Instantiate(cctx, cm, ModuleConfig{}); !errors.Is(err, ErrNoSlot) {
			t.Fatalf("Instantiate with a cancelled context: %v, want ErrNoSlot", err)
		}
		// A waiter gets the slot the holder gives back.
		got := make(chan error, 1)
		go func() {
			inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
			inst.Close(ctx)
			got <- err
		}()
		time.Sleep(10 * time.Millisecond)
		holder.Close(ctx)
		if err := <-got; err != nil {
			t.Fatalf("waiting Instantiate after a Close: %v", err)
		}
		checkServing(t, rt, cm)
	})
}
