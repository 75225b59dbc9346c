package instance

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"
)

func TestExportsAndImportsDescribed(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	bin, err := os.ReadFile("testdata/trap.wasm")
	if err != nil {
		t.Fatal(err)
	}
	cm, err := rt.Compile(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	want := []ExportDescription{
		{Name: "mem", Index: 0, ExternType: ExternType{Kind: api.ExternTypeMemory, Memory: MemoryType{Limits: Limits{Min: 1, Max: 2, HasMax: true}}}},
		{Name: "tab", Index: 0, ExternType: ExternType{Kind: api.ExternTypeTable, Table: TableType{Elem: ValueTypeFuncref, Limits: Limits{Min: 2}}}},
		{Name: "g", Index: 0, ExternType: ExternType{Kind: api.ExternTypeGlobal, Global: GlobalType{Type: api.ValueTypeI64, Mutable: true}}},
		{Name: "outer", Index: 1, ExternType: ExternType{Kind: api.ExternTypeFunc, Func: FuncType{Params: []api.ValueType{api.ValueTypeI32}, Results: []api.ValueType{api.ValueTypeI32}}}},
	}
	got := cm.Exports()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Exports (-want +got):\n%s", diff)
	}
	var types []string
	for _, e := range got {
		types = append(types, e.ExternType.String())
	}
	if diff := cmp.Diff([]string{"memory{1, 2}", "table{2, funcref}", "global(mut i64)", "func(i32) -> (i32)"}, types); diff != "" {
		t.Errorf("type strings (-want +got):\n%s", diff)
	}
	ft, ok := cm.ExportedFunctionType("outer")
	if diff := cmp.Diff(want[3].Func, ft); !ok || diff != "" {
		t.Errorf("ExportedFunctionType(outer) = %v, %v (-want +got):\n%s", ft, ok, diff)
	}
	// The result is a copy: changing it does not change the module.
	ft.Params[0] = api.ValueTypeF64
	if ft2, _ := cm.ExportedFunctionType("outer"); ft2.Params[0] != api.ValueTypeI32 {
		t.Errorf("ExportedFunctionType shares the module's slice: %v", ft2)
	}
	if _, ok := cm.ExportedFunctionType("mem"); ok {
		t.Error(`ExportedFunctionType("mem") reports a function`)
	}

	imp, err := rt.Compile(ctx, mustRead(t, "testdata/imp_global_ok.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range imp.Imports() {
		if d.Kind != api.ExternTypeGlobal || d.Module == "" || !strings.HasPrefix(d.String(), "global(") {
			t.Errorf("import %+v: want a global import with a module name", d)
		}
	}

	inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	if diff := cmp.Diff([]string{"outer"}, inst.ExportNames(api.ExternTypeFunc)); diff != "" {
		t.Errorf("ExportNames(func) (-want +got):\n%s", diff)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTrapErrorFormat(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	inst, err := rt.InstantiateWasm(ctx, mustRead(t, "testdata/trap.wasm"), ModuleConfig{Name: "m"})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	_, err = inst.ExportedFunction("outer").Call(ctx, 1)
	var te *TrapError
	if !errors.As(err, &te) || !errors.Is(err, ErrTrapUnreachable) || !IsTrap(err) {
		t.Fatalf("got %v (%T), want a *TrapError matching ErrTrapUnreachable", err, err)
	}
	if diff := cmp.Diff("unreachable", fmt.Sprintf("%v", err)); diff != "" {
		t.Errorf("%%v (-want +got):\n%s", diff)
	}
	var names []string
	for _, f := range te.Trace {
		names = append(names, f.Module+"."+f.Name)
	}
	if diff := cmp.Diff([]string{"m.inner", "m.outer"}, names); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
	plus := fmt.Sprintf("%+v", err)
	want := "unreachable\nwasm backtrace:\n" + te.Backtrace()
	if diff := cmp.Diff(want, plus); diff != "" {
		t.Errorf("%%+v (-want +got):\n%s", diff)
	}
	if !strings.Contains(plus, "  0: m.inner (@0x") || !strings.Contains(plus, "  1: m.outer (@0x") {
		t.Errorf("%%+v lacks the frames:\n%s", plus)
	}
}

func TestCompileErrorKinds(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	tests := []struct {
		name string
		bin  []byte
		want error
	}{
		{"text format", []byte("(module)"), ErrMalformedModule},
		{"type mismatch", []byte("\x00asm\x01\x00\x00\x00\x01\x05\x01\x60\x00\x01\x7f\x03\x02\x01\x00\x0a\x04\x01\x02\x00\x0b"), ErrInvalidModule},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rt.Compile(ctx, tt.bin)
			if !errors.Is(err, tt.want) {
				t.Errorf("Compile: %v, want %v", err, tt.want)
			}
			other := ErrInvalidModule
			if tt.want == ErrInvalidModule {
				other = ErrMalformedModule
			}
			if errors.Is(err, other) {
				t.Errorf("Compile: %v matches %v too", err, other)
			}
		})
	}
}
