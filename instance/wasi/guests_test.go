package wasi

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/wpi-dev/wpi/instance"
)

// guestCall is one export call of a real guest's script.
type guestCall struct {
	name string
	args []uint64
}

// guestRun is what a script did: each call's results or exit code (the
// call that exits ends the script), and the guest's stdout.
type guestRun struct {
	Calls  []string
	Stdout string
}

// guestEnv is the environment every run of a real guest gets, during
// init and after: the snapshot bakes in what init read (GREET), so a
// fresh instance must have read the same.
var guestEnv = []string{"GREET=snapshot"}

// runGuestScript calls the script on an instance; call runs one export.
// ExitCode finds wazero's *sys.ExitError as well as wpi's.
func runGuestScript(script []guestCall, call func(name string, args ...uint64) ([]uint64, error)) []string {
	var out []string
	for _, c := range script {
		res, err := call(c.name, c.args...)
		if code, ok := ExitCode(err); ok {
			out = append(out, fmt.Sprintf("%s%v: exit %d", c.name, c.args, code))
			return out
		}
		if err != nil {
			out = append(out, fmt.Sprintf("%s%v: error", c.name, c.args))
			continue
		}
		out = append(out, fmt.Sprintf("%s%v: %v", c.name, c.args, res))
	}
	return out
}

// testGuestSnapshot checks a real guest's snapshot: a script of export
// calls gives the same results, stdout and exit code (1) on a fresh
// instance that ran _initialize and then init (if not ""), (2) on
// instances of the snapshot taken after those, one after the other in
// the same slots, and (3) in wazero, on the module the snapshot's Encode
// wrote (which exports neither _initialize nor init).
func testGuestSnapshot(t *testing.T, wasm []byte, init string, script []guestCall) {
	t.Helper()
	ctx := context.Background()
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 4, MemorySlotBytes: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	w, err := Instantiate(ctx, rt, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	cm, err := rt.Compile(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	newInst := func(cm *instance.CompiledModule, stdout *bytes.Buffer) instance.Instance {
		t.Helper()
		mc := WithConfig(instance.ModuleConfig{}, Config{Args: []string{"guest"}, Env: guestEnv, Stdout: stdout})
		inst, err := rt.Instantiate(ctx, cm, mc)
		if err != nil {
			t.Fatal(err)
		}
		return inst
	}
	wpiCall := func(inst instance.Instance) func(string, ...uint64) ([]uint64, error) {
		return func(name string, args ...uint64) ([]uint64, error) {
			return inst.ExportedFunction(name).Call(ctx, args...)
		}
	}

	boot := func(inst instance.Instance) {
		t.Helper()
		if err := Run(ctx, inst); err != nil {
			t.Fatalf("_initialize: %v", err)
		}
		if init == "" {
			return
		}
		if _, err := inst.ExportedFunction(init).Call(ctx); err != nil {
			t.Fatalf("%s: %v", init, err)
		}
	}

	// (1) The truth: init, then the script, on one instance.
	var out bytes.Buffer
	fresh := newInst(cm, &out)
	boot(fresh)
	want := guestRun{Calls: runGuestScript(script, wpiCall(fresh))}
	want.Stdout = out.String()
	fresh.Close(ctx)
	t.Logf("fresh instance: %v, stdout %q", want.Calls, want.Stdout)

	// (2) The snapshot of an initialised instance.
	out.Reset()
	src := newInst(cm, &out)
	boot(src)
	snap, err := rt.Snapshot(ctx, src, instance.SnapshotConfig{Init: init})
	if err != nil {
		t.Fatal(err)
	}
	initOut := out.String() // what init printed, before the snapshot
	src.Close(ctx)
	want.Stdout = strings.TrimPrefix(want.Stdout, initOut)
	for n := range 3 {
		var out bytes.Buffer
		inst := newInst(snap, &out)
		got := guestRun{Calls: runGuestScript(script, wpiCall(inst))}
		got.Stdout = out.String()
		inst.Close(ctx)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("instance %d of the snapshot (-fresh instance after init +snapshot):\n%s", n, diff)
		}
	}

	// (3) The written snapshot in wazero, with wazero's WASI.
	bin, err := snap.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("WPI_SNAPSHOT_OUT"); dir != "" { // to inspect or benchmark
		_ = os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".wasm"), bin, 0o644)
	}
	wz := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer wz.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, wz)
	wcm, err := wz.CompileModule(ctx, bin)
	if err != nil {
		t.Fatalf("wazero rejects the snapshot's module: %v", err)
	}
	for _, e := range []string{"_initialize", "_start", init} {
		if _, ok := wcm.ExportedFunctions()[e]; ok {
			t.Errorf("the written snapshot exports %s", e)
		}
	}
	var wout bytes.Buffer
	mc := wazero.NewModuleConfig().WithName("").WithArgs("guest").WithStdout(&wout).WithStartFunctions()
	for _, kv := range guestEnv {
		k, v, _ := strings.Cut(kv, "=")
		mc = mc.WithEnv(k, v)
	}
	mod, err := wz.InstantiateModule(ctx, wcm, mc)
	if err != nil {
		t.Fatal(err)
	}
	got := guestRun{Calls: runGuestScript(script, func(name string, args ...uint64) ([]uint64, error) {
		return mod.ExportedFunction(name).Call(ctx, args...)
	})}
	got.Stdout = wout.String()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the written snapshot in wazero (-wpi fresh instance +wazero):\n%s", diff)
	}
}

