package instance

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"
)

type fd int32

var errHost = errors.New("host says no")

// withFuncCases are host functions of many shapes with a call and what it
// must return; fast says whether WithFunc calls it without reflection.
var withFuncCases = []struct {
	name    string
	fn      any
	params  []uint64
	want    []uint64
	wantErr error
	fast    bool
	sig     FuncType
}{
	{"no params, no results", func() {}, nil, nil, nil, true, FuncType{}},
	{"wazero log_i32", func(v uint32) {}, []uint64{7}, nil, nil, true, FuncType{Params: []api.ValueType{api.ValueTypeI32}}},
	{"wazero current_year", func() uint32 { return 2021 }, nil, []uint64{2021}, nil, true, FuncType{Results: []api.ValueType{api.ValueTypeI32}}},
	{"signed and defined types", func(a fd, b int32) int32 { return int32(a) - b }, []uint64{1, 3}, []uint64{api.EncodeI32(-2)}, nil, true,
		FuncType{Params: []api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, Results: []api.ValueType{api.ValueTypeI32}}},
	{"ctx and caller", func(ctx context.Context, m Instance, off, n uint32) uint64 {
		if ctx == nil || !m.Closed() { // called from Go: the zero caller
			return 0
		}
		return uint64(off)<<32 | uint64(n)
	}, []uint64{1, 2}, []uint64{1<<32 | 2}, nil, true,
		FuncType{Params: []api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, Results: []api.ValueType{api.ValueTypeI64}}},
	{"i64 mix with error", func(ctx context.Context, a int64, b uint32, c uint64, d int32) (int64, error) {
		return a + int64(b) + int64(c) + int64(d), nil
	}, []uint64{api.EncodeI64(-10), 1, 2, api.EncodeI32(-3)}, []uint64{api.EncodeI64(-10)}, nil, true,
		FuncType{Params: []api.ValueType{api.ValueTypeI64, api.ValueTypeI32, api.ValueTypeI64, api.ValueTypeI32}, Results: []api.ValueType{api.ValueTypeI64}}},
	{"error only", func(m Instance) error { return errHost }, nil, nil, errHost, true, FuncType{}},
	{"floats", func(a float32, b float64) float64 { return float64(a) * b }, []uint64{api.EncodeF32(1.5), api.EncodeF64(-4)}, []uint64{api.EncodeF64(-6)}, nil, false,
		FuncType{Params: []api.ValueType{api.ValueTypeF32, api.ValueTypeF64}, Results: []api.ValueType{api.ValueTypeF64}}},
	{"f32 result", func() float32 { return float32(math.Inf(-1)) }, nil, []uint64{api.EncodeF32(float32(math.Inf(-1)))}, nil, false,
		FuncType{Results: []api.ValueType{api.ValueTypeF32}}},
	{"two results", func(ctx context.Context, a uint32) (uint32, int64, error) { return a + 1, -int64(a), nil }, []uint64{5}, []uint64{6, api.EncodeI64(-5)}, nil, false,
		FuncType{Params: []api.ValueType{api.ValueTypeI32}, Results: []api.ValueType{api.ValueTypeI32, api.ValueTypeI64}}},
	{"two results error", func(a uint32) (uint32, uint32, error) { return 0, 0, errHost }, []uint64{5}, nil, errHost, false,
		FuncType{Params: []api.ValueType{api.ValueTypeI32}, Results: []api.ValueType{api.ValueTypeI32, api.ValueTypeI32}}},
	{"six params", func(a, b, c, d, e uint32, f uint64) uint64 { return uint64(a+b+c+d+e) + f }, []uint64{1, 2, 3, 4, 5, 6}, []uint64{21}, nil, false,
		FuncType{Params: []api.ValueType{api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI64}, Results: []api.ValueType{api.ValueTypeI64}}},
}

