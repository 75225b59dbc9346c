package engine

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"
	"github.com/wpi-dev/wpi/decoder"
)

// newTestInstance compiles a module without imports and wires a bare
// instance for it: memory in a Go slice, globals from i32/i64 constants,
// no tables. The instance package does the real instantiation; this is
// the smallest harness for the interpreter alone.
func newTestInstance(t testing.TB, path string) (*Instance, map[string]*Function) {
	t.Helper()
	bin, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dm, err := decoder.Decode(bin, api.CoreFeaturesV2)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := Compile(dm)
	if err != nil {
		t.Fatal(err)
	}
	inst := &Instance{Module: cm}
	for i := range dm.Funcs {
		inst.Funcs = append(inst.Funcs, &Function{
			Type: &dm.Types[dm.Funcs[i]], TypeID: cm.TypeIDs[dm.Funcs[i]],
			Instance: inst, Code: cm.Codes[i], Index: uint32(i),
		})
	}
	for _, g := range dm.Globals {
		inst.Globals = append(inst.Globals, &Global{Type: g.Type, Val: g.Init[0].Value})
	}
	if len(dm.Memories) > 0 {
		buf := make([]byte, 4*PageSize)
		inst.Memory = &Memory{Buf: buf, Size: dm.Memories[0].Limits.Min * PageSize, MaxPages: 4}
	}
	exports := map[string]*Function{}
	for _, e := range dm.Exports {
		if e.Kind == decoder.ExternFunc {
			exports[e.Name] = inst.Funcs[e.Index]
		}
	}
	return inst, exports
}

func TestBasic(t *testing.T) {
	_, ex := newTestInstance(t, "testdata/basic.wasm")
	tests := []struct {
		name string
		args []uint64
		want []uint64
	}{
		{"fac", []uint64{0}, []uint64{1}},
		{"fac", []uint64{20}, []uint64{2432902008176640000}},
		{"fib", []uint64{20}, []uint64{6765}},
		{"loop", []uint64{1000}, []uint64{loopRef(1000)}},
		{"mem", []uint64{100, 0xdeadbeef}, []uint64{0xdeadbeef}},
		{"swap", []uint64{1, 2}, []uint64{2, 1}},
		{"glob", nil, []uint64{8}},
		{"glob", nil, []uint64{9}},
		{"div", []uint64{api.EncodeI32(-7), 2}, []uint64{api.EncodeI32(-3)}},
		{"brtable", []uint64{0}, []uint64{10}},
		{"brtable", []uint64{1}, []uint64{11}},
		{"brtable", []uint64{2}, []uint64{12}},
		{"brtable", []uint64{99}, []uint64{12}},
		{"multi", []uint64{1}, []uint64{api.EncodeI32(-1)}},
		{"multi", []uint64{0}, []uint64{api.EncodeI32(-1)}},
		{"tee", []uint64{20}, []uint64{15}},
	}
	for _, tc := range tests {
		f := ex[tc.name]
		stack := make([]uint64, max(len(tc.args), len(tc.want), 1))
		copy(stack, tc.args)
		if err := Call(context.Background(), f, stack, nil); err != nil {
			t.Errorf("%s%v: %v", tc.name, tc.args, err)
			continue
		}
		if d := cmp.Diff(tc.want, stack[:len(tc.want)]); d != "" {
			t.Errorf("%s%v: (-want +got)\n%s\n%s", tc.name, tc.args, d, f.Code)
		}
	}
}

func loopRef(n uint32) uint64 {
	var s uint32
	for i := uint32(0); i < n; i++ {
		s += (i * 3) ^ (i >> 1)
	}
	return uint64(s)
}

