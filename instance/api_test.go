package instance

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"
)

// callsRuntime instantiates testdata/calls.wasm with env.nop and env.inc
// (typed host functions: inc reads the caller's memory too, when it has
// one).
func callsRuntime(t testing.TB) Instance {
	t.Helper()
	rt := newTestRuntime(t, Config{MemorySlots: 1})
	if _, err := rt.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithHostFunction(HostFunc0(func(context.Context, Instance) (None, error) { return None{}, nil })).Export("nop").
		NewFunctionBuilder().WithHostFunction(HostFunc1(func(_ context.Context, _ Instance, x int32) (int32, error) { return x + 1, nil })).Export("inc").
		Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	inst, err := rt.InstantiateWasm(ctx, readWasm(t, "calls"), ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestEncodeDecode(t *testing.T) {
	type fd int32
	got := []uint64{
		Encode(int32(-1)), Encode(uint32(7)), Encode(int64(-2)), Encode(uint64(1 << 40)),
		Encode(float32(1.5)), Encode(-2.25), Encode(fd(3)),
	}
	want := []uint64{
		api.EncodeI32(-1), api.EncodeU32(7), api.EncodeI64(-2), 1 << 40,
		api.EncodeF32(1.5), api.EncodeF64(-2.25), 3,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Encode (-want +got):\n%s", diff)
	}
	back := []any{Decode[int32](want[0]), Decode[uint32](want[1]), Decode[int64](want[2]), Decode[uint64](want[3]),
		Decode[float32](want[4]), Decode[float64](want[5]), Decode[fd](want[6])}
	if diff := cmp.Diff([]any{int32(-1), uint32(7), int64(-2), uint64(1 << 40), float32(1.5), -2.25, fd(3)}, back); diff != "" {
		t.Errorf("Decode (-want +got):\n%s", diff)
	}
	types := []api.ValueType{ValueTypeOf[int32](), ValueTypeOf[uint32](), ValueTypeOf[int64](), ValueTypeOf[uint64](),
		ValueTypeOf[float32](), ValueTypeOf[float64](), ValueTypeOf[fd]()}
	if diff := cmp.Diff([]api.ValueType{api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI64, api.ValueTypeI64,
		api.ValueTypeF32, api.ValueTypeF64, api.ValueTypeI32}, types); diff != "" {
		t.Errorf("ValueTypeOf (-want +got):\n%s", diff)
	}
}

func TestTypedFunctions(t *testing.T) {
	inst := callsRuntime(t)
	mix, err := NewTypedFunc3[int32, int64, float32, float64](inst.ExportedFunction("mix"))
	if err != nil {
		t.Fatal(err)
	}
	inc, err := NewTypedFunc1[int32, int32](inst.ExportedFunction("call_inc"))
	if err != nil {
		t.Fatal(err)
	}
	nop, err := NewTypedFunc0[None](inst.ExportedFunction("call_nop"))
	if err != nil {
		t.Fatal(err)
	}
	m, err1 := mix.Call(ctx, -1, 1<<40, 0.5)
	i, err2 := inc.Call(ctx, 41)
	_, err3 := nop.Call(ctx)
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{float64(1<<40) - 0.5, int32(42)}, []any{m, i}); diff != "" {
		t.Errorf("[mix, call_inc] (-want +got):\n%s", diff)
	}

	wrong := []struct {
		name string
		err  error
	}{
		{"params", func() error { _, err := NewTypedFunc1[int64, int32](inst.ExportedFunction("call_inc")); return err }()},
		{"result", func() error { _, err := NewTypedFunc1[int32, None](inst.ExportedFunction("call_inc")); return err }()},
		{"arity", func() error {
			_, err := NewTypedFunc2[int32, int32, int32](inst.ExportedFunction("call_inc"))
			return err
		}()},
		{"nil", func() error { _, err := NewTypedFunc0[None](inst.ExportedFunction("missing")); return err }()},
	}
	for _, w := range wrong {
		if w.err == nil {
			t.Errorf("%s: a typed handle with the wrong signature was made", w.name)
		}
	}
}

func TestMemoryAccessors(t *testing.T) {
	rt, cm := runawayRuntime(t, Config{MemorySlots: 1})
	inst, err := rt.Instantiate(ctx, cm, ModuleConfig{}) // 1 page
	if err != nil {
		t.Fatal(err)
	}
	mem := inst.Memory()
	const end = 65536
	tests := []struct {
		name  string
		off   uint32
		write func(off uint32) bool
		read  func(off uint32) (any, bool)
		want  any
	}{
		{"uint8", 100, func(o uint32) bool { return mem.WriteUint8(o, 0xab) },
			func(o uint32) (any, bool) { return mem.ReadUint8(o) }, byte(0xab)},
		{"uint16", 200, func(o uint32) bool { return mem.WriteUint16Le(o, 0xbeef) },
			func(o uint32) (any, bool) { return mem.ReadUint16Le(o) }, uint16(0xbeef)},
		{"uint32", 4096 - 2, func(o uint32) bool { return mem.WriteUint32Le(o, 0xdeadbeef) },
			func(o uint32) (any, bool) { return mem.ReadUint32Le(o) }, uint32(0xdeadbeef)},
		{"uint64", 8192, func(o uint32) bool { return mem.WriteUint64Le(o, math.MaxUint64-1) },
			func(o uint32) (any, bool) { return mem.ReadUint64Le(o) }, uint64(math.MaxUint64 - 1)},
		{"float32", 300, func(o uint32) bool { return mem.WriteFloat32Le(o, -1.5) },
			func(o uint32) (any, bool) { return mem.ReadFloat32Le(o) }, float32(-1.5)},
		{"float64", 400, func(o uint32) bool { return mem.WriteFloat64Le(o, math.Pi) },
			func(o uint32) (any, bool) { return mem.ReadFloat64Le(o) }, math.Pi},
		{"bytes", 500, func(o uint32) bool { return mem.Write(o, []byte("abc")) },
			func(o uint32) (any, bool) { b, ok := mem.Read(o, 3); return string(b), ok }, "abc"},
		{"string", 600, func(o uint32) bool { return mem.WriteString(o, "xyz") },
			func(o uint32) (any, bool) { b, ok := mem.Read(o, 3); return string(b), ok }, "xyz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clear(mem.m.Cards)
			wok := tc.write(tc.off)
			v, rok := tc.read(tc.off)
			got := []any{wok, rok, v, mem.m.Cards[tc.off>>12] == 1}
			if diff := cmp.Diff([]any{true, true, tc.want, true}, got); diff != "" {
				t.Errorf("[write ok, read ok, value, card dirty] (-want +got):\n%s", diff)
			}
			// One byte short of the end, and far out: nothing written.
			for _, off := range []uint32{end - 1, end, 1 << 31, math.MaxUint32} {
				if tc.name == "uint8" && off == end-1 {
					continue
				}
				clear(mem.m.Cards)
				_, rok := tc.read(off)
				if wok := tc.write(off); wok || rok {
					t.Errorf("at %#x: write ok %v, read ok %v; want both false", off, wok, rok)
				}
				for c, d := range mem.m.Cards {
					if d != 0 {
						t.Errorf("at %#x: card %d marked by a failed write", off, c)
					}
				}
			}
		})
	}
	inst.Close(ctx)
	if _, ok := mem.ReadUint8(0); ok || mem.WriteUint8(0, 1) || mem.Size() != 0 {
		t.Error("a closed instance's Memory still works")
	}
}

