package instance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
)

var ctx = context.Background()

func readWasm(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newTestRuntime(t testing.TB, cfg Config) *Runtime {
	t.Helper()
	if cfg.MemorySlots == 0 {
		cfg.MemorySlots = 8
	}
	if cfg.MemorySlotBytes == 0 {
		cfg.MemorySlotBytes = 4 * engine.PageSize
	}
	rt, err := NewRuntime(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := rt.Close(ctx); err != nil {
			t.Errorf("Runtime.Close: %v", err)
		}
	})
	return rt
}

var errBoom = errors.New("boom")

// envModule registers the host module "env": f() nothing, add(i32, i32)
// i32, boom() error, globals base = 42 (i32) and base64 = 7 (i64), table
// tab of 4..8 funcrefs, memory mem of 1..2 pages; and "nomax" exporting
// a memory of 1 page without a maximum.
func envModule(t testing.TB, rt *Runtime, boom GoModuleFunc) Instance {
	t.Helper()
	if boom == nil {
		boom = func(context.Context, Instance, []uint64) error { return errBoom }
	}
	i32, i64 := api.ValueTypeI32, api.ValueTypeI64
	env, err := rt.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithGoModuleFunction(func(context.Context, Instance, []uint64) error { return nil }, nil, nil).Export("f").
		NewFunctionBuilder().WithGoModuleFunction(func(_ context.Context, _ Instance, s []uint64) error {
		s[0] = api.EncodeI32(api.DecodeI32(s[0]) + api.DecodeI32(s[1]))
		return nil
	}, []api.ValueType{i32, i32}, []api.ValueType{i32}).Export("add").
		NewFunctionBuilder().WithGoModuleFunction(boom, nil, nil).Export("boom").
		ExportGlobal("base", i32, false, api.EncodeI32(42)).
		ExportGlobal("base64", i64, false, api.EncodeI64(7)).
		ExportTable("tab", decoder.FuncRef, Limits{Min: 4, Max: 8, HasMax: true}).
		ExportMemory("mem", Limits{Min: 1, Max: 2, HasMax: true}).
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.NewHostModuleBuilder("nomax").ExportMemory("mem", Limits{Min: 1}).Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	return env
}

func TestHostFunctionCalledFromGo(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	panicky := func(context.Context, Instance, []uint64) error { panic("host bug") }
	env := envModule(t, rt, panicky)
	tests := []struct {
		name    string
		fn      string
		params  []uint64
		want    []uint64
		wantErr string
	}{
		{name: "add", fn: "add", params: []uint64{api.EncodeI32(40), api.EncodeI32(2)}, want: []uint64{42}},
		{name: "add negative", fn: "add", params: []uint64{api.EncodeI32(-5), api.EncodeI32(2)}, want: []uint64{api.EncodeI32(-3)}},
		{name: "too few params", fn: "add", params: []uint64{1}, wantErr: "expects 2 params, got 1"},
		{name: "too many params", fn: "f", params: []uint64{1}, wantErr: "expects 0 params, got 1"},
		{name: "panic becomes error", fn: "boom", wantErr: "host bug"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := env.ExportedFunction(tc.fn).Call(ctx, tc.params...)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
				if !strings.Contains(gotErr, tc.wantErr) || tc.wantErr == "" {
					t.Errorf("error %q, want one containing %q", gotErr, tc.wantErr)
				}
				return
			}
			if tc.wantErr != "" {
				t.Fatalf("no error, want %q", tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
		})
	}
	// The runtime keeps working after the panic.
	got, err := env.ExportedFunction("add").Call(ctx, 1, 2)
	if diff := cmp.Diff([]uint64{3}, got); err != nil || diff != "" {
		t.Errorf("after panic: %v, (-want +got):\n%s", err, diff)
	}
}

func TestHostFunctionErrorIsCause(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	env := envModule(t, rt, nil)
	_, err := env.ExportedFunction("boom").Call(ctx)
	var te *TrapError
	if !errors.Is(err, errBoom) || !errors.As(err, &te) {
		t.Errorf("got %v, want a *TrapError wrapping errBoom", err)
	}
}

