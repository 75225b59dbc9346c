package wasi

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/wpi-dev/wpi/instance"
	"github.com/wpi-dev/wpi/memory"
)

// The scripting-language guest: CRuby 3.4 compiled to WASI by the ruby.wasm
// project (npm @ruby/3.4-wasm-wasi 2.10.1, dist/ruby+stdlib.wasm: 30 MB of
// wasm with the standard library packed into its data by wasi-vfs). It is
// a reactor with a component-style interface: ruby-init(args) boots the VM
// (about 0.3 s of interpretation on a quiet machine: the start-up a
// snapshot exists to skip), rb-eval-string-protect(code) runs a script.
// Its JavaScript-interop imports are stubbed: nothing here calls them.
// scripts/ruby-wasm.sh fetches the module; WPI_RUBY_WASM names it.

// Exports of ruby+stdlib.wasm (wit-bindgen names carry their signatures).
const (
	rubyInitExport = "ruby-init: func(args: list<string>) -> ()"
	rubyEvalExport = "rb-eval-string-protect: func(str: string) -> tuple<handle<rb-abi-value>, s32>"
)

// rubyArgs are the VM's arguments, as ruby.wasm's JavaScript host gives
// them.
var rubyArgs = []string{"ruby.wasm", "-EUTF-8", "-e_=0"}

// rubyScripts exercise the VM after init: methods, blocks, strings with
// encodings, exceptions caught and uncaught, the GC, a library required
// from the packed file system, and a global that persists between calls
// of one instance.
var rubyScripts = []string{
	`def fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2); puts fib(15)`,
	`puts [3, 1, 2].sort.map { |x| x * 2 }.inspect; puts "héllo wörld".upcase; puts({a: 1, b: [2]}.to_a.inspect)`,
	`begin; raise ArgumentError, "boom"; rescue => e; puts "#{e.class}: #{e.message}"; end`,
	`GC.start; puts ObjectSpace.count_objects[:TOTAL] > 0`,
	`require "json"; puts JSON.generate({"x" => [1, 2.5, nil], "y" => "z"})`,
	`$n = ($n || 0) + 1; puts "call #{$n}"`,
	`raise "uncaught"`,
	`$n = ($n || 0) + 1; puts "call #{$n}"; puts fib(10)`,
}

// rubyWasm reads the module named by WPI_RUBY_WASM, or skips.
func rubyWasm(tb testing.TB) []byte {
	tb.Helper()
	path := os.Getenv("WPI_RUBY_WASM")
	if path == "" {
		tb.Skip("WPI_RUBY_WASM is not set (scripts/ruby-wasm.sh fetches ruby+stdlib.wasm)")
	}
	wasm, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return wasm
}

// rubyHostStubs instantiates the modules ruby.wasm imports besides WASI:
// resource handles are the guest's own pointers (new and get return their
// argument); every other import fails the call, as it needs JavaScript.
func rubyHostStubs(tb testing.TB, rt *instance.Runtime, cm *instance.CompiledModule) {
	tb.Helper()
	ctx := context.Background()
	hosts := map[string]*instance.HostModuleBuilder{}
	var order []string
	for _, imp := range cm.Imports() {
		if imp.Module == "wasi_snapshot_preview1" {
			continue
		}
		b := hosts[imp.Module]
		if b == nil {
			b = rt.NewHostModuleBuilder(imp.Module)
			hosts[imp.Module] = b
			order = append(order, imp.Module)
		}
		name := imp.Module + "." + imp.Name
		fn := func(ctx context.Context, caller instance.Instance, stack []uint64) error {
			return fmt.Errorf("%s: no JavaScript host", name)
		}
		switch imp.Name {
		case "resource_new_rb-abi-value", "resource_get_rb-abi-value":
			fn = func(context.Context, instance.Instance, []uint64) error { return nil }
		}
		b.NewFunctionBuilder().WithGoModuleFunction(fn, imp.Func.Params, imp.Func.Results).Export(imp.Name)
	}
	for _, m := range order {
		if _, err := hosts[m].Instantiate(ctx); err != nil {
			tb.Fatal(err)
		}
	}
}