type valueKey struct{ name string }

func TestHostValues(t *testing.T) {
	rt := newTestRuntime(t, Config{MemorySlots: 2})
	var events []string
	var n int
	mc := ModuleConfig{}.
		WithValue(valueKey{"shared"}, "S").
		WithValueFunc(valueKey{"own"}, func(context.Context) (any, error) {
			n++
			events = append(events, "open")
			return n, nil
		}, func(v any) { events = append(events, "close", "of", string(rune('0'+v.(int)))) })
	base := ModuleConfig{}
	_ = base.WithValue(valueKey{"x"}, 1) // must not change base
	if base.values != nil {
		t.Error("WithValue changed its receiver")
	}
	a, err := rt.InstantiateWasm(ctx, readWasm(t, "image"), mc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := rt.InstantiateWasm(ctx, readWasm(t, "image"), mc)
	if err != nil {
		t.Fatal(err)
	}
	got := []any{a.Value(valueKey{"shared"}), a.Value(valueKey{"own"}), b.Value(valueKey{"own"}), a.Value(valueKey{"none"})}
	if diff := cmp.Diff([]any{"S", 1, 2, nil}, got); diff != "" {
		t.Errorf("[shared, a's own, b's own, missing] (-want +got):\n%s", diff)
	}
	a.Close(ctx)
	b.Close(ctx)
	if a.Value(valueKey{"shared"}) != nil {
		t.Error("a closed instance still has its values")
	}

	// A failing constructor fails the instantiation and closes the values
	// made before it; so does a start function that traps.
	failing := mc.WithValueFunc(valueKey{"bad"}, func(context.Context) (any, error) { return nil, errBoom }, nil)
	if _, err := rt.InstantiateWasm(ctx, readWasm(t, "image"), failing); !errors.Is(err, errBoom) {
		t.Errorf("failing constructor: got %v, want errBoom", err)
	}
	wantEvents := []string{"open", "open", "close", "of", "1", "close", "of", "2", "open", "close", "of", "3"}
	if diff := cmp.Diff(wantEvents, events); diff != "" {
		t.Errorf("constructor and closer calls (-want +got):\n%s", diff)
	}
	if st := rt.PoolStats(); st.InUse != 0 {
		t.Errorf("%d slots in use, want 0", st.InUse)
	}
}

// TestNoAllocs checks the steady-state fast paths allocate nothing: a
// call of an empty export, of an export calling a host function, typed
// calls, and a host function reaching its caller's memory and values.
func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	rt := newTestRuntime(t, Config{MemorySlots: 1})
	var sum uint32
	read := func(_ context.Context, caller Instance, stack []uint64) error {
		v, _ := caller.Memory().ReadUint32Le(0)
		if caller.Value(valueKey{"k"}) != nil {
			sum += v
		}
		caller.Memory().WriteUint32Le(4, v)
		return nil
	}
	if _, err := rt.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithGoModuleFunction(func(context.Context, Instance, []uint64) error { return nil }, nil, nil).Export("tick").
		NewFunctionBuilder().WithGoModuleFunction(read, nil, nil).Export("reenter").
		Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	inst, err := rt.InstantiateWasm(ctx, readWasm(t, "runaway"), ModuleConfig{}.WithValue(valueKey{"k"}, 1))
	if err != nil {
		t.Fatal(err)
	}
	count, err := NewTypedFunc1[int32, int32](inst.ExportedFunction("count"))
	if err != nil {
		t.Fatal(err)
	}
	reenter := inst.ExportedFunction("reenter")
	stack := make([]uint64, 1)
	cases := []struct {
		name string
		fn   func()
	}{
		{"CallWithStack", func() { _ = inst.ExportedFunction("count").CallWithStack(ctx, stack) }},
		{"host call with memory and value", func() { _ = reenter.CallWithStack(ctx, nil) }},
		{"typed call", func() { _, _ = count.Call(ctx, 10) }},
		{"metered call", func() { inst.SetFuel(1000); _, _ = count.Call(ctx, 10) }},
	}
	got := map[string]float64{}
	want := map[string]float64{}
	for _, c := range cases {
		got[c.name] = testing.AllocsPerRun(100, c.fn)
		want[c.name] = 0
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("allocations per call (-want +got):\n%s", diff)
	}
}