func TestWithFunc(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	b := rt.NewHostModuleBuilder("shapes")
	for _, tc := range withFuncCases {
		b = b.NewFunctionBuilder().WithFunc(tc.fn).Export(tc.name)
	}
	host, err := b.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range withFuncCases {
		t.Run(tc.name, func(t *testing.T) {
			hf, fast, err := funcOf(tc.fn)
			if err != nil {
				t.Fatal(err)
			}
			if fast != tc.fast {
				t.Errorf("called without reflection: %v, want %v", fast, tc.fast)
			}
			if diff := cmp.Diff(tc.sig, FuncType{Params: hf.Params, Results: hf.Results}, cmp.Comparer(func(a, b []api.ValueType) bool {
				return len(a) == len(b) && (len(a) == 0 || cmp.Equal(a, b))
			})); diff != "" {
				t.Errorf("signature (-want +got):\n%s", diff)
			}
			got, err := host.ExportedFunction(tc.name).Call(ctx, tc.params...)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("call: %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				return
			}
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b []uint64) bool {
				return len(a) == len(b) && (len(a) == 0 || cmp.Equal(a, b))
			})); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWithFuncErrors(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	for _, tc := range []struct {
		name string
		fn   any
		want string
	}{
		{"not a func", 42, "int is not a func"},
		{"nil func", (func())(nil), "func() is not a func"},
		{"string param", func(s string) {}, "param 0 has type string"},
		{"ctx second", func(a uint32, ctx context.Context) {}, "param 1 has type context.Context"},
		//lint:ignore ST1008 the misuse under test: an error that is not the last result
		{"error first", func() (error, uint32) { return nil, 0 }, "result 0 has type error"},
		{"variadic", func(a ...uint32) {}, "variadic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rt.NewHostModuleBuilder("bad").NewFunctionBuilder().WithFunc(tc.fn).Export("f").Instantiate(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Instantiate: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// incModules instantiates calls.wasm against an "env" whose inc is made
// by the named way, and returns its call_inc.
func incModule(t testing.TB, how string) Function {
	t.Helper()
	rt := newTestRuntime(t, Config{MemorySlots: 1, MemorySlotBytes: 1 << 20})
	inc := func(x uint32) uint32 { return x + 1 }
	var hf HostFunction
	switch how {
	case "WithFunc":
		var err error
		if hf, _, err = funcOf(inc); err != nil {
			t.Fatal(err)
		}
	case "WithFunc-reflect": // the slow path, forced
		hf, _, _ = funcOf(inc)
		v := reflect.ValueOf(inc)
		hf.Func = reflectFunc(v, signature{params: []reflect.Type{v.Type().In(0)}, results: []reflect.Type{v.Type().Out(0)}})
	case "HostFunc1":
		hf = HostFunc1(func(_ context.Context, _ Instance, x uint32) (uint32, error) { return inc(x), nil })
	case "GoModuleFunc":
		hf = HostFunction{Func: func(_ context.Context, _ Instance, s []uint64) error {
			s[0] = uint64(inc(uint32(s[0])))
			return nil
		}, Params: []api.ValueType{api.ValueTypeI32}, Results: []api.ValueType{api.ValueTypeI32}}
	}
	if _, err := rt.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithFunc(func() {}).Export("nop").
		NewFunctionBuilder().WithHostFunction(hf).Export("inc").
		Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	inst, err := rt.InstantiateWasm(ctx, readWasm(t, "calls"), ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return inst.ExportedFunction("call_inc")
}

// TestWithFuncFromWasm: a WithFunc host function called from wasm gives
// its result, and the fast path allocates nothing per call.
func TestWithFuncFromWasm(t *testing.T) {
	for _, how := range []string{"WithFunc", "WithFunc-reflect", "HostFunc1", "GoModuleFunc"} {
		t.Run(how, func(t *testing.T) {
			f := incModule(t, how)
			stack := []uint64{41}
			if err := f.CallWithStack(ctx, stack); err != nil || stack[0] != 42 {
				t.Fatalf("call_inc(41) = %d, %v; want 42", stack[0], err)
			}
			allocs := testing.AllocsPerRun(100, func() {
				stack[0] = 1
				if err := f.CallWithStack(ctx, stack); err != nil {
					t.Fatal(err)
				}
			})
			if how != "WithFunc-reflect" && allocs != 0 {
				t.Errorf("%v allocations per call, want 0", allocs)
			}
		})
	}
}

// BenchmarkWithFunc measures a wasm call of a host function inc(i32) i32
// made each way: WithFunc (generated code), WithFunc's reflection path
// (forced, for comparison), the typed HostFunc1 and a GoModuleFunc.
// WithFunc must report 0 allocs/op.
func BenchmarkWithFunc(b *testing.B) {
	for _, how := range []string{"WithFunc", "WithFunc-reflect", "HostFunc1", "GoModuleFunc"} {
		b.Run("how="+how, func(b *testing.B) {
			f := incModule(b, how)
			stack := []uint64{0}
			b.ReportAllocs()
			for b.Loop() {
				if err := f.CallWithStack(ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestHostFuncGenerated: the generated typed forms with many params and
// several results pass each param in its place and return every result.
func TestHostFuncGenerated(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	host, err := rt.NewHostModuleBuilder("typed").
		NewFunctionBuilder().WithHostFunction(HostFunc6(func(_ context.Context, _ Instance, a int32, b uint32, c int64, d uint64, e float32, f float64) (float64, error) {
		return float64(a) + float64(b)*10 + float64(c)*100 + float64(d)*1000 + float64(e)*10000 + f*100000, nil
	})).Export("six").
		NewFunctionBuilder().WithHostFunction(HostFunc2R2(func(_ context.Context, _ Instance, a, b uint32) (uint32, uint32, error) {
		return a / b, a % b, nil
	})).Export("divmod").
		NewFunctionBuilder().WithHostFunction(HostFunc1R3(func(_ context.Context, _ Instance, a int64) (int64, float32, int32, error) {
		if a < 0 {
			return 0, 0, 0, errHost
		}
		return -a, float32(a) / 2, int32(a) + 1, nil
	})).Export("three").
		NewFunctionBuilder().WithHostFunction(HostFunc0R2(func(context.Context, Instance) (fd, float64, error) { return -1, 0.5, nil })).Export("pair").
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		fn     string
		params []uint64
		want   []uint64
		sig    string
	}{
		{"six", []uint64{api.EncodeI32(1), 2, api.EncodeI64(3), 4, api.EncodeF32(5), api.EncodeF64(6)}, []uint64{api.EncodeF64(654321)}, "func(i32, i32, i64, i64, f32, f64) -> (f64)"},
		{"divmod", []uint64{17, 5}, []uint64{3, 2}, "func(i32, i32) -> (i32, i32)"},
		{"three", []uint64{api.EncodeI64(7)}, []uint64{api.EncodeI64(-7), api.EncodeF32(3.5), 8}, "func(i64) -> (i64, f32, i32)"},
		{"pair", nil, []uint64{api.EncodeI32(-1), api.EncodeF64(0.5)}, "func() -> (i32, f64)"},
	}
	for _, tt := range tests {
		f := host.ExportedFunction(tt.fn)
		d := f.Definition()
		if got := (FuncType{Params: d.ParamTypes, Results: d.ResultTypes}).String(); got != tt.sig {
			t.Errorf("%s: type %s, want %s", tt.fn, got, tt.sig)
		}
		got, err := f.Call(ctx, tt.params...)
		if err != nil {
			t.Errorf("%s: %v", tt.fn, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.fn, diff)
		}
	}
	if _, err := host.ExportedFunction("three").Call(ctx, api.EncodeI64(-1)); !errors.Is(err, errHost) {
		t.Errorf("three(-1): %v, want errHost", err)
	}
}

// TestGeneratedUpToDate: typed_gen.go and withfunc_gen.go are what the
// generator writes (run go generate in instance/ after changing it).
func TestGeneratedUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generator")
	}
	dir := t.TempDir()
	out, err := exec.Command("go", "run", "./internal/gentyped", "-o", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("generator: %v\n%s", err, out)
	}
	for _, name := range []string{"typed_gen.go", "withfunc_gen.go"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want, got) {
			t.Errorf("%s is stale: run go generate in instance/", name)
		}
	}
}

// TestWithFuncModuleCaller: a host function written against wazero's
// api.Module, its caller param renamed to Module, gets the calling
// instance: it reads the caller's memory through it (wazero's logString),
// and the function is called through reflection (fast is false).
func TestWithFuncModuleCaller(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	var got []string
	logString := func(_ context.Context, m Module, offset, byteCount uint32) {
		buf, ok := m.Memory().Read(offset, byteCount)
		if !ok {
			t.Errorf("Memory().Read(%d, %d) is out of range", offset, byteCount)
		}
		got = append(got, m.Name()+": "+string(buf))
	}
	if _, fast, err := funcOf(logString); err != nil || fast {
		t.Fatalf("funcOf: fast %v, %v; want the reflection path", fast, err)
	}
	if _, err := rt.NewHostModuleBuilder("env").NewFunctionBuilder().WithFunc(logString).Export("log").Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	cm, err := rt.Compile(ctx, readWasm(t, "greet"))
	if err != nil {
		t.Fatal(err)
	}
	var mods []Module // as wazero's examples keep them
	for _, name := range []string{"a", "b"} {
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		mods = append(mods, inst)
	}
	for _, m := range mods {
		if _, err := m.ExportedFunction("greet").Call(ctx); err != nil {
			t.Fatal(err)
		}
		if err := m.Close(ctx); err != nil || !m.Closed() {
			t.Fatalf("Close: %v, Closed() = %v", err, m.Closed())
		}
	}
	if diff := cmp.Diff([]string{"a: hello from wasm", "b: hello from wasm"}, got); diff != "" {
		t.Errorf("logged (-want +got):\n%s", diff)
	}
}
