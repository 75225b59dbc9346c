package main

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func td(name string) string { return filepath.Join("testdata", name) }

type outcome struct {
	Code   int
	Stdout string
	Stderr string
}

func runCLI(args ...string) outcome {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return outcome{code, stdout.String(), stderr.String()}
}

func TestExec(t *testing.T) {
	calc := td("calc.wasm")
	tests := []struct {
		name string
		args []string
		want outcome
	}{
		{"i32", []string{"exec", "--invoke", "add", calc, "2", "40"}, outcome{0, "42\n", ""}},
		{"i32 signed result", []string{"exec", "-invoke", "add", calc, "-5", "2"}, outcome{0, "-3\n", ""}},
		{"i32 hex and unsigned", []string{"exec", "-invoke", "add", calc, "0xffffffff", "0x10"}, outcome{0, "15\n", ""}},
		{"i64", []string{"exec", "-invoke", "neg64", calc, "-9223372036854775807"}, outcome{0, "9223372036854775807\n", ""}},
		{"f32", []string{"exec", "-invoke", "fdiv", calc, "1", "4"}, outcome{0, "0.25\n", ""}},
		{"f32 inf", []string{"exec", "-invoke", "fdiv", calc, "-1", "0"}, outcome{0, "-inf\n", ""}},
		{"f32 nan", []string{"exec", "-invoke", "fdiv", calc, "0", "0"}, outcome{0, "NaN\n", ""}},
		{"f64", []string{"exec", "-invoke", "dmul", calc, "1.5", "-2"}, outcome{0, "-3\n", ""}},
		{"multi-value", []string{"exec", "-invoke", "pair", calc, "-1"}, outcome{0, "-1\n4294967295\n", ""}},
		{"trap", []string{"exec", "-invoke", "boom", calc}, outcome{134, "", "wpi: trap: unreachable\nwasm backtrace:\n  0: $5 (@0x9c)\n"}},
		{"trap divide", []string{"exec", "-invoke", "div", calc, "1", "0"}, outcome{134, "", "wpi: trap: integer divide by zero\nwasm backtrace:\n  0: $6 (@0xa4)\n"}},
		{"_start traps", []string{"exec", td("command.wasm")}, outcome{134, "", "wpi: trap: unreachable\nwasm backtrace:\n  0: $0 (@0x23)\n"}},
		{"start function traps", []string{"exec", td("start_trap.wasm")}, outcome{134, "", "wpi: trap: integer divide by zero\nwasm backtrace:\n  0: $0 (@0x1e)\n"}},
		{"backtrace names", []string{"exec", td("names.wasm")}, outcome{134, "", "wpi: trap: unreachable\nwasm backtrace:\n  0: names.inner (@0x25)\n  1: names.outer (@0x29)\n  2: names._start (@0x2e)\n"}},
		{"proc_exit code", []string{"exec", td("wasi.wasm")}, outcome{7, "", ""}},
		{"reactor", []string{"exec", "--invoke", "get", td("reactor.wasm"), "1"}, outcome{0, "init\n43\n", ""}},
		{"command args", []string{"exec", td("cat.wasm"), "a", "b"}, outcome{0, "", "3\n"}},
		{"-- after module dropped", []string{"exec", td("cat.wasm"), "--", "a"}, outcome{0, "", "2\n"}},
		{"-- ends flags", []string{"exec", "--", td("cat.wasm"), "--invoke"}, outcome{0, "", "2\n"}},
		{"bad dir", []string{"exec", "--dir", "a::b::c", td("cat.wasm")}, outcome{2, "", "wpi exec: --dir a::b::c: want HOST[::GUEST][::ro]\n"}},
		{"missing dir", []string{"exec", "--dir", td("nope"), td("cat.wasm")}, outcome{1, "", "wpi: wasi: mount testdata/nope: stat testdata/nope: no such file or directory\n"}},
		{"nothing to run", []string{"exec", td("plain.wasm")}, outcome{0, "", ""}},
		{"missing file", []string{"exec", td("nope.wasm")}, outcome{1, "", "wpi: open testdata/nope.wasm: no such file or directory\n"}},
		{"unknown export", []string{"exec", "-invoke", "nope", calc}, outcome{1, "", `wpi: testdata/calc.wasm: no exported function "nope"` + "\n"}},
		{"too few args", []string{"exec", "-invoke", "add", calc, "1"}, outcome{2, "", "wpi: --invoke add: want 2 arguments (i32, i32), got 1\n"}},
		{"bad i32", []string{"exec", "-invoke", "add", calc, "1", "x"}, outcome{2, "", `wpi: --invoke add: argument 2: "x" is not an i32` + "\n"}},
		{"i32 out of range", []string{"exec", "-invoke", "add", calc, "1", "4294967296"}, outcome{2, "", `wpi: --invoke add: argument 2: "4294967296" is not an i32` + "\n"}},
		{"bad f64", []string{"exec", "-invoke", "dmul", calc, "1", "1.5.2"}, outcome{2, "", `wpi: --invoke dmul: argument 2: "1.5.2" is not an f64` + "\n"}},
		{"args without invoke", []string{"exec", td("plain.wasm"), "1"}, outcome{2, "", "wpi: arguments given without --invoke\n"}},
		{"no module", []string{"exec"}, outcome{2, "", "wpi exec: missing module file (run 'wpi exec -h')\n"}},
		{"bad flag", []string{"exec", "--bogus", calc}, outcome{2, "", "wpi exec: flag provided but not defined: -bogus (run 'wpi exec -h')\n"}},
		{"features default to supported", []string{"exec", "--invoke", "answer", td("extconst.wasm")}, outcome{0, "42\n", ""}},
		{"features narrowed", []string{"exec", "--features", "v2", "--invoke", "answer", td("extconst.wasm")}, outcome{1, "",
			`wpi: testdata/extconst.wasm: invalid module: global[0]: i32.mul is not supported in a constant expression as feature "extended-const" is disabled` + "\n"}},
		{"features named", []string{"exec", "--features", "extended-const", "--invoke", "answer", td("extconst.wasm")}, outcome{0, "42\n", ""}},
		{"bad features", []string{"exec", "--features", "v3", calc}, outcome{2, "", `wpi exec: -features: unknown feature "v3" (want v1, v2, all, supported or proposal names such as threads,tail-call,extended-const,exception-handling,typed-function-references)` + "\n"}},
		{"unknown command", []string{"frobnicate"}, outcome{2, "", `wpi: unknown command "frobnicate" (run 'wpi help')` + "\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, runCLI(tc.args...)); diff != "" {
				t.Errorf("wpi %s (-want +got):\n%s", strings.Join(tc.args, " "), diff)
			}
		})
	}
}

