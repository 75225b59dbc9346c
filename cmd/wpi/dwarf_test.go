package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wpi-dev/wpi/instance"
	"github.com/wpi-dev/wpi/instance/wasi"
)

// The C program testdata/dwarf/trap.c, built with DWARF by build.sh
// (clang --target=wasm32-wasi --sysroot=/usr -g -O0), traps in fail(),
// called by middle(), called by main(). Lines: __builtin_trap() is
// trap.c:9, the call of fail trap.c:14, the call of middle trap.c:18.
var dwarfFrames = []string{
	"fail (@0xfb) at trap.c:9:2",
	"middle (@0x155) at trap.c:14:2",
	"__original_main (@0x1a0) at trap.c:18:2",
}

// TestDWARFBacktrace: wpi run prints the file:line of each frame of a
// trap in a C program built with -g.
func TestDWARFBacktrace(t *testing.T) {
	got := runCLI("run", td("dwarf/trap.wasm"))
	if got.Code != exitTrap || got.Stdout != "middle\n" {
		t.Fatalf("got %+v, want exit 134 and stdout \"middle\\n\"", got)
	}
	lines := strings.Split(strings.TrimSuffix(got.Stderr, "\n"), "\n")
	want := []string{"wpi: trap: unreachable", "wasm backtrace:"}
	for i, f := range dwarfFrames {
		want = append(want, fmt.Sprintf("  %d: %s", i, f))
	}
	if len(lines) < len(want) {
		t.Fatalf("stderr:\n%s", got.Stderr)
	}
	if diff := cmp.Diff(want, lines[:len(want)]); diff != "" {
		t.Errorf("backtrace (-want +got):\n%s", diff)
	}
}

// TestDWARFTrapError: the same frames through the API: TrapError.Trace
// has File and Line, and %+v prints them.
func TestDWARFTrapError(t *testing.T) {
	ctx := context.Background()
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	w, err := wasi.Instantiate(ctx, rt, wasi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	bin, err := os.ReadFile(td("dwarf/trap.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := rt.InstantiateWasm(ctx, bin, instance.ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	err = wasi.Run(ctx, inst)
	var te *instance.TrapError
	if !errors.As(err, &te) || !errors.Is(err, instance.ErrTrapUnreachable) {
		t.Fatalf("Run: %v, want an unreachable TrapError", err)
	}
	type pos struct {
		Name, File string
		Line       int
	}
	var got []pos
	for _, f := range te.Trace[:3] {
		got = append(got, pos{f.Name, f.File, f.Line})
	}
	if diff := cmp.Diff([]pos{{"fail", "trap.c", 9}, {"middle", "trap.c", 14}, {"__original_main", "trap.c", 18}}, got); diff != "" {
		t.Errorf("frames (-want +got):\n%s", diff)
	}
	plus := fmt.Sprintf("%+v", te)
	for _, f := range dwarfFrames {
		if !strings.Contains(plus, f) {
			t.Errorf("%%+v lacks %q:\n%s", f, plus)
		}
	}
	if one := fmt.Sprintf("%v", te); one != "unreachable" {
		t.Errorf("%%v = %q, want one line", one)
	}
}
