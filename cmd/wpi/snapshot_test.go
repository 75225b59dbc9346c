package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSnapshotCommand snapshots the reactor (its _initialize prints
// "init" and sets the global get adds to) and runs the written module: it
// gives get's result without initialising again.
func TestSnapshotCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.wasm")
	got := runCLI("snapshot", td("reactor.wasm"), "-o", out)
	want := outcome{0, "init\nwpi snapshot: testdata/reactor.wasm after _initialize -> " + out, ""}
	got.Stdout = got.Stdout[:min(len(got.Stdout), len(want.Stdout))]
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("wpi snapshot (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(outcome{0, "43\n", ""}, runCLI("exec", "--invoke", "get", out, "1")); diff != "" {
		t.Errorf("wpi exec of the snapshot (-want +got):\n%s", diff)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(bin), "_initialize") {
		t.Error("the snapshot still names _initialize")
	}
}

func TestSnapshotCommandErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.wasm")
	tests := []struct {
		name string
		args []string
		want outcome
	}{
		{"no output", []string{td("reactor.wasm")}, outcome{2, "", "wpi snapshot: want a module and -o FILE (run 'wpi snapshot -h')\n"}},
		{"no init export", []string{td("calc.wasm"), "-o", out}, outcome{1, "", `wpi snapshot: the module exports no function "_initialize" to initialise it (--init names it)` + "\n"}},
		{"named init missing", []string{"--init", "setup", td("reactor.wasm"), "-o", out}, outcome{1, "", `wpi snapshot: the module exports no function "setup" to initialise it (--init names it)` + "\n"}},
		{"init traps", []string{"--init", "boom", td("calc.wasm"), "-o", out}, outcome{134, "", "wpi snapshot: trap: unreachable\n"}},
		{"missing file", []string{td("nope.wasm"), "-o", out}, outcome{1, "", "wpi snapshot: open testdata/nope.wasm: no such file or directory\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"snapshot"}, tc.args...)
			if diff := cmp.Diff(tc.want, runCLI(args...)); diff != "" {
				t.Errorf("wpi %s (-want +got):\n%s", strings.Join(args, " "), diff)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed snapshot wrote its output")
	}
}