// rubyCaller is what the script helpers need of an instance, in wpi or in
// wazero.
type rubyCaller struct {
	call  func(name string, args ...uint64) ([]uint64, error)
	write func(off uint32, b []byte) bool
	put32 func(off, v uint32) bool
	get32 func(off uint32) (uint32, bool)
}

func wpiRuby(ctx context.Context, inst instance.Instance) rubyCaller {
	mem := inst.Memory()
	return rubyCaller{
		call: func(name string, args ...uint64) ([]uint64, error) {
			return inst.ExportedFunction(name).Call(ctx, args...)
		},
		write: func(off uint32, b []byte) bool { return mem.Write(off, b) },
		put32: func(off, v uint32) bool { return mem.WriteUint32Le(off, v) },
		get32: func(off uint32) (uint32, bool) { return mem.ReadUint32Le(off) },
	}
}

// str copies s into guest memory allocated by cabi_realloc (the
// component model's lowering of a string: pointer and length).
func (r rubyCaller) str(s string) (ptr, n uint32, err error) {
	res, err := r.call("cabi_realloc", 0, 0, 1, uint64(len(s)))
	if err != nil {
		return 0, 0, err
	}
	if !r.write(uint32(res[0]), []byte(s)) {
		return 0, 0, fmt.Errorf("string at %#x out of range", res[0])
	}
	return uint32(res[0]), uint32(len(s)), nil
}

// init runs the reactor's _initialize and ruby-init(rubyArgs): a list of
// NUL-terminated strings, each an 8-byte (pointer, length) element.
func (r rubyCaller) init() error {
	if _, err := r.call(instance.ReactorInit); err != nil {
		return err
	}
	list, err := r.call("cabi_realloc", 0, 0, 4, uint64(8*len(rubyArgs)))
	if err != nil {
		return err
	}
	for i, a := range rubyArgs {
		p, n, err := r.str(a + "\x00")
		if err != nil {
			return err
		}
		r.put32(uint32(list[0])+uint32(8*i), p)
		r.put32(uint32(list[0])+uint32(8*i+4), n)
	}
	_, err = r.call(rubyInitExport, list[0], uint64(len(rubyArgs)))
	return err
}

// eval runs one script and flushes $stdout; it returns the protect state
// (0: no exception escaped) read from the result tuple.
func (r rubyCaller) eval(script string) (uint32, error) {
	p, n, err := r.str(script + "\n$stdout.flush")
	if err != nil {
		return 0, err
	}
	res, err := r.call(rubyEvalExport, uint64(p), uint64(n))
	if err != nil {
		return 0, err
	}
	state, ok := r.get32(uint32(res[0]) + 4)
	if !ok {
		return 0, fmt.Errorf("result tuple at %#x out of range", res[0])
	}
	return state, nil
}

// rubyRun is what the scripts did on one instance: each one's protect
// state and the guest's stdout.
type rubyRun struct {
	States []uint32
	Stdout string
}

func runRubyScripts(tb testing.TB, r rubyCaller, stdout *bytes.Buffer) rubyRun {
	tb.Helper()
	var got rubyRun
	for _, s := range rubyScripts {
		state, err := r.eval(s)
		if err != nil {
			tb.Fatalf("eval %q: %v\n%s", s, err, stdout.String())
		}
		got.States = append(got.States, state)
	}
	got.Stdout = stdout.String()
	return got
}

