package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRunFlags has a case per flag of "wpi run" (see wasi_diff_test.go
// for --mount and --env-inherit against wazero).
func TestRunFlags(t *testing.T) {
	ageCalc := filepath.Join(wazeroDir(t), "examples", "import-go", "testdata", "age_calculator.wasm")
	wat := filepath.Join(t.TempDir(), "add.wat")
	must(t, os.WriteFile(wat, []byte(";; a text module\n(module)\n"), 0o644))
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want outcome
	}{
		{"run is exec", []string{"run", "--invoke", "add", td("calc.wasm"), "2", "40"}, outcome{0, "42\n", ""}},
		{"argv0", []string{"run", "--argv0", "prog", td("args.wasm"), "a", "b"}, outcome{0, "prog\na\nb\n", ""}},
		{"argv0 default", []string{"run", td("args.wasm"), "a"}, outcome{0, "args.wasm\na\n", ""}},
		{"argv0 empty", []string{"run", "--argv0=", td("args.wasm")}, outcome{0, "\n", ""}},
		{"env", []string{"run", "--env", "A=1", "--env", "B=x=y", td("args.wasm")}, outcome{0, "args.wasm\nA=1\nB=x=y\n", ""}},
		{"preload", []string{"run", "--env", "CURRENT_YEAR=2021", "--preload", "env=" + td("env.wasm"), "--invoke", "log_age", ageCalc, "2000"},
			outcome{0, "log_i32 >> 21\n", ""}},
		{"preload result", []string{"run", "--env", "CURRENT_YEAR=2021", "--preload", "env=" + td("env.wasm"), "--invoke", "get_age", ageCalc, "2000"},
			outcome{0, "21\n", ""}},
		{"preload missing", []string{"run", "--invoke", "get_age", ageCalc, "2000"},
			outcome{1, "", "wpi: " + ageCalc + `: unknown import: "env"."log_i32": no module "env" is registered` + "\n"}},
		{"preload bad spec", []string{"run", "--preload", "env", ageCalc}, outcome{2, "", "wpi run: --preload env: want NAME=PATH\n"}},
		{"preload missing file", []string{"run", "--preload", "env=" + td("nope.wasm"), ageCalc}, outcome{1, "", "wpi: --preload env: open testdata/nope.wasm: no such file or directory\n"}},
		{"preload twice the same name", []string{"run", "--preload", "env=" + td("env.wasm"), "--preload", "env=" + td("env.wasm"), ageCalc},
			outcome{1, "", `wpi: --preload env=testdata/env.wasm: instance: module name already registered: "env"` + "\n"}},
		{"fuel enough", []string{"run", "--fuel", "1000", "--invoke", "add", td("calc.wasm"), "1", "2"}, outcome{0, "3\n", ""}},
		{"fuel exhausted", []string{"run", "--fuel", "1000", td("loop.wasm")}, outcome{134, "", "wpi: trap: all fuel consumed (--fuel 1000)\nwasm backtrace:\n  0: $0 (@0x25)\n"}},
		{"fuel negative", []string{"run", "--fuel", "-1", td("loop.wasm")}, outcome{2, "", "wpi run: --fuel -1: want a positive budget\n"}},
		{"max-memory-size fits", []string{"run", "--max-memory-size", "131072", "--invoke", "grow", td("grow.wasm"), "1"}, outcome{0, "1\n", ""}},
		{"max-memory-size caps grow", []string{"run", "--max-memory-size", "131072", "--invoke", "grow", td("grow.wasm"), "2"}, outcome{0, "-1\n", ""}},
		{"max-memory-size rounds down", []string{"run", "--max-memory-size", "196607", "--invoke", "grow", td("grow.wasm"), "2"}, outcome{0, "-1\n", ""}},
		{"max-memory-size below the minimum", []string{"run", "--max-memory-size", "65536", td("args.wasm")},
			outcome{1, "", "wpi: testdata/args.wasm: instance: memory minimum exceeds the memory limit: the minimum is 2 pages, the limit 1\n"}},
		{"max-memory-size too small", []string{"run", "--max-memory-size", "1000", td("grow.wasm")}, outcome{2, "", "wpi run: --max-memory-size 1000: less than one 64 KiB page\n"}},
		{"max-memory-size not a number", []string{"run", "--max-memory-size", "1G", td("grow.wasm")}, outcome{2, "", "wpi run: --max-memory-size 1G: want a number of bytes\n"}},
		{"hostlogging", []string{"run", "--hostlogging", "filesystem", td("args.wasm"), "a"}, outcome{0, "args.wasm\na\n",
			"wasi_snapshot_preview1.fd_write(fd=1,iovs=0,iovs_len=2) => (nwritten=10,errno=ESUCCESS)\n" +
				"wasi_snapshot_preview1.fd_write(fd=1,iovs=0,iovs_len=2) => (nwritten=2,errno=ESUCCESS)\n"}},
		{"hostlogging proc", []string{"run", "--hostlogging=proc,clock", td("wasi.wasm")}, outcome{7, "",
			"wasi_snapshot_preview1.proc_exit(rval=7) => error: module closed with exit_code(7)\n"}},
		{"hostlogging all", []string{"run", "--hostlogging", "all", td("args.wasm")}, outcome{0, "args.wasm\n",
			"wasi_snapshot_preview1.args_sizes_get() => (argc=1,argv_len=10,errno=ESUCCESS)\n" +
				"wasi_snapshot_preview1.args_get(argv=1024,argv_buf=4096) => (errno=ESUCCESS)\n" +
				"wasi_snapshot_preview1.fd_write(fd=1,iovs=0,iovs_len=2) => (nwritten=10,errno=ESUCCESS)\n" +
				"wasi_snapshot_preview1.environ_sizes_get() => (environc=0,environ_len=0,errno=ESUCCESS)\n" +
				"wasi_snapshot_preview1.environ_get(environ=2048,environ_buf=65536) => (errno=ESUCCESS)\n"}},
		{"hostlogging bad scope", []string{"run", "--hostlogging", "disk", td("args.wasm")}, outcome{2, "",
			`wpi run: --hostlogging disk: wasi: unknown log scope "disk" (want all, clock, proc, filesystem, poll, random or sock)` + "\n"}},
		{"mount", []string{"run", "--mount", dir + ":/data:ro", td("plain.wasm")}, outcome{0, "", ""}},
		{"cachedir", []string{"run", "--cachedir", filepath.Join(dir, "cache"), "--invoke", "add", td("calc.wasm"), "1", "2"}, outcome{0, "3\n", ""}},
		{"cachedir again", []string{"run", "--cachedir", filepath.Join(dir, "cache"), "--invoke", "add", td("calc.wasm"), "1", "2"}, outcome{0, "3\n", ""}},
		{"mount bad", []string{"run", "--mount", ":/data", td("plain.wasm")}, outcome{2, "", "wpi run: --mount :/data: want HOST[:GUEST][:ro]\n"}},
		{"mount missing", []string{"run", "--mount", td("nope") + ":/x", td("plain.wasm")}, outcome{1, "", "wpi: wasi: mount testdata/nope: stat testdata/nope: no such file or directory\n"}},
		{"listen", []string{"run", "--listen", "127.0.0.1:0", td("plain.wasm")}, outcome{0, "", ""}},
		{"listen bad", []string{"run", "--listen", "nowhere", td("plain.wasm")}, outcome{2, "", "wpi run: --tcplisten nowhere: listen tcp: address nowhere: missing port in address\n"}},
		{"text module", []string{"run", wat}, outcome{1, "", "wpi: " + wat + ": this is the WebAssembly text format; wpi runs binary modules: convert it with wabt's wat2wasm (wat2wasm " + wat + " -o " + strings.TrimSuffix(wat, ".wat") + ".wasm)\n"}},
		{"text preload", []string{"run", "--preload", "m=" + wat, td("plain.wasm")}, outcome{1, "", "wpi: --preload m: " + wat + ": this is the WebAssembly text format; wpi runs binary modules: convert it with wabt's wat2wasm (wat2wasm " + wat + " -o " + strings.TrimSuffix(wat, ".wat") + ".wasm)\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, runCLI(tc.args...)); diff != "" {
				t.Errorf("wpi %s (-want +got):\n%s", strings.Join(tc.args, " "), diff)
			}
		})
	}
}

