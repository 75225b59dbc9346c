package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

// diffMount is a --dir for both runtimes.
type diffMount struct {
	host, guest string
	ro          bool
}

// diffCase is one run of a WASI program under wpi exec and under wazero.
type diffCase struct {
	name   string
	wasm   string // path
	args   []string
	env    []string // NAME=VALUE
	mounts []diffMount
	stdin  string
	// argv0, if not empty, is the program name (--argv0); envInherit
	// passes the test's environment before env (--env-inherit).
	argv0      string
	envInherit bool
	// skip, if not empty, is why the case does not run.
	skip string
	// features, if not 0, are the core features wazero runs the case
	// with (its default is 2.0); wpi run enables all it supports.
	features api.CoreFeatures
}

// wazeroDir is where the wazero module is in the module cache.
func wazeroDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/tetratelabs/wazero").Output()
	if err != nil {
		t.Skipf("cannot locate the wazero module: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// runWazero runs the case under wazero (the reference) through its public
// API, as `wazero run` would.
func runWazero(t *testing.T, tc diffCase) outcome {
	t.Helper()
	ctx := context.Background()
	bin, err := os.ReadFile(tc.wasm)
	if err != nil {
		t.Fatal(err)
	}
	rc := wazero.NewRuntimeConfig()
	if tc.features != 0 {
		rc = rc.WithCoreFeatures(tc.features)
	}
	r := wazero.NewRuntimeWithConfig(ctx, rc)
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	unstable := r.NewHostModuleBuilder("wasi_unstable")
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(unstable)
	if _, err := unstable.Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	fsc := wazero.NewFSConfig()
	for _, m := range tc.mounts {
		if m.ro {
			fsc = fsc.WithReadOnlyDirMount(m.host, m.guest)
		} else {
			fsc = fsc.WithDirMount(m.host, m.guest)
		}
	}
	argv0 := filepath.Base(tc.wasm)
	if tc.argv0 != "" {
		argv0 = tc.argv0
	}
	cfg := wazero.NewModuleConfig().
		WithArgs(append([]string{argv0}, tc.args...)...).
		WithStdin(strings.NewReader(tc.stdin)).WithStdout(&stdout).WithStderr(&stderr).
		WithFSConfig(fsc).WithSysWalltime().WithSysNanotime().WithSysNanosleep()
	env := tc.env
	if tc.envInherit {
		env = append(os.Environ(), env...)
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		cfg = cfg.WithEnv(k, v)
	}
	code := 0
	if _, err := r.InstantiateWithConfig(ctx, bin, cfg); err != nil {
		var ee *sys.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("wazero: %v", err)
		}
		code = int(ee.ExitCode())
	}
	return outcome{code, stdout.String(), stderr.String()}
}

// runWpi runs the case through the wpi CLI, in process, with wazero's
// flag spellings (--mount, --env-inherit) where they differ from
// Wasmtime's.
func runWpi(t *testing.T, tc diffCase) outcome {
	t.Helper()
	args := []string{"run"}
	for _, m := range tc.mounts {
		d := m.host + ":" + m.guest
		if m.ro {
			d += ":ro"
		}
		args = append(args, "--mount", d)
	}
	if tc.envInherit {
		args = append(args, "--env-inherit")
	}
	for _, e := range tc.env {
		args = append(args, "--env", e)
	}
	if tc.argv0 != "" {
		args = append(args, "--argv0", tc.argv0)
	}
	args = append(args, tc.wasm, "--")
	args = append(args, tc.args...)
	defer func(r io.Reader) { stdin = r }(stdin)
	stdin = strings.NewReader(tc.stdin)
	return runCLI(args...)
}

// TestWASIPrograms runs the WASI programs that ship in the wazero module
// (TinyGo, Rust, Zig, C) with the arguments wazero's own tests use, and
// wants the same stdout, stderr and exit code under wpi run as under
// wazero.
func TestWASIPrograms(t *testing.T) {
	t.Setenv("WPI_INHERITED", "from the test") // for --env-inherit
	w := wazeroDir(t)
	wasiTD := filepath.Join(w, "imports", "wasi_snapshot_preview1", "testdata")
	exampleTD := filepath.Join(w, "imports", "wasi_snapshot_preview1", "example", "testdata")
	cliTD := filepath.Join(w, "cmd", "wazero", "testdata")

	// The tree wazero's readdir tests use: a file "-", a directory "a-"
	// and a file "ab-".
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "dir")
	must(t, os.MkdirAll(filepath.Join(dir, "a-"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "-"), nil, 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "ab-"), nil, 0o644))
	tons := filepath.Join(tmp, "tons")
	must(t, os.Mkdir(tons, 0o755))
	for i := 0; i < 2048; i++ {
		must(t, os.WriteFile(filepath.Join(tons, strconv.Itoa(i)), nil, 0o644))
	}
	empty := filepath.Join(tmp, "empty")
	must(t, os.Mkdir(empty, 0o755))
	txt := filepath.Join(tmp, "txt")
	must(t, os.Mkdir(txt, 0o755))
	greet, err := os.ReadFile(filepath.Join(exampleTD, "sub", "test.txt"))
	if err != nil {
		greet = []byte("greet filesystem\n")
	}
	must(t, os.WriteFile(filepath.Join(txt, "test.txt"), greet, 0o644))
	bears := filepath.Join(cliTD, "fs")

	var cases []diffCase
	for _, tool := range []string{"tinygo", "cargo-wasi", "zig-cc", "zig"} {
		bin := filepath.Join(wasiTD, tool, "wasi.wasm")
		root := []diffMount{{dir, "/", true}}
		cases = append(cases,
			diffCase{name: tool + "/ls empty directory", wasm: bin, args: []string{"ls", "./a-"}, mounts: root},
			diffCase{name: tool + "/ls not a directory", wasm: bin, args: []string{"ls", "-"}, mounts: root},
			diffCase{name: tool + "/ls directory", wasm: bin, args: []string{"ls", "."}, mounts: root},
			diffCase{name: tool + "/ls tons", wasm: bin, args: []string{"ls", "."}, mounts: []diffMount{{tons, "/", true}}},
			diffCase{name: tool + "/stat", wasm: bin, args: []string{"stat"}, mounts: []diffMount{{empty, "/", false}}},
		)
		repeat := diffCase{name: tool + "/ls directory twice", wasm: bin, args: []string{"ls", ".", "repeat"}, mounts: root}
		if tool == "tinygo" {
			repeat.skip = "TinyGo cannot read a directory twice (tinygo-org/tinygo#3823), wazero skips it too"
		}
		cases = append(cases, repeat)
	}
	zigcc := filepath.Join(wasiTD, "zig-cc", "wasi.wasm")
	cases = append(cases,
		diffCase{name: "zig/preopen", wasm: filepath.Join(wasiTD, "zig", "wasi.wasm"), args: []string{"preopen"},
			mounts: []diffMount{{dir, "/", false}, {empty, "/tmp", false}}},
		diffCase{name: "zig-cc/poll stdin ready", wasm: zigcc, args: []string{"poll"}, stdin: "test"},
		diffCase{name: "zig-cc/poll stdin ready with timeout", wasm: zigcc, args: []string{"poll", "0", "500"}, stdin: "test"},
		diffCase{name: "zig-cc/poll stdin at EOF", wasm: zigcc, args: []string{"poll", "0", "500"}},
		diffCase{name: "zig-cc/sleepmillis", wasm: zigcc, args: []string{"sleepmillis", "100"}},
		diffCase{name: "zig-cc/open-rdonly", wasm: zigcc, args: []string{"open-rdonly"}, mounts: []diffMount{{t.TempDir(), "/", false}}},
		diffCase{name: "zig-cc/open-wronly", wasm: zigcc, args: []string{"open-wronly"}, mounts: []diffMount{{t.TempDir(), "/", false}}},
	)
	for _, tool := range []string{"cargo-wasi", "tinygo", "zig", "zig-cc"} {
		bin := filepath.Join(exampleTD, tool, "cat.wasm")
		mounts := []diffMount{{txt, "/", false}, {txt, "/testcases", false}}
		cases = append(cases, diffCase{name: "example/" + tool + "/cat", wasm: bin, args: []string{"test.txt"}, mounts: mounts})
		if tool != "zig" { // Zig resolves paths only under the first preopen, wazero skips it too
			cases = append(cases, diffCase{name: "example/" + tool + "/cat second preopen", wasm: bin, args: []string{"testcases/test.txt"}, mounts: mounts})
		}
		cases = append(cases, diffCase{name: "example/" + tool + "/cat missing file", wasm: bin, args: []string{"nope.txt"}, mounts: mounts})
	}
	catTinygo := filepath.Join(cliTD, "cat", "cat-tinygo.wasm")
	cases = append(cases,
		diffCase{name: "cli/args", wasm: filepath.Join(cliTD, "wasi_arg.wasm"), args: []string{"hello world"}},
		diffCase{name: "cli/env", wasm: filepath.Join(cliTD, "wasi_env.wasm"), env: []string{"ANIMAL=bear", "FOOD=sushi"}},
		diffCase{name: "cli/env-inherit", wasm: filepath.Join(cliTD, "wasi_env.wasm"), env: []string{"ANIMAL=bear"}, envInherit: true},
		diffCase{name: "cli/args argv0", wasm: filepath.Join(cliTD, "wasi_arg.wasm"), args: []string{"hello world"}, argv0: "renamed"},
		diffCase{name: "cli/fd", wasm: filepath.Join(cliTD, "wasi_fd.wasm"), mounts: []diffMount{{bears, "/", false}}},
		diffCase{name: "cli/fd readonly", wasm: filepath.Join(cliTD, "wasi_fd.wasm"), mounts: []diffMount{{bears, "/", true}}},
		diffCase{name: "cli/cat non-root mount", wasm: catTinygo, args: []string{"/animals/bear.txt"}, mounts: []diffMount{{bears, "/animals", true}}},
		diffCase{name: "cli/cat missing file", wasm: catTinygo, args: []string{"/animals/not-bear.txt"}, mounts: []diffMount{{bears, "/animals", true}}},
		diffCase{name: "cli/random_get", wasm: filepath.Join(cliTD, "wasi_random_get.wasm")},
		diffCase{name: "cli/exit_on_start_unstable", wasm: filepath.Join(cliTD, "exit_on_start_unstable.wasm")},
		diffCase{name: "wasi/exit_on_start", wasm: filepath.Join(wasiTD, "exit_on_start.wasm")},
		diffCase{name: "wasi/print_args", wasm: filepath.Join(wasiTD, "print_args.wasm"), args: []string{"a", "bc"}},
		diffCase{name: "wasi/print_args argv0", wasm: filepath.Join(wasiTD, "print_args.wasm"), args: []string{"a"}, argv0: "prog"},
		diffCase{name: "wasi/print_prestat_dirname", wasm: filepath.Join(wasiTD, "print_prestat_dirname.wasm"), mounts: []diffMount{{empty, "/", false}}},
	)

	// wazero's examples/cli program (TinyGo), with its test's arguments.
	cliWasm := filepath.Join(w, "examples", "cli", "testdata", "cli.wasm")
	cases = append(cases,
		diffCase{name: "examples/cli add", wasm: cliWasm, args: []string{"3", "1"}},
		diffCase{name: "examples/cli sub", wasm: cliWasm, args: []string{"-sub=true", "3", "1"}},
		diffCase{name: "examples/cli bad arguments", wasm: cliWasm, args: []string{"x"}},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != "" {
				t.Skip(tc.skip)
			}
			if _, err := os.Stat(tc.wasm); err != nil {
				t.Skipf("not in this wazero version: %v", err)
			}
			want := runWazero(t, tc)
			got := runWpi(t, tc)
			if strings.Contains(got.Stderr, "unsupported instruction") {
				t.Skipf("needs an engine feature wpi lacks: %s", got.Stderr)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("wpi run vs wazero (-wazero +wpi):\n%s", diff)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// cTree builds the tree the C test program works on: a mount "box" with
// files, a directory, and symlinks in and out of it, beside a file
// outside the mount.
func cTree(t *testing.T) (root, box string) {
	t.Helper()
	root = t.TempDir()
	box = filepath.Join(root, "box")
	must(t, os.MkdirAll(filepath.Join(box, "sub"), 0o755))
	must(t, os.Mkdir(filepath.Join(box, "empty"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "outside.txt"), []byte("secret\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(box, "sub", "file.txt"), []byte("hello\nworld\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(box, "top.txt"), []byte("top\n"), 0o644))
	must(t, os.Symlink("../outside.txt", filepath.Join(box, "link-out")))
	must(t, os.Symlink("/etc/passwd", filepath.Join(box, "link-abs")))
	must(t, os.Symlink("..", filepath.Join(box, "link-dir-out")))
	must(t, os.Symlink("sub/file.txt", filepath.Join(box, "link-in")))
	return root, box
}

// TestCProgram runs testdata/c/fswalk.wasm (C, wasi-libc): walking,
// reading and writing files in a mount gives the same output under wpi
// as under wazero, and every way out of the mount fails.
func TestCProgram(t *testing.T) {
	wasm := td("c/fswalk.wasm")
	t.Run("walk", func(t *testing.T) {
		_, boxA := cTree(t)
		_, boxB := cTree(t)
		want := runWazero(t, diffCase{wasm: wasm, args: []string{"walk", "/sandbox"}, mounts: []diffMount{{boxA, "/sandbox", false}}})
		got := runWpi(t, diffCase{wasm: wasm, args: []string{"walk", "/sandbox"}, mounts: []diffMount{{boxB, "/sandbox", false}}})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("wpi exec vs wazero (-wazero +wpi):\n%s", diff)
		}
		if !strings.Contains(got.Stdout, "moved.txt (16 bytes): FIRST line|appen") {
			t.Errorf("the walk after the changes misses made/moved.txt:\n%s", got.Stdout)
		}
	})
	t.Run("escape", func(t *testing.T) {
		root, box := cTree(t)
		got := runWpi(t, diffCase{wasm: wasm, args: []string{"escape", "/sandbox"}, mounts: []diffMount{{box, "/sandbox", false}}})
		// EPERM for every escape the host sees (wazero's and Wasmtime's
		// errno); wasi-libc itself answers ENOTCAPABLE for absolute paths
		// under no preopen. Inside the mount, links work.
		want := outcome{Code: 0, Stdout: `open /sandbox/../outside.txt: Operation not permitted
open /sandbox/sub/../../outside.txt: Operation not permitted
open /outside.txt: Capabilities insufficient
open /etc/passwd: Capabilities insufficient
open /sandbox/link-out: Operation not permitted
open /sandbox/link-abs: Operation not permitted
open /sandbox/link-dir-out/outside.txt: Operation not permitted
open /sandbox/link-in: ok
lstat link-out: ok
stat link-out: Operation not permitted
symlink to outside: ok
open /sandbox/made-esc/outside.txt: Operation not permitted
create outside: Operation not permitted
opendir ..: Operation not permitted
`}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("fswalk escape (-want +got):\n%s", diff)
		}
		if _, err := os.Stat(filepath.Join(root, "created.txt")); err == nil {
			t.Error("the guest created a file outside its mount")
		}
	})
}

// TestMusttailProgram runs testdata/c/musttail.wasm (C, clang's musttail
// with -mtail-call: return_call and return_call_indirect): mutually
// tail-recursive functions and a threaded-code interpreter give the same
// output under wpi as under wazero (its compiler, tail calls on) for
// 10^3, 10^6 and 10^7 steps; the last two are far past wpi's call-depth
// limit (instance.DefaultMaxCallDepth, 10^4 frames), so frames are reused.
func TestMusttailProgram(t *testing.T) {
	wasm := td("c/musttail.wasm")
	features := api.CoreFeaturesV2 | experimental.CoreFeaturesTailCall
	for _, n := range []string{"1000", "1000000", "10000000"} {
		t.Run(n, func(t *testing.T) {
			if n == "10000000" && testing.Short() {
				t.Skip("10^7 tail calls")
			}
			tc := diffCase{wasm: wasm, args: []string{n}, features: features}
			want, got := runWazero(t, tc), runWpi(t, tc)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("wpi run vs wazero (-wazero +wpi):\n%s", diff)
			}
			if !strings.HasPrefix(got.Stdout, "even/odd "+n+": ") || got.Code != 0 {
				t.Errorf("unexpected output: %+v", got)
			}
		})
	}
}

// TestAtomicsProgram runs testdata/c/atomics.wasm (C11 <stdatomic.h> and
// clang's wait/notify builtins on a shared memory, built with -matomics
// and --shared-memory: atomic loads, stores, 8/16/32/64-bit
// read-modify-writes, compare-exchanges, memory.atomic.wait32/64 and
// notify) under wpi run, with threads on by default, and under wazero
// with CoreFeaturesThreads: the same output.
func TestAtomicsProgram(t *testing.T) {
	wasm := td("c/atomics.wasm")
	features := api.CoreFeaturesV2 | experimental.CoreFeaturesThreads
	for _, n := range []string{"1000", "100000"} {
		t.Run(n, func(t *testing.T) {
			tc := diffCase{wasm: wasm, args: []string{n}, features: features}
			want, got := runWazero(t, tc), runWpi(t, tc)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("wpi run vs wazero (-wazero +wpi):\n%s", diff)
			}
			if !strings.HasPrefix(got.Stdout, "counter32 ") || !strings.Contains(got.Stdout, "wait32 timeout: 2\n") || got.Code != 0 {
				t.Errorf("unexpected output: %+v", got)
			}
		})
	}
}
