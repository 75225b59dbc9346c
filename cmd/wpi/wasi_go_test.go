package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// buildWasip1 builds a Go package for GOOS=wasip1 GOARCH=wasm (as a test
// binary with test set) and returns the .wasm path.
func buildWasip1(t *testing.T, pkg string, test bool) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a Go program for wasip1")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out := filepath.Join(t.TempDir(), "prog.wasm")
	args := []string{"build", "-o", out, pkg}
	if test {
		args = []string{"test", "-c", "-o", out, pkg}
	}
	cmd := exec.Command(gobin, args...)
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return out
}

// TestGoProgram runs a GOOS=wasip1 Go program (goroutines, timers, files
// in a mounted directory, os.Args, exit code) and its tests under wpi exec.
func TestGoProgram(t *testing.T) {
	t.Run("program", func(t *testing.T) {
		wasm := buildWasip1(t, "./internal/wasiprog", false)
		dir := t.TempDir()
		got := runCLI("exec", "--dir", dir+"::/work", wasm, "/work", "3")
		want := outcome{3, "0.txt 1\n1.txt 2\n2.txt 3\n3.txt 4\n4.txt 5\n5.txt 6\n6.txt 7\n7.txt 8\n", ""}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("wasiprog (-want +got):\n%s", diff)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "out", "7.txt")); err != nil || string(b) != "xxxxxxx\n" {
			t.Errorf("host file out/7.txt: %q, %v", b, err)
		}
	})
	t.Run("tests", func(t *testing.T) {
		wasm := buildWasip1(t, "./internal/wasiprog", true)
		wd, _ := os.Getwd()
		// What go_wasip1_wasm_exec passes.
		got := runCLI("exec", "--dir", "/::/", "--env", "PWD="+wd, "--env", "TMPDIR="+t.TempDir(), wasm, "--", "-test.v")
		if got.Code != 0 || !strings.HasSuffix(got.Stdout, "\nPASS\n") || strings.Contains(got.Stdout, "--- FAIL") {
			t.Errorf("go test binary under wpi: exit %d\nstdout:\n%s\nstderr:\n%s", got.Code, got.Stdout, got.Stderr)
		}
	})
}