// newRubyRuntime is a runtime with WASI and ruby.wasm's stubs, and the
// module compiled.
func newRubyRuntime(tb testing.TB, wasm []byte, slots int) (*instance.Runtime, *instance.CompiledModule) {
	tb.Helper()
	ctx := context.Background()
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: slots, MemorySlotBytes: 1 << 30})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { rt.Close(ctx) })
	cm, err := rt.Compile(ctx, wasm)
	if err != nil {
		tb.Fatal(err)
	}
	rubyHostStubs(tb, rt, cm)
	w, err := Instantiate(ctx, rt, Config{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.Close(ctx) })
	return rt, cm
}

func newRubyInstance(tb testing.TB, rt *instance.Runtime, cm *instance.CompiledModule, stdout *bytes.Buffer) instance.Instance {
	tb.Helper()
	mc := WithConfig(instance.ModuleConfig{}, Config{Args: []string{"ruby"}, Stdout: stdout, Stderr: stdout})
	inst, err := rt.Instantiate(context.Background(), cm, mc)
	if err != nil {
		tb.Fatal(err)
	}
	return inst
}

// snapshotRuby boots one instance and snapshots it, dropping ruby-init
// (as well as _initialize) from the snapshot's exports.
func snapshotRuby(tb testing.TB, rt *instance.Runtime, cm *instance.CompiledModule) *instance.CompiledModule {
	tb.Helper()
	ctx := context.Background()
	var out bytes.Buffer
	src := newRubyInstance(tb, rt, cm, &out)
	defer src.Close(ctx)
	if err := wpiRuby(ctx, src).init(); err != nil {
		tb.Fatalf("init: %v\n%s", err, out.String())
	}
	snap, err := rt.Snapshot(ctx, src, instance.SnapshotConfig{Init: rubyInitExport})
	if err != nil {
		tb.Fatal(err)
	}
	return snap
}

// TestGuestSnapshotRuby: the scripts give the same states and output on
// a fresh instance that booted the VM, on instances of a snapshot taken
// after the boot (one after the other in the same slots, each seeing the
// snapshot whatever the last one did), and in wazero on the module the
// snapshot's Encode wrote.
func TestGuestSnapshotRuby(t *testing.T) {
	wasm := rubyWasm(t)
	if raceEnabled {
		t.Skip("boots a Ruby VM in the interpreter (minutes under -race)")
	}
	ctx := context.Background()
	rt, cm := newRubyRuntime(t, wasm, 2)

	var out bytes.Buffer
	fresh := newRubyInstance(t, rt, cm, &out)
	r := wpiRuby(ctx, fresh)
	if err := r.init(); err != nil {
		t.Fatalf("init: %v\n%s", err, out.String())
	}
	initOut := out.Len()
	want := runRubyScripts(t, r, &out)
	want.Stdout = want.Stdout[initOut:]
	fresh.Close(ctx)
	if want.States[0] != 0 || want.States[6] == 0 {
		t.Fatalf("protect states %v: want 0 for the scripts that catch, non-zero for the uncaught raise", want.States)
	}

	t.Logf("fresh instance: states %v, stdout:\n%s", want.States, want.Stdout)

	snap := snapshotRuby(t, rt, cm)
	if _, ok := snap.ExportedFunctionType(rubyInitExport); ok {
		t.Errorf("the snapshot still exports %q", rubyInitExport)
	}
	for n := range 3 {
		var out bytes.Buffer
		inst := newRubyInstance(t, rt, snap, &out)
		got := runRubyScripts(t, wpiRuby(ctx, inst), &out)
		inst.Close(ctx)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("instance %d of the snapshot (-fresh instance after init +snapshot):\n%s", n, diff)
		}
	}

	if testing.Short() {
		return
	}
	bin, err := snap.Encode()
	if err != nil {
		t.Fatal(err)
	}
	wz := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer wz.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, wz)
	wcm, err := wz.CompileModule(ctx, bin)
	if err != nil {
		t.Fatalf("wazero rejects the snapshot's module: %v", err)
	}
	for _, e := range []string{instance.ReactorInit, rubyInitExport} {
		if _, ok := wcm.ExportedFunctions()[e]; ok {
			t.Errorf("the written snapshot exports %s", e)
		}
	}
	hosts := map[string]wazero.HostModuleBuilder{}
	for _, f := range wcm.ImportedFunctions() {
		m, name, _ := f.Import()
		if m == "wasi_snapshot_preview1" {
			continue
		}
		if hosts[m] == nil {
			hosts[m] = wz.NewHostModuleBuilder(m)
		}
		fn := api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
			panic(m + "." + name + ": no JavaScript host")
		})
		if name == "resource_new_rb-abi-value" || name == "resource_get_rb-abi-value" {
			fn = func(context.Context, api.Module, []uint64) {}
		}
		hosts[m].NewFunctionBuilder().WithGoModuleFunction(fn, f.ParamTypes(), f.ResultTypes()).Export(name)
	}
	for _, b := range hosts {
		if _, err := b.Instantiate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var wout bytes.Buffer
	mod, err := wz.InstantiateModule(ctx, wcm, wazero.NewModuleConfig().WithName("").
		WithArgs("ruby").WithStdout(&wout).WithStderr(&wout).WithStartFunctions())
	if err != nil {
		t.Fatal(err)
	}
	wr := rubyCaller{
		call: func(name string, args ...uint64) ([]uint64, error) {
			return mod.ExportedFunction(name).Call(ctx, args...)
		},
		write: func(off uint32, b []byte) bool { return mod.Memory().Write(off, b) },
		put32: func(off, v uint32) bool { return mod.Memory().WriteUint32Le(off, v) },
		get32: func(off uint32) (uint32, bool) { return mod.Memory().ReadUint32Le(off) },
	}
	if diff := cmp.Diff(want, runRubyScripts(t, wr, &wout)); diff != "" {
		t.Errorf("the written snapshot in wazero (-wpi fresh instance +wazero):\n%s", diff)
	}
}

