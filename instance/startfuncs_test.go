package instance_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/sys"

	"github.com/wpi-dev/wpi/instance"
)

// ModuleConfig.WithStartFunctions calls the named exports after the
// start section, in order, skipping what is not an exported function,
// on Instantiate and on Reset; a failure fails the instantiation and
// returns the slot; proc_exit(0) ends the list as a success (wazero's
// semantics).
func TestWithStartFunctions(t *testing.T) {
	ctx := context.Background()
	wasm, err := os.ReadFile("testdata/startfuncs.wasm")
	if err != nil {
		t.Fatal(err)
	}
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 2, MemorySlotBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	if _, err := rt.NewHostModuleBuilder("host").NewFunctionBuilder().
		WithFunc(func(code uint32) error { return sys.NewExitError(code) }).Export("exit").
		Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	cm, err := rt.Compile(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		names   []string
		log     uint64 // the order the functions ran in
		wantErr string // "" for success
		is      error
	}{
		{names: nil, log: 1},
		{names: []string{"two", "three", "two"}, log: 1232},
		{names: []string{"nope", "notfunc", "two"}, log: 12},
		{names: []string{"two", "exit0", "three"}, log: 125},
		{names: []string{"two", "trap", "three"}, wantErr: `start function "trap"`, is: instance.ErrTrapUnreachable},
		{names: []string{"exit3"}, wantErr: "exit_code(3)"},
		{names: []string{"params"}, wantErr: `start function "params" takes params`},
	} {
		t.Run(strings.Join(tc.names, ","), func(t *testing.T) {
			mc := instance.ModuleConfig{}.WithStartFunctions(tc.names...)
			inst, err := rt.Instantiate(ctx, cm, mc)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Instantiate: %v, want an error containing %q", err, tc.wantErr)
				}
				if tc.names[0] == "exit3" {
					// The bare *sys.ExitError, as wazero's InstantiateModule
					// returns it: a type assertion matches.
					if exit, ok := err.(*sys.ExitError); !ok || exit.ExitCode() != 3 {
						t.Errorf("Instantiate: %#v, want the guest's *sys.ExitError of code 3", err)
					}
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Errorf("Instantiate: %v does not match %v", err, tc.is)
				}
				if !inst.Closed() {
					t.Error("a failed instantiation returned an open instance")
				}
				if n := rt.PoolStats().InUse; n != 0 {
					t.Errorf("%d slots in use after a failed instantiation", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close(ctx)
			if got := inst.ExportedGlobal("log").Get(); got != tc.log {
				t.Errorf("log after Instantiate = %d, want %d", got, tc.log)
			}
			if err := inst.Reset(ctx); err != nil {
				t.Fatal(err)
			}
			if got := inst.ExportedGlobal("log").Get(); got != tc.log {
				t.Errorf("log after Reset = %d, want %d", got, tc.log)
			}
		})
	}

	// The names are copied: changing the caller's slice later changes
	// nothing.
	names := []string{"two"}
	mc := instance.ModuleConfig{}.WithStartFunctions(names...)
	names[0] = "trap"
	inst, err := rt.Instantiate(ctx, cm, mc)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	if diff := cmp.Diff(uint64(12), inst.ExportedGlobal("log").Get()); diff != "" {
		t.Error(diff)
	}
}

// NewModuleConfig is wazero's default: _start runs at instantiation (the
// zero ModuleConfig runs nothing), WithStartFunctions replaces the list,
// and WithName names the instance ("" leaves it unnamed).
func TestNewModuleConfig(t *testing.T) {
	ctx := context.Background()
	wasm, err := os.ReadFile("testdata/startfuncs.wasm")
	if err != nil {
		t.Fatal(err)
	}
	rt := instance.MustNewRuntime(ctx, instance.Config{MemorySlots: 2, MemorySlotBytes: 1 << 20})
	defer rt.Close(ctx)
	if _, err := rt.NewHostModuleBuilder("host").NewFunctionBuilder().
		WithFunc(func(code uint32) error { return sys.NewExitError(code) }).Export("exit").
		Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	type result struct {
		Log        uint64
		Name       string
		Registered bool
	}
	for _, tc := range []struct {
		name string
		mc   instance.ModuleConfig
		want result
	}{
		{"zero", instance.ModuleConfig{}, result{Log: 1}},
		{"NewModuleConfig", instance.NewModuleConfig(), result{Log: 17}},
		{"NewModuleConfig().WithStartFunctions", instance.NewModuleConfig().WithStartFunctions("two", "three"), result{Log: 123}},
		{`WithName("")`, instance.NewModuleConfig().WithName(""), result{Log: 17}},
		{`WithName("m")`, instance.NewModuleConfig().WithName("m"), result{Log: 17, Name: "m", Registered: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inst, err := rt.InstantiateWasm(ctx, wasm, tc.mc)
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close(ctx)
			got := result{Log: inst.ExportedGlobal("log").Get(), Name: inst.Name(), Registered: rt.Lookup("m") == inst}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
