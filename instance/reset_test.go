package instance

import (
	"errors"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReset checks that Reset gives the same handle the state of a fresh
// instance: an instance that scribbled over its memory and grew it, then
// reset, sees exactly its initial image and size, and its exported
// function and memory handles taken before the reset keep working on the
// fresh state.
func TestReset(t *testing.T) {
	rt := newTestRuntime(t, Config{MemorySlots: 2, MemorySlotBytes: 8 << 16})
	cm, err := rt.Compile(ctx, readWasm(t, "scribble"))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	f := inst.ExportedFunction("scribble")
	mem := inst.ExportedMemory("mem")
	type state struct {
		Pages uint64
		Head  []byte
		Dirty int // bytes that differ from the initial image
	}
	look := func() state {
		b, ok := mem.Read(0, uint32(mem.Size()))
		if !ok {
			t.Fatal("memory read failed")
		}
		want := make([]byte, len(b))
		copy(want[16:], "hello")
		dirty := 0
		for k := range b {
			if b[k] != want[k] {
				dirty++
			}
		}
		return state{mem.Pages(), append([]byte(nil), b[:24]...), dirty}
	}
	fresh := state{1, append(make([]byte, 16), "hello\x00\x00\x00"...), 0}
	for round := range 5 {
		if diff := cmp.Diff(fresh, look()); diff != "" {
			t.Fatalf("round %d, before scribble (-fresh +got):\n%s", round, diff)
		}
		got, err := f.Call(ctx)
		if err != nil || got[0] != 3 {
			t.Fatalf("round %d: scribble = %v, %v; want 3 pages", round, got, err)
		}
		if s := look(); s.Pages != 3 || s.Dirty == 0 {
			t.Fatalf("round %d: after scribble %d pages, %d dirty bytes", round, s.Pages, s.Dirty)
		}
		if err := inst.Reset(ctx); err != nil {
			t.Fatalf("round %d: Reset: %v", round, err)
		}
	}
	if st := rt.PoolStats(); st.InUse != 1 {
		t.Errorf("%d slots in use, want 1", st.InUse)
	}
	inst.Close(ctx)
	if err := inst.Reset(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Reset after Close: %v, want ErrClosed", err)
	}
	if st := rt.PoolStats(); st.InUse != 0 {
		t.Errorf("%d slots in use after Close, want 0", st.InUse)
	}
}

// TestTenancyAllocs checks the allocation-free steady state of the echo
// workload: a tenancy (instantiate, call, close; or reset and call)
// allocates nothing once a closed instance's state can be recycled.
func TestTenancyAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	rt := newTestRuntime(t, Config{MemorySlots: 2, MemorySlotBytes: 4 << 16})
	cm, err := rt.Compile(ctx, readWasm(t, "echo"))
	if err != nil {
		t.Fatal(err)
	}
	kept, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close(ctx)
	stack := make([]uint64, 2)
	echo := func(inst Instance) {
		stack[0], stack[1] = 1, 2
		if err := inst.ExportedFunction("echo").CallWithStack(ctx, stack); err != nil || stack[0] != 1 {
			t.Fatal(err, stack[0])
		}
	}
	got := map[string]float64{
		"instantiate + call + close": testing.AllocsPerRun(1000, func() {
			inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
			if err != nil {
				t.Fatal(err)
			}
			echo(inst)
			inst.Close(ctx)
		}),
		"reset + call": testing.AllocsPerRun(1000, func() {
			if err := kept.Reset(ctx); err != nil {
				t.Fatal(err)
			}
			echo(kept)
		}),
	}
	want := map[string]float64{"instantiate + call + close": 0, "reset + call": 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("allocations per tenancy (-want +got):\n%s", diff)
	}
}

// TestResetHostModule checks that Reset refuses a host module's instance
// (it has no compiled module to instantiate again) and leaves it open.
func TestResetHostModule(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	inst, err := rt.NewHostModuleBuilder("").Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	err = inst.Reset(ctx)
	if got := []bool{err != nil, errors.Is(err, ErrClosed), inst.Closed()}; !cmp.Equal([]bool{true, false, false}, got) {
		t.Errorf("Reset of a host module: %v; instance closed: %v", err, inst.Closed())
	}
}

// TestTablesKeptAcrossTenants: a recycled instance state keeps its
// tables' segment elements when no instruction wrote them (keepTables),
// and puts them back when the last tenant did: after tset(0) nulled
// element 0, or tgrow grew the table, the next tenant sees the module's
// initial table, element 0 = $store8 and the declared size.
func TestTablesKeptAcrossTenants(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	wasm, err := os.ReadFile("testdata/tenant.wasm")
	if err != nil {
		t.Fatal(err)
	}
	cm, err := rt.Compile(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	if !cm.recyclable || !cm.tablesStatic {
		t.Fatalf("tenant.wasm: recyclable %v, tablesStatic %v; the test needs both", cm.recyclable, cm.tablesStatic)
	}
	for i, write := range []string{"", "", "tset", "", "tgrow", "", "tsetf", ""} {
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		tab := inst.ExportedTable("tab")
		f0, ok0 := tab.Function(0)
		f1, ok1 := tab.Function(1)
		if tab.Size() != 2 || !ok0 || f0.IsNil() || !ok1 || !f1.IsNil() {
			t.Fatalf("tenant %d: table size %d, element 0 nil=%v, element 1 nil=%v; want 2, $store8, null", i, tab.Size(), f0.IsNil(), f1.IsNil())
		}
		switch write {
		case "tset":
			_, err = inst.ExportedFunction("tset").Call(ctx, 0)
		case "tsetf":
			_, err = inst.ExportedFunction("tsetf").Call(ctx, 1)
		case "tgrow":
			_, err = inst.ExportedFunction("tgrow").Call(ctx, 2)
		}
		if err != nil {
			t.Fatalf("tenant %d: %s: %v", i, write, err)
		}
		inst.Close(ctx)
	}
}