func TestTraps(t *testing.T) {
	_, ex := newTestInstance(t, "testdata/basic.wasm")
	stack := make([]uint64, 2)
	err := Call(context.Background(), ex["div"], []uint64{1, 0}, nil)
	if !errors.Is(err, ErrIntegerDivideByZero) {
		t.Errorf("div by zero: got %v", err)
	}
	err = Call(context.Background(), ex["inf"], stack, nil)
	if !errors.Is(err, ErrStackExhausted) {
		t.Errorf("infinite recursion: got %v", err)
	}
	err = Call(context.Background(), ex["mem"], []uint64{PageSize - 2, 0}, nil)
	if !errors.Is(err, ErrOutOfBoundsMemory) {
		t.Errorf("oob: got %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = Call(ctx, ex["spin"], stack, nil)
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("spin: got %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("spin stopped after %v", d)
	}
}

func TestFuel(t *testing.T) {
	_, ex := newTestInstance(t, "testdata/basic.wasm")
	// loop(n) takes n+1 back-edges... measure by running with plenty.
	fuel := int64(1_000_000)
	stack := []uint64{100}
	if err := Call(context.Background(), ex["loop"], stack, &Config{Fuel: &fuel}); err != nil {
		t.Fatal(err)
	}
	used := 1_000_000 - fuel
	if used < 100 || used > 102 {
		t.Errorf("loop(100) used %d fuel, want about 100 (one per back-edge)", used)
	}
	if stack[0] != loopRef(100) {
		t.Errorf("loop(100) = %d with fuel, want %d", stack[0], loopRef(100))
	}
	// Not enough: traps with ErrFuelExhausted and leaves 0.
	fuel = 50
	err := Call(context.Background(), ex["loop"], []uint64{100}, &Config{Fuel: &fuel})
	if !errors.Is(err, ErrFuelExhausted) || fuel != 0 {
		t.Errorf("loop(100) with 50 fuel: err %v, fuel left %d", err, fuel)
	}
	// Spin forever: stopped by fuel, and refuelling lets the next call run.
	fuel = 10_000
	if err := Call(context.Background(), ex["spin"], []uint64{0}, &Config{Fuel: &fuel}); !errors.Is(err, ErrFuelExhausted) {
		t.Errorf("spin: %v", err)
	}
	fuel = 10
	if err := Call(context.Background(), ex["fac"], []uint64{5}, &Config{Fuel: &fuel}); err != nil || fuel != 5 {
		t.Errorf("fac(5) after refuel: err %v, fuel left %d (want 5: one per call)", err, fuel)
	}
}

func TestInterruptEveryPath(t *testing.T) {
	_, ex := newTestInstance(t, "testdata/basic.wasm")
	// Cancelled before the call: no execution at all.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Call(ctx, ex["fib"], []uint64{10}, nil); !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	// Deep recursion without loops (fib(40)) is stopped at calls.
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := Call(ctx, ex["fib"], []uint64{40}, nil); !errors.Is(err, ErrInterrupted) {
		t.Errorf("fib(40) with deadline: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("fib(40) stopped after %v", d)
	}
	// The machine pool is not poisoned: a later call runs normally.
	stack := []uint64{20}
	if err := Call(context.Background(), ex["fib"], stack, nil); err != nil || stack[0] != 6765 {
		t.Errorf("fib(20) after interruptions: %v, %d", err, stack[0])
	}
}

// TestLocalsZeroed checks that a callee's declared locals read zero
// whatever an earlier frame at the same cells left there, for each way a
// call zeroes them (one 32-byte store when the locals and the frame allow
// it, Code.zero4; the loop otherwise). Tail calls enter through the same
// code.
func TestLocalsZeroed(t *testing.T) {
	inst, ex := newTestInstance(t, "testdata/locals.wasm")
	got := map[string]uint64{}
	want := map[string]uint64{}
	for _, name := range []string{"call1", "call2", "call3", "call6"} {
		stack := []uint64{0x5555_5555_5555_5555}
		if err := Call(context.Background(), ex[name], stack, nil); err != nil {
			t.Fatal(err)
		}
		got[name], want[name] = stack[0], 0
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("locals' bits seen by the callee (-want +got):\n%s", d)
	}
	// Both zeroing paths are covered.
	wide := map[bool]int{}
	for _, f := range inst.Funcs {
		wide[f.Code.zero4]++
	}
	if wide[true] == 0 || wide[false] == 0 {
		t.Errorf("zero4 set for %d functions, clear for %d: want both", wide[true], wide[false])
	}
}
