package wasi_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/sys"

	"github.com/wpi-dev/wpi/instance"
	"github.com/wpi-dev/wpi/instance/wasi"
)

// TestModuleConfigEnvironment: a guest gets its args, env, stdin,
// stdout, stderr and files from instance.ModuleConfig's fields (wazero's
// WithArgs, WithEnv, ... WithFS), with no wasi.WithConfig; the fields it
// leaves nil come from the Config given to wasi.Instantiate; WithConfig
// overrides them; a guest that sets none shares the Module's process.
// testdata/sysenv.wat prints argv[1] and stdin and f.txt to stdout,
// environ[0] to stderr, and exits with code 7: under NewModuleConfig
// (_start at instantiation) that is Instantiate's bare *sys.ExitError.
func TestModuleConfigEnvironment(t *testing.T) {
	ctx := context.Background()
	rt, wasm := sysenvRuntime(t)
	var baseOut, baseErr bytes.Buffer
	baseDir := t.TempDir()
	if err := os.WriteFile(baseDir+"/f.txt", []byte("base file"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := wasi.Instantiate(ctx, rt, wasi.Config{
		Args: []string{"base", "base-arg "}, Env: []string{"BASE=1"},
		Stdin: strings.NewReader("base-in "), Stdout: &baseOut, Stderr: &baseErr,
		Mounts: []wasi.Mount{{HostDir: baseDir, GuestPath: "/"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	cm, err := rt.Compile(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{"f.txt": {Data: []byte("mc file")}}

	type output struct {
		Exit                   int // -1: no *sys.ExitError
		Stdout, Stderr         string
		BaseStdout, BaseStderr string
	}
	for _, tc := range []struct {
		name string
		mc   func(out, errw *bytes.Buffer) instance.ModuleConfig
		want output
	}{
		{"all from ModuleConfig", func(out, errw *bytes.Buffer) instance.ModuleConfig {
			return instance.NewModuleConfig().WithArgs("prog", "arg ").WithEnv("K", "v").WithEnv("K", "w").
				WithStdin(strings.NewReader("in ")).WithStdout(out).WithStderr(errw).WithFS(files)
		}, output{Exit: 7, Stdout: "arg in mc file", Stderr: "K=w"}},
		{"stdout only: the rest from the Module's Config", func(out, _ *bytes.Buffer) instance.ModuleConfig {
			return instance.NewModuleConfig().WithStdout(out)
		}, output{Exit: 7, Stdout: "base-arg base-in base file", BaseStderr: "BASE=1"}},
		{"fields set directly", func(out, _ *bytes.Buffer) instance.ModuleConfig {
			mc := instance.NewModuleConfig()
			mc.Args, mc.Env, mc.Stdout = []string{"p", "direct "}, []string{"D=1"}, out
			return mc
		}, output{Exit: 7, Stdout: "direct base file", BaseStderr: "D=1"}}, // the one base Stdin is read already
		{"WithConfig wins", func(out, errw *bytes.Buffer) instance.ModuleConfig {
			mc := instance.NewModuleConfig().WithArgs("prog", "ignored ").WithStdout(errw)
			return wasi.WithConfig(mc, wasi.Config{Args: []string{"p", "cfg "}, Env: []string{"C=1"}, Stdout: out})
		}, output{Exit: 7, Stdout: "cfg "}},
		{"none: the Module's process", func(_, _ *bytes.Buffer) instance.ModuleConfig {
			return instance.NewModuleConfig()
		}, output{Exit: 7, BaseStdout: "base-arg base file", BaseStderr: "BASE=1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			baseOut.Reset()
			baseErr.Reset()
			var out, errw bytes.Buffer
			inst, err := rt.Instantiate(ctx, cm, tc.mc(&out, &errw))
			got := output{Exit: -1, Stdout: out.String(), Stderr: errw.String(), BaseStdout: baseOut.String(), BaseStderr: baseErr.String()}
			if exit, ok := err.(*sys.ExitError); ok {
				got.Exit = int(exit.ExitCode())
			} else {
				t.Errorf("Instantiate: %v, want a bare *sys.ExitError", err)
			}
			if !inst.Closed() {
				t.Error("a guest that exited 7 is open")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	if n := rt.PoolStats().InUse; n != 0 {
		t.Errorf("%d slots in use after the guests exited", n)
	}
}

// A guest's process made from its ModuleConfig, without files, is
// recycled for the next guest with that guest's environment (args, env,
// stdin, stdout, stderr), and then costs no allocation.
func TestModuleConfigEnvironmentRecycled(t *testing.T) {
	ctx := context.Background()
	rt, wasm := sysenvRuntime(t)
	wasi.MustInstantiate(ctx, rt)
	cm, err := rt.Compile(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	in := strings.NewReader("")
	run := func(arg, env, stdin string) error {
		out.Reset()
		errw.Reset()
		in.Reset(stdin)
		_, err := rt.Instantiate(ctx, cm, instance.NewModuleConfig().
			WithArgs("p", arg).WithEnv("E", env).WithStdin(in).WithStdout(&out).WithStderr(&errw))
		if exit, ok := err.(*sys.ExitError); !ok || exit.ExitCode() != 7 {
			return err
		}
		return nil
	}
	for i, tc := range []struct{ arg, env, stdin string }{{"one ", "1", "a"}, {"two ", "2", "b"}, {"three ", "3", ""}} {
		if err := run(tc.arg, tc.env, tc.stdin); err != nil {
			t.Fatalf("guest %d: %v", i, err)
		}
		got := []string{out.String(), errw.String()}
		if diff := cmp.Diff([]string{tc.arg + tc.stdin, "E=" + tc.env}, got); diff != "" {
			t.Errorf("guest %d: [stdout, stderr] (-want +got)\n%s", i, diff)
		}
	}
	// The allocations, with a guest that returns (an exit allocates its
	// error and backtrace): testdata/echoargs.wasm prints argv[1].
	echo, err := os.ReadFile("testdata/echoargs.wasm")
	if err != nil {
		t.Fatal(err)
	}
	cm, err = rt.Compile(ctx, echo)
	if err != nil {
		t.Fatal(err)
	}
	mc := instance.NewModuleConfig().WithArgs("p", "x").WithStdin(in).WithStdout(&out).WithStderr(&errw)
	out.Reset()
	// Under the race detector sync.Pool drops a share of what is put in
	// it at random, so recycling cannot be counted there.
	if n := testing.AllocsPerRun(20, func() {
		inst, err := rt.Instantiate(ctx, cm, mc)
		if err != nil {
			t.Fatal(err)
		}
		inst.Close(ctx)
	}); n != 0 && !wasi.RaceEnabled {
		t.Errorf("%v allocations per guest, want 0", n)
	}
	if got := out.String(); got != strings.Repeat("x", 21) {
		t.Errorf("stdout %q, want 21 x (AllocsPerRun runs once more)", got)
	}
}

// sysenvRuntime returns testdata/sysenv.wasm and a runtime of two 1 MiB
// slots that the test's cleanup closes.
func sysenvRuntime(t *testing.T) (*instance.Runtime, []byte) {
	t.Helper()
	wasm, err := os.ReadFile("testdata/sysenv.wasm")
	if err != nil {
		t.Fatal(err)
	}
	rt := instance.MustNewRuntime(context.Background(), instance.Config{MemorySlots: 2, MemorySlotBytes: 1 << 20})
	t.Cleanup(func() { rt.Close(context.Background()) })
	return rt, wasm
}
