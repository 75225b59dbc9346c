package instance

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// handleView is what a set of handles taken from one instance sees.
type handleView struct {
	Closed    bool
	CallErr   bool // the store8 call failed
	Closed2   bool // the call error is ErrClosed
	MemSize   uint64
	WriteOK   bool
	Global    uint64
	SetErr    bool
	TableSize uint64
	Exported  bool // ExportedFunction on the instance handle finds store8
}

type handles struct {
	inst Instance
	fn   Function
	mem  Memory
	g    Global
	tab  Table
}

func takeHandles(inst Instance) handles {
	return handles{inst, inst.ExportedFunction("store8"), inst.ExportedMemory("mem"), inst.ExportedGlobal("g"), inst.ExportedTable("tab")}
}

// view uses every handle, writing 0x5a at byte 100 through the function
// and byte 200 through the memory, and setting the global to 7.
func (h handles) view() handleView {
	var v handleView
	v.Closed = h.inst.Closed()
	_, err := h.fn.Call(ctx, 100, 0x5a)
	v.CallErr, v.Closed2 = err != nil, errors.Is(err, ErrClosed)
	v.MemSize = h.mem.Size()
	v.WriteOK = h.mem.WriteUint8(200, 0x5a)
	v.Global = h.g.Get()
	v.SetErr = h.g.Set(7) != nil
	v.TableSize = h.tab.Size()
	v.Exported = !h.inst.ExportedFunction("store8").IsNil()
	return v
}

// TestStaleHandles checks that the handles of a closed instance, and
// copies of them, refuse to work after its recycled state serves the next
// instance, and cannot reach or close that instance.
func TestStaleHandles(t *testing.T) {
	rt := newTestRuntime(t, Config{MemorySlots: 2, MemorySlotBytes: 8 << 16})
	cm, err := rt.Compile(ctx, readWasm(t, "tenant"))
	if err != nil {
		t.Fatal(err)
	}
	if !cm.recyclable {
		t.Fatal("tenant module is not recyclable; the test would prove nothing")
	}
	first, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	initial := snapshot(first)
	old := takeHandles(first)
	copyOfFirst := first
	copyOfFirst.Close(ctx)

	var second Instance
	for range 100 { // sync.Pool may drop the state (always under -race)
		if second, err = rt.Instantiate(ctx, cm, ModuleConfig{}); err != nil {
			t.Fatal(err)
		}
		if second.instCore == first.instCore {
			break
		}
		second.Close(ctx)
	}
	if second.instCore != first.instCore {
		t.Skip("the closed state was never recycled (sync.Pool dropped it)")
	}
	defer second.Close(ctx)

	stale := handleView{Closed: true, CallErr: true, Closed2: true, MemSize: 0, WriteOK: false, Global: 0, SetErr: true, TableSize: 0, Exported: false}
	if diff := cmp.Diff(stale, old.view()); diff != "" {
		t.Errorf("stale handles (-want +got):\n%s", diff)
	}
	// A Close and a Reset through the stale handle do nothing to the new
	// tenant, which sees its initial state untouched by the stale writes.
	old.inst.Close(ctx)
	if err := old.inst.Reset(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Reset of a stale handle: %v, want ErrClosed", err)
	}
	if diff := cmp.Diff(initial, snapshot(second)); diff != "" {
		t.Errorf("new tenant after stale use (-initial +got):\n%s", diff)
	}
	open := handleView{Closed: false, CallErr: false, Closed2: false, MemSize: 2 << 16, WriteOK: true, Global: 42, SetErr: false, TableSize: 2, Exported: true}
	if diff := cmp.Diff(open, takeHandles(second).view()); diff != "" {
		t.Errorf("handles of the open instance (-want +got):\n%s", diff)
	}
}

