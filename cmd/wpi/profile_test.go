package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// flatTop returns the functions of prof ordered by flat samples (the
// leaf of each sample), most first, as go tool pprof -top lists them.
func flatTop(prof *profile.Profile) ([]string, map[string]int64) {
	flat := map[string]int64{}
	for _, s := range prof.Sample {
		if len(s.Location) == 0 || len(s.Location[0].Line) == 0 {
			continue
		}
		flat[s.Location[0].Line[0].Function.Name] += s.Value[0]
	}
	var names []string
	for n := range flat {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return flat[names[i]] > flat[names[j]] })
	return names, flat
}

// pprofTop runs go tool pprof -top on the profile file and returns the
// function of its first row (the most flat samples) and the output.
func pprofTop(t *testing.T, file string) (string, string) {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH for go tool pprof: %v", err)
	}
	out, err := exec.Command(goCmd, "tool", "pprof", "-top", "-symbolize=none", file).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof -top: %v\n%s", err, out)
	}
	// The rows follow the header "flat  flat%   sum%        cum   cum%";
	// a row's last field is the function.
	lines := strings.Split(string(out), "\n")
	for i, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && f[0] == "flat" && i+1 < len(lines) {
			if row := strings.Fields(lines[i+1]); len(row) == 6 {
				return row[5], string(out)
			}
		}
	}
	t.Fatalf("go tool pprof -top printed no rows:\n%s", out)
	return "", ""
}

// profileHot runs wpi run --profile on wasm with args, and checks that
// the profile is valid and that its top function by flat samples is hot
// (with at least 10 samples), both as profile.Parse reads it and as
// go tool pprof -top prints it. It returns the run and the profile.
func profileHot(t *testing.T, hot, wasm string, args ...string) (outcome, *profile.Profile) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "cpu.pprof")
	got := runCLI(append([]string{"run", "--profile", out, wasm}, args...)...)
	if got.Code != 0 {
		t.Fatalf("run: %+v", got)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	prof, err := profile.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := prof.CheckValid(); err != nil {
		t.Fatal(err)
	}
	top, flat := flatTop(prof)
	if len(top) == 0 || top[0] != hot || flat[hot] < 10 {
		t.Fatalf("flat top %v (%v), want %s first with at least 10 samples", top, flat, hot)
	}
	// And as a user sees it.
	if fn, text := pprofTop(t, out); fn != hot {
		t.Errorf("go tool pprof -top: first row %q, want %s:\n%s", fn, hot, text)
	}
	return got, prof
}

// TestProfile: wpi run --profile on the corpus's fib (a WASI command
// built with clang -O2) writes a pprof profile whose top function is
// fib, called from main.
func TestProfile(t *testing.T) {
	got, prof := profileHot(t, "fib", filepath.Join("..", "..", "bench", "corpus", "src", "fib.wasm"), "32")
	if got.Stdout != "fib 32 2178309\n" {
		t.Fatalf("run: %+v", got)
	}
	// The stacks go through main to _start.
	found := false
	for _, s := range prof.Sample {
		var fns []string
		for _, l := range s.Location {
			fns = append(fns, l.Line[0].Function.Name)
		}
		if len(fns) > 2 && fns[0] == "fib" && contains(fns, "__original_main") && fns[len(fns)-1] == "_start.command_export" {
			found = true
			break
		}
	}
	if !found {
		t.Errorf("no sample has the stack fib ... __original_main ... _start.command_export")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestProfileDWARF: with DWARF (testdata/dwarf/spin.c, built with -g),
// the profile's top function is spin, in spin.c, its samples on the
// lines of its loop (samples are taken at back-edges and calls).
func TestProfileDWARF(t *testing.T) {
	_, prof := profileHot(t, "spin", td("dwarf/spin.wasm"), "3000000")
	for _, s := range prof.Sample {
		ln := s.Location[0].Line[0]
		if ln.Function.Name != "spin" {
			continue
		}
		// spin's body is lines 4-9 of spin.c; its loop is lines 6-7.
		if ln.Function.Filename != "spin.c" || ln.Line < 6 || ln.Line > 7 {
			t.Errorf("a sample of spin at %s:%d, want spin.c:6 or :7", ln.Function.Filename, ln.Line)
			break
		}
	}
}
