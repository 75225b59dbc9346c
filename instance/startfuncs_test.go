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
				if exit := (*sys.ExitError)(nil); tc.names[0] == "exit3" && (!errors.As(err, &exit) || exit.ExitCode() != 3) {
					t.Errorf("Instantiate: %v does not wrap the guest's *sys.ExitError", err)
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