// TestGuestSnapshotC: a C reactor whose constructors sort a 256 KiB table
// and read the environment (testdata/guests/ctors.c, built by clang).
func TestGuestSnapshotC(t *testing.T) {
	if raceEnabled {
		t.Skip("interprets the constructors' sort three times (minutes under -race); TestIsolation covers snapshots under -race")
	}
	wasm, err := os.ReadFile("testdata/guests/ctors.wasm")
	if err != nil {
		t.Fatal(err)
	}
	testGuestSnapshot(t, wasm, "", []guestCall{
		{"sum", nil}, {"lookup", []uint64{0}}, {"lookup", []uint64{65535}}, {"rank", []uint64{1 << 31}},
		{"hello", []uint64{1}}, {"scratch", []uint64{40}}, {"hello", []uint64{2}}, {"scratch", []uint64{3}},
		{"rank", []uint64{12345}}, {"quit", []uint64{3}}, {"sum", nil},
	})
}

// TestGuestSnapshotRust: a Rust reactor (testdata/guests/rustreactor.rs,
// built by build.sh with Debian's rustc) whose Wizer-style
// wizer.initialize sieves 2*10^6 numbers, fills a map and reads the
// environment; the snapshot is taken after it, as Wizer would.
func TestGuestSnapshotRust(t *testing.T) {
	if raceEnabled {
		t.Skip("interprets the initialiser's sieve three times (slow under -race); TestIsolation covers snapshots under -race")
	}
	wasm, err := os.ReadFile("testdata/guests/rustreactor.wasm")
	if err != nil {
		t.Fatal(err)
	}
	testGuestSnapshot(t, wasm, instance.WizerInit, []guestCall{
		{"prime", []uint64{0}}, {"prime", []uint64{148932}}, {"prime", []uint64{148933}}, {"count", []uint64{1000}},
		{"word", []uint64{0}}, {"word", []uint64{56132}}, {"word", []uint64{97732}}, {"word", []uint64{100002}}, {"hello", []uint64{1}},
		{"scratch", []uint64{300}}, {"hello", []uint64{2}}, {"count", []uint64{2_000_000}}, {"quit", []uint64{7}}, {"prime", []uint64{1}},
	})
}

// TestGuestSnapshotGo: a Go c-shared reactor (GOOS=wasip1
// -buildmode=c-shared, //go:wasmexport functions) whose package init
// builds a prime table and a map; the runtime's init is the heavy part.
func TestGuestSnapshotGo(t *testing.T) {
	wasm := buildGoReactor(t)
	testGuestSnapshot(t, wasm, "", []guestCall{
		{"prime", []uint64{0}}, {"prime", []uint64{17983}}, {"index", []uint64{7919}}, {"index", []uint64{4}},
		{"count", []uint64{100000}}, {"hello", []uint64{1}}, {"build", []uint64{5000}}, {"hello", []uint64{2}},
		{"build", []uint64{20000}}, {"prime", []uint64{999}},
	})
}

// buildGoReactor builds testdata/guests/goreactor (a module of its own)
// for wasip1 as a c-shared reactor, or skips the test.
func buildGoReactor(t *testing.T) []byte {
	t.Helper()
	if testing.Short() || raceEnabled {
		t.Skip("builds a Go reactor for wasip1, and interprets its runtime's init (slow under -race)")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out := filepath.Join(t.TempDir(), "goreactor.wasm")
	cmd := exec.Command(gobin, "build", "-buildmode=c-shared", "-o", out, ".")
	cmd.Dir = "testdata/guests/goreactor"
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

// BenchmarkGuestSnapshotC: one op is instantiate -> sum() -> close of
// the C reactor's snapshot with WASI (a recycled WASI state, stdio
// only): the per-instance cost of a real guest that start-up no longer
// decides.
func BenchmarkGuestSnapshotC(b *testing.B) {
	ctx := context.Background()
	wasm, err := os.ReadFile("testdata/guests/ctors.wasm")
	if err != nil {
		b.Fatal(err)
	}
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close(ctx)
	if _, err := Instantiate(ctx, rt, Config{}); err != nil {
		b.Fatal(err)
	}
	cm, err := rt.Compile(ctx, wasm)
	if err != nil {
		b.Fatal(err)
	}
	mc := WithConfig(instance.ModuleConfig{}, Config{Args: []string{"guest"}, Env: guestEnv})
	src, err := rt.Instantiate(ctx, cm, mc)
	if err != nil {
		b.Fatal(err)
	}
	if err := Run(ctx, src); err != nil {
		b.Fatal(err)
	}
	snap, err := rt.Snapshot(ctx, src, instance.SnapshotConfig{})
	if err != nil {
		b.Fatal(err)
	}
	src.Close(ctx)
	for b.Loop() {
		inst, err := rt.Instantiate(ctx, snap, mc)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := inst.ExportedFunction("sum").Call(ctx); err != nil {
			b.Fatal(err)
		}
		inst.Close(ctx)
	}
}
