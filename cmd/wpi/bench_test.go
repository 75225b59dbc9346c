package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBench runs wpi bench for an exact count of instances per row on
// each kind of workload and checks the JSON report: the rows, the call,
// the instances and the bytes each tenancy's reset wrote.
func TestBench(t *testing.T) {
	type row struct {
		Goroutines int
		Instances  uint64
		ResetBytes float64
	}
	type report struct {
		Call string
		Rows []row
	}
	tests := []struct {
		name string
		args []string
		want report
	}{
		{"echo", []string{"--goroutines", "2"}, report{"echo(1, 2)", []row{{1, 300, 0}, {2, 300, 0}}}},
		// touch(3) dirties 3 pages outside the (empty) image: 3 x 4 KiB.
		{"touch", []string{"--goroutines", "1", "--touch", "3"}, report{"touch(3)", []row{{1, 300, 3 << 12}}}},
		{"invoke", []string{"--goroutines", "1", "--invoke", "add", td("calc.wasm"), "2", "40"}, report{"add(2, 40)", []row{{1, 300, 0}}}},
		// A WASI command with its arguments, exit code 0; its WASI calls
		// write one page (the host writes into the guest's memory).
		{"wasi command", []string{"--goroutines", "1", td("cat.wasm"), "a", "b"}, report{"_start(a, b)", []row{{1, 300, 1 << 12}}}},
		// A WASI reactor: _initialize, then the export.
		{"wasi reactor", []string{"--goroutines", "1", "--invoke", "get", td("reactor.wasm"), "1"}, report{"get(1)", []row{{1, 300, 1 << 12}}}},
		// From a snapshot: _initialize ran once, before; get writes nothing.
		// A 16 MiB snapshot (every page non-zero): touch(3) resets the
		// three pages it wrote, restored from the image, nothing else.
		{"16 MiB snapshot", []string{"--goroutines", "1", "--snapshot", "--invoke", "touch", td("snaptouch.wasm"), "3"}, report{"touch(3)", []row{{1, 300, 3 << 12}}}},
		{"wasi reactor snapshot", []string{"--goroutines", "1", "--snapshot", "--invoke", "get", td("reactor.wasm"), "1"}, report{"get(1)", []row{{1, 300, 0}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"bench", "--json", "--count", "300"}, tc.args...)
			out := runCLI(args...)
			if out.Code != 0 {
				t.Fatalf("wpi %s: exit %d, stderr %q", strings.Join(args, " "), out.Code, out.Stderr)
			}
			var rep benchReport
			if err := json.Unmarshal([]byte(out.Stdout), &rep); err != nil {
				t.Fatalf("JSON report: %v\n%s", err, out.Stdout)
			}
			got := report{Call: rep.Call}
			for _, r := range rep.Rows {
				got.Rows = append(got.Rows, row{r.Goroutines, r.Instances, r.ResetBytesInst})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("wpi %s (-want +got):\n%s", strings.Join(args, " "), diff)
			}
			if rep.Pool.InUse != 0 {
				t.Errorf("pool after the run: %d slots in use", rep.Pool.InUse)
			}
		})
	}
}

// TestBenchErrors checks that bad workloads and flags give one line on
// stderr and a non-zero exit.
func TestBenchErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want outcome
	}{
		{"exit code", []string{"--count", "10", td("wasi.wasm")}, outcome{1, "", "wpi bench: _start: module closed with exit_code(7)\n"}},
		{"trap", []string{"--count", "10", "--invoke", "boom", td("calc.wasm")}, outcome{1, "", "wpi bench: boom: unreachable\n"}},
		{"not a command", []string{"--count", "10", td("plain.wasm")}, outcome{1, "", "wpi bench: module exports no _start (not a WASI command): give --invoke NAME\n"}},
		{"missing file", []string{td("nope.wasm")}, outcome{1, "", "wpi bench: open testdata/nope.wasm: no such file or directory\n"}},
		{"touch range", []string{"--touch", "300"}, outcome{2, "", "wpi bench: --touch N needs 0 <= N <= 256 (the module has 16 pages)\n"}},
		{"rounds", []string{"--rounds", "0"}, outcome{2, "", "wpi bench: --goroutines, --duration and --rounds must be positive\n"}},
		{"invoke without module", []string{"--invoke", "add"}, outcome{2, "", "wpi bench: --invoke needs a module\n"}},
		{"init without snapshot", []string{"--init", "x", td("calc.wasm")}, outcome{2, "", "wpi bench: --init goes with --snapshot\n"}},
		{"snapshot without init", []string{"--count", "10", "--snapshot", "--invoke", "add", td("calc.wasm"), "1", "2"}, outcome{1, "", `wpi bench: --snapshot: the module exports no function "_initialize" to initialise it (--init names it)` + "\n"}},
		{"touch with module", []string{"--touch", "1", td("calc.wasm")}, outcome{2, "", "wpi bench: --touch runs the embedded module; give no module with it\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"bench", "--goroutines", "1"}, tc.args...)
			if diff := cmp.Diff(tc.want, runCLI(args...)); diff != "" {
				t.Errorf("wpi %s (-want +got):\n%s", strings.Join(args, " "), diff)
			}
		})
	}
}