// BenchmarkRuby: one op is instantiate, one script, close; "fresh" boots
// the VM in every instance, "snapshot" starts from the booted state.
// minor-faults/op is the process's minor page faults (getrusage) per op,
// reset-B/op the bytes the pool reset (memset) and madvise/op its madvise
// calls.
//
//	WPI_RUBY_WASM=... go test ./instance/wasi -run '^$' -bench BenchmarkRuby -benchtime 5x
func BenchmarkRuby(b *testing.B) {
	wasm := rubyWasm(b)
	ctx := context.Background()
	const script = `puts [3, 1, 2].sort.map { |x| x * 2 }.sum`
	for _, mode := range []string{"fresh", "snapshot"} {
		b.Run(mode, func(b *testing.B) {
			rt, cm := newRubyRuntime(b, wasm, 2)
			if mode == "snapshot" {
				cm = snapshotRuby(b, rt, cm)
			}
			var out bytes.Buffer
			op := func() {
				out.Reset()
				inst := newRubyInstance(b, rt, cm, &out)
				r := wpiRuby(ctx, inst)
				if mode == "fresh" {
					if err := r.init(); err != nil {
						b.Fatal(err)
					}
				}
				if state, err := r.eval(script); err != nil || state != 0 || out.String() != "12\n" {
					b.Fatalf("eval: state %d, %v, output %q", state, err, out.String())
				}
				inst.Close(ctx)
			}
			op() // warm the slot
			minor0, _, ferr := memory.Faults()
			st0 := rt.PoolStats()
			b.ResetTimer()
			for b.Loop() {
				op()
			}
			b.StopTimer()
			if minor1, _, _ := memory.Faults(); ferr == nil {
				b.ReportMetric(float64(minor1-minor0)/float64(b.N), "minor-faults/op")
			}
			st1 := rt.PoolStats()
			b.ReportMetric(float64(st1.MemsetBytes-st0.MemsetBytes)/float64(b.N), "reset-B/op")
			b.ReportMetric(float64(st1.MadviseCalls-st0.MadviseCalls)/float64(b.N), "madvise/op")
		})
	}
}