func TestHostFunctionCalledFromWasm(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	var callerName string
	add := func(_ context.Context, caller Instance, s []uint64) error {
		if !caller.Closed() {
			callerName = caller.Name()
		}
		s[0] = api.EncodeI32(api.DecodeI32(s[0]) + api.DecodeI32(s[1]))
		return nil
	}
	_, err := rt.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithGoModuleFunction(add, []api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).Export("add").
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := rt.InstantiateWasm(ctx, readWasm(t, "host_call"), ModuleConfig{Name: "caller"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := inst.ExportedFunction("call_add").Call(ctx, api.EncodeI32(-7), api.EncodeI32(3))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint64{api.EncodeI32(-4)}, got); diff != "" {
		t.Errorf("call_add (-want +got):\n%s", diff)
	}
	if callerName != "caller" {
		t.Errorf("host function saw caller %q, want %q", callerName, "caller")
	}
	stack := []uint64{21}
	if err := inst.ExportedFunction("twice").CallWithStack(ctx, stack); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint64{42}, stack); diff != "" {
		t.Errorf("twice via CallWithStack (-want +got):\n%s", diff)
	}
}

func TestImportMatching(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	envModule(t, rt, nil)
	tests := []struct {
		module string
		want   error // nil: instantiates
	}{
		{"imp_func_ok", nil},
		{"imp_func_sig", ErrIncompatibleImport},
		{"imp_unknown_module", ErrUnknownImport},
		{"imp_unknown_field", ErrUnknownImport},
		{"imp_kind", ErrIncompatibleImport},
		{"imp_mem_ok", nil},
		{"imp_mem_min", ErrIncompatibleImport},
		{"imp_mem_max", ErrIncompatibleImport},
		{"imp_mem_nomax", ErrIncompatibleImport},
		{"imp_table_ok", nil},
		{"imp_table_elem", ErrIncompatibleImport},
		{"imp_table_min", ErrIncompatibleImport},
		{"imp_global_ok", nil},
		{"imp_global_type", ErrIncompatibleImport},
		{"imp_global_mut", ErrIncompatibleImport},
		{"imp_wasi", ErrUnknownImport},
	}
	for _, tc := range tests {
		t.Run(tc.module, func(t *testing.T) {
			inst, err := rt.InstantiateWasm(ctx, readWasm(t, tc.module), ModuleConfig{})
			if tc.want == nil {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				inst.Close(ctx)
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			// The spec suite matches on the message.
			if !strings.Contains(err.Error(), tc.want.Error()) {
				t.Errorf("message %q lacks %q", err, tc.want)
			}
		})
	}
	if diff := cmp.Diff(2, rt.PoolStats().InUse); diff != "" {
		t.Errorf("slots in use, only env and nomax (-want +got):\n%s", diff)
	}
}

func TestGlobalInit(t *testing.T) {
	rt := newTestRuntime(t, Config{Features: api.CoreFeaturesV2 | experimental.CoreFeaturesExtendedConst})
	envModule(t, rt, nil)
	inst, err := rt.InstantiateWasm(ctx, readWasm(t, "globals"), ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, n := range []string{"copy", "sum", "prod", "diff", "mut"} {
		got[n] = inst.ExportedGlobal(n).Get()
	}
	want := map[string]uint64{
		"copy": 42, "sum": 52, "prod": 21, "diff": api.EncodeI32(-1), "mut": api.EncodeF64(1.5),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("globals (-want +got):\n%s", diff)
	}
	if err := inst.ExportedGlobal("copy").Set(1); err == nil {
		t.Error("Set on an immutable global succeeded")
	}
	if err := inst.ExportedGlobal("mut").Set(api.EncodeF64(2)); err != nil {
		t.Error(err)
	}
	if diff := cmp.Diff(api.EncodeF64(2), inst.ExportedGlobal("mut").Get()); diff != "" {
		t.Errorf("mut after Set (-want +got):\n%s", diff)
	}
}

// tableState renders which elements of table tab are set.
func tableState(t *testing.T, env Instance) string {
	tab := env.ExportedTable("tab")
	var b strings.Builder
	for i := uint64(0); i < tab.Size(); i++ {
		f, ok := tab.Function(i)
		switch {
		case !ok:
			b.WriteByte('?')
		case f.IsNil():
			b.WriteByte('.')
		default:
			b.WriteByte('f')
		}
	}
	return b.String()
}

func TestActiveSegments(t *testing.T) {
	tests := []struct {
		name      string
		module    string
		features  api.CoreFeatures
		wantErr   error
		wantTable string
		wantData  string
	}{
		// Wasm 2.0: segments apply in order until one traps.
		{"elem traps", "segments", api.CoreFeaturesV2, ErrTrapOutOfBoundsTable, ".f..", "\x00\x00\x00"},
		{"data traps", "data_oob", api.CoreFeaturesV2, ErrTrapOutOfBoundsMemory, "ff..", "abc"},
		// Wasm 1.0: every segment is checked first; nothing is written.
		{"elem misfit 1.0", "segments", api.CoreFeaturesV1, ErrSegmentDoesNotFit, "....", "\x00\x00\x00"},
		{"data misfit 1.0", "data_oob", api.CoreFeaturesV1, ErrSegmentDoesNotFit, "....", "\x00\x00\x00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := newTestRuntime(t, Config{Features: tc.features})
			env := envModule(t, rt, nil)
			_, err := rt.InstantiateWasm(ctx, readWasm(t, tc.module), ModuleConfig{})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			data, _ := env.ExportedMemory("mem").Read(0, 3)
			got := []string{tableState(t, env), string(data)}
			if diff := cmp.Diff([]string{tc.wantTable, tc.wantData}, got); diff != "" {
				t.Errorf("[table, memory] after failed instantiation (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFailingStartReturnsSlot(t *testing.T) {
	tests := []struct {
		name    string
		boom    GoModuleFunc
		wantErr string
	}{
		{"error", func(context.Context, Instance, []uint64) error { return errBoom }, "boom"},
		{"panic", func(context.Context, Instance, []uint64) error { panic("kaput") }, "kaput"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := newTestRuntime(t, Config{MemorySlots: 3})
			envModule(t, rt, tc.boom) // takes two slots: env and nomax
			_, err := rt.InstantiateWasm(ctx, readWasm(t, "start_host"), ModuleConfig{Name: "starter"})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want an error containing %q", err, tc.wantErr)
			}
			st := rt.PoolStats()
			got := []int{st.InUse, st.Idle}
			if diff := cmp.Diff([]int{2, 1}, got); diff != "" {
				t.Errorf("[in use, idle] after failed start (-want +got):\n%s", diff)
			}
			if !rt.Lookup("starter").Closed() {
				t.Error("failed instance is registered")
			}
		})
	}
}

// nonZero lists the non-zero bytes of b by offset.
func nonZero(b []byte) map[int]byte {
	m := map[int]byte{}
	for i, c := range b {
		if c != 0 {
			m[i] = c
		}
	}
	return m
}

func imageOf(segs map[int]string) map[int]byte {
	m := map[int]byte{}
	for off, s := range segs {
		for i := range len(s) {
			m[off+i] = s[i]
		}
	}
	return m
}

// TestSlotIsolation: a tenant dirties and grows its memory through the
// API; the next instance in the same (only) slot sees exactly its own
// initial image, at its declared size, and zeros past it.
func TestSlotIsolation(t *testing.T) {
	rt := newTestRuntime(t, Config{MemorySlots: 1})
	cm, err := rt.Compile(ctx, readWasm(t, "image"))
	if err != nil {
		t.Fatal(err)
	}
	want := imageOf(map[int]string{16: "hello", 65530: "edge!"})
	for round := range 3 {
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		mem := inst.ExportedMemory("mem")
		got := []uint64{mem.Size(), mem.MaxPages()}
		if diff := cmp.Diff([]uint64{engine.PageSize, 4}, got); diff != "" {
			t.Errorf("round %d: [size, max pages] (-want +got):\n%s", round, diff)
		}
		if _, ok := mem.Grow(3); !ok {
			t.Fatalf("round %d: grow failed", round)
		}
		all, _ := mem.Read(0, uint32(mem.Size()))
		if diff := cmp.Diff(want, nonZero(all)); diff != "" {
			t.Errorf("round %d: initial image (-want +got):\n%s", round, diff)
		}
		junk := make([]byte, mem.Size())
		for i := range junk {
			junk[i] = byte(i*7 + round + 1)
		}
		if !mem.Write(0, junk) {
			t.Fatal("write failed")
		}
		if err := inst.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSlotIsolationWasm is TestSlotIsolation with the writes and the grow
// done by wasm code.
func TestSlotIsolationWasm(t *testing.T) {
	rt := newTestRuntime(t, Config{MemorySlots: 1})
	cm, err := rt.Compile(ctx, readWasm(t, "scribble"))
	if err != nil {
		t.Fatal(err)
	}
	want := imageOf(map[int]string{16: "hello"})
	for round := range 3 {
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		mem := inst.ExportedMemory("mem")
		if diff := cmp.Diff(uint64(engine.PageSize), mem.Size()); diff != "" {
			t.Errorf("round %d: size (-want +got):\n%s", round, diff)
		}
		mem.Grow(3)
		all, _ := mem.Read(0, uint32(mem.Size()))
		if diff := cmp.Diff(want, nonZero(all)); diff != "" {
			t.Errorf("round %d: initial image (-want +got):\n%s", round, diff)
		}
		inst.Close(ctx)

		inst, err = rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := inst.ExportedFunction("scribble").Call(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]uint64{3}, got); diff != "" {
			t.Errorf("round %d: scribble (-want +got):\n%s", round, diff)
		}
		inst.Close(ctx)
	}
}

func TestMemoryLimits(t *testing.T) {
	rt := newTestRuntime(t, Config{MemorySlots: 1, MemorySlotBytes: engine.PageSize})
	_, err := rt.InstantiateWasm(ctx, readWasm(t, "big_mem"), ModuleConfig{})
	if !errors.Is(err, ErrMemoryTooLarge) {
		t.Errorf("2-page memory in a 1-page slot: got %v, want ErrMemoryTooLarge", err)
	}
	a, err := rt.InstantiateWasm(ctx, readWasm(t, "image"), ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(uint64(1), a.Memory().MaxPages()); diff != "" {
		t.Errorf("max pages capped by the slot (-want +got):\n%s", diff)
	}
	if _, err := rt.InstantiateWasm(ctx, readWasm(t, "image"), ModuleConfig{}); !errors.Is(err, ErrNoSlot) {
		t.Errorf("second instance in a 1-slot pool: got %v, want ErrNoSlot", err)
	}
	a.Close(ctx)
	b, err := rt.InstantiateWasm(ctx, readWasm(t, "image"), ModuleConfig{})
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	b.Close(ctx)
}

func TestCloseAndNames(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	env := envModule(t, rt, nil)
	cm, err := rt.Compile(ctx, readWasm(t, "image"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := rt.Instantiate(ctx, cm, ModuleConfig{Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Instantiate(ctx, cm, ModuleConfig{Name: "a"}); !errors.Is(err, ErrNameTaken) {
		t.Errorf("duplicate name: got %v, want ErrNameTaken", err)
	}
	if err := rt.Register("alias", a); err != nil {
		t.Fatal(err)
	}
	mem := a.ExportedMemory("mem")
	a.Close(ctx)
	if err := a.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
	got := []bool{rt.Lookup("a").Closed(), rt.Lookup("alias").Closed(), mem.Size() == 0}
	if diff := cmp.Diff([]bool{true, true, true}, got); diff != "" {
		t.Errorf("[a gone, alias gone, memory detached] (-want +got):\n%s", diff)
	}
	if _, ok := mem.Read(0, 1); ok {
		t.Error("read from a closed instance's memory succeeded")
	}
	if _, err := rt.Instantiate(ctx, cm, ModuleConfig{Name: "a"}); err != nil {
		t.Errorf("reusing the name after Close: %v", err)
	}
	f := env.ExportedFunction("f")
	env.Close(ctx)
	if _, err := f.Call(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("call after Close: got %v, want ErrClosed", err)
	}
}

// TestConcurrent instantiates, calls and closes from many goroutines at
// once (run with -race).
func TestConcurrent(t *testing.T) {
	const workers, rounds = 8, 50
	rt := newTestRuntime(t, Config{MemorySlots: 2*workers + 2}) // each worker holds two slots at a time
	envModule(t, rt, nil)
	image, err := rt.Compile(ctx, readWasm(t, "image"))
	if err != nil {
		t.Fatal(err)
	}
	code, err := rt.Compile(ctx, readWasm(t, "scribble"))
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- func() error {
				for r := range rounds {
					inst, err := rt.Instantiate(ctx, image, ModuleConfig{Name: fmt.Sprintf("w%d", w)})
					if err != nil {
						return err
					}
					mem := inst.ExportedMemory("mem")
					if b, _ := mem.Read(16, 5); string(b) != "hello" {
						return fmt.Errorf("worker %d round %d: image %q", w, r, b)
					}
					if b, _ := mem.Read(100, 1); b[0] != 0 {
						return fmt.Errorf("worker %d round %d: dirty byte %d", w, r, b[0])
					}
					mem.Write(100, []byte{byte(w + 1)})
					ci, err := rt.Instantiate(ctx, code, ModuleConfig{})
					if err != nil {
						return err
					}
					if _, err := ci.ExportedFunction("scribble").Call(ctx); err != nil {
						return err
					}
					ci.Close(ctx)
					inst.Close(ctx)
				}
				return nil
			}()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if diff := cmp.Diff(2, rt.PoolStats().InUse); diff != "" {
		t.Errorf("slots in use at the end, env and nomax (-want +got):\n%s", diff)
	}
}

// TestImportsFollowTheNamespace: instances of one compiled module resolve
// their imports anew whenever the namespace changed since the last
// instance (resolveImports caches a resolution per namespace): after the
// exporter closes, instantiation fails; after another module takes its
// name, instances call the new one's function.
func TestImportsFollowTheNamespace(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	env := func(k int32) Instance {
		t.Helper()
		inst, err := rt.NewHostModuleBuilder("env").NewFunctionBuilder().
			WithFunc(func(a, b int32) int32 { return k*a + b }).Export("add").Instantiate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return inst
	}
	wasm, err := os.ReadFile("testdata/host_call.wasm")
	if err != nil {
		t.Fatal(err)
	}
	cm, err := rt.Compile(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	call := func() (uint64, error) {
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			return 0, err
		}
		defer inst.Close(ctx)
		res, err := inst.ExportedFunction("call_add").Call(ctx, 2, 3)
		if err != nil {
			return 0, err
		}
		return res[0], nil
	}
	e1 := env(1)
	for range 3 { // the first resolves by name, the others reuse it
		if got, err := call(); err != nil || got != 5 {
			t.Fatalf("with env k=1: call_add(2, 3) = %d, %v; want 5", got, err)
		}
	}
	e1.Close(ctx)
	if _, err := call(); !errors.Is(err, ErrUnknownImport) {
		t.Fatalf("after env closed: %v, want ErrUnknownImport", err)
	}
	env(10)
	for range 2 {
		if got, err := call(); err != nil || got != 23 {
			t.Fatalf("with env k=10: call_add(2, 3) = %d, %v; want 23", got, err)
		}
	}
}

// BenchmarkResolveImports: resolving 16 function imports by name (what
// every instantiation did) against the cached resolution of an unchanged
// namespace.
func BenchmarkResolveImports(b *testing.B) {
	rt := newTestRuntime(b, Config{})
	hb := rt.NewHostModuleBuilder("env")
	// A module importing env.f0..f15, all () -> ().
	mod := []byte{0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0}
	var imports []byte
	for i := range 16 {
		name := fmt.Sprintf("f%d", i)
		hb.NewFunctionBuilder().WithFunc(func() {}).Export(name)
		imports = append(imports, 3, 'e', 'n', 'v', byte(len(name)))
		imports = append(imports, name...)
		imports = append(imports, 0, 0)
	}
	if _, err := hb.Instantiate(ctx); err != nil {
		b.Fatal(err)
	}
	sec := append([]byte{16}, imports...)
	mod = append(append(append(mod, 2), uleb(nil, len(sec))...), sec...)
	cm, err := rt.Compile(ctx, mod)
	if err != nil {
		b.Fatal(err)
	}
	e := &engine.Instance{Funcs: make([]*engine.Function, 16)}
	b.Run("by-name", func(b *testing.B) {
		names := *rt.names.Load()
		for b.Loop() {
			if err := rt.resolveImportsByName(cm, e, names); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			if _, err := rt.resolveImports(cm, e); err != nil {
				b.Fatal(err)
			}
		}
	})
}