// TestRunHelpListsEveryFlag: "wpi run -h" names every flag.
func TestRunHelpListsEveryFlag(t *testing.T) {
	got := runCLI("run", "-h")
	if got.Code != 0 {
		t.Fatalf("run -h: %+v", got)
	}
	for _, f := range []string{"invoke", "timeout", "features", "argv0", "fuel", "max-memory-size", "env-inherit",
		"dir", "mount", "env", "tcplisten", "listen", "preload", "hostlogging", "profile", "cachedir"} {
		if !strings.Contains(got.Stdout, "\n  -"+f+" ") && !strings.Contains(got.Stdout, "\n  -"+f+"\n") {
			t.Errorf("run -h does not list -%s:\n%s", f, got.Stdout)
		}
	}
}

func TestVersion(t *testing.T) {
	got := runCLI("version")
	if got.Code != 0 || !strings.HasPrefix(got.Stdout, "wpi ") || strings.Count(got.Stdout, "\n") != 1 {
		t.Errorf("version: %+v, want one line starting with \"wpi \"", got)
	}
	for _, flag := range []string{"--version", "-version", "-V"} {
		if diff := cmp.Diff(got, runCLI(flag)); diff != "" {
			t.Errorf("wpi %s differs from wpi version (-version +%s):\n%s", flag, flag, diff)
		}
	}
	if got := runCLI("version", "x"); got.Code != 2 {
		t.Errorf("version x: %+v, want usage error", got)
	}
	tests := []struct {
		info *debug.BuildInfo
		want string
	}{
		{nil, "wpi (unknown version)"},
		{&debug.BuildInfo{Main: debug.Module{Path: "github.com/wpi-dev/wpi", Version: "v0.2.0"}}, "wpi v0.2.0"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}, "wpi (devel) 0123456789ab+dirty"},
		{&debug.BuildInfo{Main: debug.Module{Version: ""}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "false"}}}, "wpi (devel) abc"},
	}
	for _, tt := range tests {
		if got := versionLine(tt.info); got != tt.want {
			t.Errorf("versionLine(%+v) = %q, want %q", tt.info, got, tt.want)
		}
	}
}