// TestZeroHandles checks that the zero Instance and the nil Function,
// Memory, Global and Table (missing exports) behave as closed, empty
// objects and never panic.
func TestZeroHandles(t *testing.T) {
	var zero Instance
	if err := zero.Close(ctx); err != nil {
		t.Errorf("Close of the zero Instance: %v", err)
	}
	if err := zero.Reset(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Reset of the zero Instance: %v, want ErrClosed", err)
	}
	got := takeHandles(zero).view()
	want := handleView{Closed: true, CallErr: true, Closed2: false, SetErr: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("zero Instance (-want +got):\n%s", diff)
	}
	if zero.Name() != "" || zero.String() != "module[]" || zero.ExportNames(0) != nil || zero.Value("k") != nil {
		t.Errorf("zero Instance: name %q, string %q, exports %v, value %v", zero.Name(), zero.String(), zero.ExportNames(0), zero.Value("k"))
	}

	rt := newTestRuntime(t, Config{})
	inst, err := rt.InstantiateWasm(ctx, readWasm(t, "tenant"), ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	nilFn := inst.ExportedFunction("nope")
	_, err = nilFn.Call(ctx)
	nils := []bool{nilFn.IsNil(), inst.ExportedMemory("nope").IsNil(), inst.ExportedGlobal("nope").IsNil(), inst.ExportedTable("nope").IsNil(), err != nil && !errors.Is(err, ErrClosed)}
	if diff := cmp.Diff([]bool{true, true, true, true, true}, nils); diff != "" {
		t.Errorf("missing exports: IsNil for function, memory, global, table; call error (-want +got):\n%s", diff)
	}
}

// TestFailedInstantiationClosesCaller checks that a handle a start
// function's host call kept is closed once the instantiation fails, and
// that a failed Reset leaves the instance closed with its slot returned.
func TestFailedInstantiationClosesCaller(t *testing.T) {
	rt := newTestRuntime(t, Config{MemorySlots: 2})
	var kept Instance
	fail := true
	if _, err := rt.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithGoModuleFunction(func(_ context.Context, caller Instance, _ []uint64) error {
			kept = caller
			if fail {
				return errors.New("boom")
			}
			return nil
		}, nil, nil).Export("boom").Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	cm, err := rt.Compile(ctx, readWasm(t, "start_calls_host"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Instantiate(ctx, cm, ModuleConfig{}); err == nil {
		t.Fatal("start function error not reported")
	}
	got := []bool{kept.instCore != nil, kept.Closed()}

	fail = false
	inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, kept == inst, inst.Closed())
	fail = true
	err = inst.Reset(ctx)
	got = append(got, err != nil, inst.Closed(), kept.Closed(), rt.PoolStats().InUse == 0)
	want := []bool{true, true, true, false, true, true, true, true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kept set, kept closed; kept is the open instance, open; Reset fails, instance closed, kept closed, no slot in use (-want +got):\n%s", diff)
	}
}

// TestRuntimeCloseClosesOpen checks that Runtime.Close closes every
// instance still open, with a slot (tracked by slot index) or without one
// (tracked in lists), including one whose slot was used before, and
// leaves closed ones alone: the pool then closes with no slot in use.
func TestRuntimeCloseClosesOpen(t *testing.T) {
	rt, err := NewRuntime(ctx, Config{MemorySlots: 4, MemorySlotBytes: 8 << 16})
	if err != nil {
		t.Fatal(err)
	}
	withMem, err := rt.Compile(ctx, readWasm(t, "tenant"))
	if err != nil {
		t.Fatal(err)
	}
	noMem, err := rt.Compile(ctx, readWasm(t, "cpu"))
	if err != nil {
		t.Fatal(err)
	}
	var open []Instance
	for _, cm := range []*CompiledModule{withMem, withMem, noMem, noMem, withMem} {
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, inst)
	}
	open[0].Close(ctx) // its slot serves the last one
	reused, err := rt.Instantiate(ctx, withMem, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	open = append(open[1:], reused)
	closeErr := rt.Close(ctx)
	var closed []bool
	for _, inst := range open {
		closed = append(closed, inst.Closed())
	}
	if diff := cmp.Diff([]bool{true, true, true, true, true}, closed); diff != "" || closeErr != nil {
		t.Errorf("Runtime.Close: %v; instances closed (-want +got):\n%s", closeErr, diff)
	}
}