func TestExecStackExhaustion(t *testing.T) {
	got := runCLI("exec", "-invoke", "rec", td("calc.wasm"))
	lines := strings.Split(got.Stderr, "\n")
	want := []string{"wpi: trap: call stack exhausted", "wasm backtrace:", "  0: $7 (@0xa8)"}
	if got.Code != 134 || len(lines) != 2+maxFrames+2 || !cmp.Equal(want, lines[:3]) ||
		!strings.HasPrefix(lines[2+maxFrames-5], "  ... ") {
		t.Errorf("got %+v, want exit 134, %q and a backtrace of %d frames with the middle omitted", got, want, maxFrames)
	}
}

func TestExecStdin(t *testing.T) {
	defer func(r io.Reader) { stdin = r }(stdin)
	stdin = strings.NewReader("hello\nworld\n")
	want := outcome{0, "hello\nworld\n", "1\n"}
	if diff := cmp.Diff(want, runCLI("exec", td("cat.wasm"))); diff != "" {
		t.Errorf("cat (-want +got):\n%s", diff)
	}
}

// TestExecTimeout: --timeout stops an infinite loop within twice the
// timeout, with a message and exit 134.
func TestExecTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	start := time.Now()
	got := runCLI("exec", "--timeout", timeout.String(), td("loop.wasm"))
	elapsed := time.Since(start)
	want := "wpi: timeout: the guest was stopped after --timeout 200ms\nwasm backtrace:\n"
	if got.Code != 134 || !strings.HasPrefix(got.Stderr, want) {
		t.Errorf("got %+v, want exit 134 and stderr starting %q", got, want)
	}
	// Not a timing assertion (this machine may be loaded): only a guest
	// that --timeout failed to stop takes anywhere near this long.
	if limit := 30 * time.Second; elapsed > limit {
		t.Errorf("took %s, want the guest stopped well before %s", elapsed, limit)
	}
}

func TestExecMalformed(t *testing.T) {
	got := runCLI("exec", td("malformed.wasm"))
	if got.Code != 1 || got.Stdout != "" || !strings.HasPrefix(got.Stderr, "wpi: testdata/malformed.wasm: ") ||
		!strings.Contains(got.Stderr, "malformed") || strings.Count(got.Stderr, "\n") != 1 {
		t.Errorf("got %+v, want exit 1 and one line naming the file and saying malformed", got)
	}
}

func TestSpectestCommand(t *testing.T) {
	fixture := filepath.Join("..", "..", "spectest", "testdata")
	tests := []struct {
		name string
		args []string
		want outcome
	}{
		{"fixture dir", []string{"spectest", fixture}, outcome{1,
			"FAIL " + filepath.Join(fixture, "runner.json") + ": 9 passed, 2 failed, 1 skipped\n9 passed, 2 failed, 1 skipped\n", ""}},
		{"no paths", []string{"spectest"}, outcome{2, "", "wpi spectest: no PATH given (run 'wpi spectest -h')\n"}},
		{"bad features", []string{"spectest", "-features", "v3", fixture}, outcome{2, "", `wpi spectest: -features: unknown feature "v3" (want v1, v2, all, supported or proposal names such as threads,tail-call,extended-const,exception-handling,typed-function-references)` + "\n"}},
		{"all features", []string{"spectest", "-features", "all", fixture}, outcome{1,
			"FAIL " + filepath.Join(fixture, "runner.json") + ": 9 passed, 2 failed, 1 skipped\n9 passed, 2 failed, 1 skipped\n", ""}},
		{"missing path", []string{"spectest", "nope.json"}, outcome{1, "", "wpi spectest: stat nope.json: no such file or directory\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, runCLI(tc.args...)); diff != "" {
				t.Errorf("wpi %s (-want +got):\n%s", strings.Join(tc.args, " "), diff)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	got := runCLI("help")
	if got.Code != 0 || !strings.Contains(got.Stdout, "exec") || !strings.Contains(got.Stdout, "spectest") {
		t.Errorf("help: %+v", got)
	}
	if got := runCLI("exec", "-h"); got.Code != 0 || !strings.Contains(got.Stdout, "-invoke") {
		t.Errorf("exec -h: %+v", got)
	}
}

func TestSuiteFolder(t *testing.T) {
	for file, want := range map[string]string{
		"spectest/threads/testdata/atomic.json": "threads",
		"v1/testdata/i32.json":                  "v1",
		"mine/tail-call/return_call.json":       "tail-call",
		"x.json":                                ".",
	} {
		if got := suiteFolder(file); got != want {
			t.Errorf("suiteFolder(%q) = %q, want %q", file, got, want)
		}
	}
}
