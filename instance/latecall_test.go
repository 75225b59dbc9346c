package instance

import (
	"context"
	"testing"
	"time"
)

// TestLateCallAfterClose: a call that passed its closed check before a
// Close and counts itself (busy) only after the close finished, a window
// of Function.CallWithStack reached here by hand, must finish nothing:
// the engine state goes back to its module once, so two later instances
// never share it, and a late call that spans the next tenancy leaves that
// tenant working and closing normally.
func TestLateCallAfterClose(t *testing.T) {
	ctx := context.Background()
	rt, err := NewRuntime(ctx, Config{MemorySlots: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { // bounded: with the bug, a close never finishes
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := rt.Close(ctx); err != nil {
			t.Error(err)
		}
	}()
	cm, err := rt.Compile(ctx, readWasm(t, "echo"))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	c := inst.instCore
	inst.Close(ctx)
	c.busy.Add(1) // the late call counts itself, sees the closing bit...
	c.callDone()  // ...and returns ErrClosed
	a, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if a.instCore == b.instCore {
		t.Fatal("two open instances share one engine state: the late call finished the close again")
	}
	b.Close(ctx)

	// A late call of a's handle that counts itself during a's tenancy's
	// close and returns during the next tenant's.
	ca := a.instCore
	ca.busy.Add(1) // counted before a's Close: a's Close waits for it
	a.Close(ctx)
	if st := rt.PoolStats(); st.InUse != 1 {
		t.Fatalf("%d slots in use while the late call runs, want 1 (a's)", st.InUse)
	}
	ca.callDone() // the last call: it finishes a's close
	if st := rt.PoolStats(); st.InUse != 0 {
		t.Fatalf("%d slots in use after the late call returned, want 0", st.InUse)
	}
	for range 2 {
		ca.busy.Add(1) // a late call of a's handle, into the next tenancy
		x, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		ca.callDone()
		if res, err := x.ExportedFunction("echo").Call(ctx, 1, 2); err != nil || res[0] != 1 {
			t.Fatalf("echo(1, 2) = %v, %v after a late call; want [1]", res, err)
		}
		x.Close(ctx)
		if st := rt.PoolStats(); st.InUse != 0 {
			t.Fatalf("%d slots in use after Close, want 0", st.InUse)
		}
	}
}
