package examples_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	// The ports' libraries, linked into this test only so that go test's
	// cache sees a change to them (the ports are built by go build, whose
	// inputs the cache does not track). readSources does the same for the
	// ports' own files.
	_ "github.com/wpi-dev/wpi/instance"
	_ "github.com/wpi-dev/wpi/instance/examples/internal/wazerowasm"
	_ "github.com/wpi-dev/wpi/instance/wasi"
)

// The ports in this directory are wazero's example programs (its
// examples/ and the WASI cat example) with wpi's API (scripts/examples-diff.sh shows how far each is from its
// original). TestPortsMatchWazero builds each port and the original (a
// package of the wazero module this module requires, so `go build
// github.com/tetratelabs/wazero/examples/basic` works from here) and
// runs both with the same arguments and environment: stdout, stderr and
// the exit code must be the same. TestPortsAreRenames checks that each
// port is its original after the script's renames, but for the lines
// listed in beyondRenames.

type run struct {
	Stdout, Stderr string
	Exit           int
}

// catExample is the WASI example whose port is examples/cat.
const catExample = "imports/wasi_snapshot_preview1/example"

var cases = []struct {
	name string // the port's path under instance/examples/
	// orig is the original's path under wazero's module (default:
	// examples/NAME).
	orig string
	args []string
	env  []string
	// sortLines: the program prints from concurrent goroutines, in no
	// particular order.
	sortLines bool
	// firstLine: the program fails; compare the first line of stderr
	// without log's timestamp (the rest is a Go panic's trace, whose
	// paths and addresses differ).
	firstLine bool
}{
	{name: "basic", args: []string{"7", "9"}},
	{name: "basic", args: []string{"x", "9"}, firstLine: true},
	{name: "import-go", args: []string{"2000"}, env: []string{"CURRENT_YEAR=2021"}},
	{name: "multiple-results"},
	{name: "multiple-runtimes"},
	{name: "concurrent-instantiation", sortLines: true},
	{name: "allocation/tinygo", args: []string{"wazero"}},
	{name: "allocation/rust", args: []string{"wazero"}},
	{name: "allocation/zig", args: []string{"wazero"}},
	// cat with each toolchain's binary, a file it finds and one it does
	// not (the guest's own error message, the host's "exit_code: 1").
	{name: "cat", orig: catExample, args: []string{"/test.txt"}, env: []string{"TOOLCHAIN=cargo-wasi"}},
	{name: "cat", orig: catExample, args: []string{"/nope.txt"}, env: []string{"TOOLCHAIN=cargo-wasi"}},
	{name: "cat", orig: catExample, args: []string{"/test.txt"}, env: []string{"TOOLCHAIN=tinygo"}},
	{name: "cat", orig: catExample, args: []string{"/nope.txt"}, env: []string{"TOOLCHAIN=tinygo"}},
	{name: "cat", orig: catExample, args: []string{"test.txt"}, env: []string{"TOOLCHAIN=zig"}},
	{name: "cat", orig: catExample, args: []string{"/test.txt"}, env: []string{"TOOLCHAIN=zig"}},
	{name: "cat", orig: catExample, args: []string{"/test.txt"}, env: []string{"TOOLCHAIN=zig-cc"}},
	{name: "cat", orig: catExample, args: []string{"/nope.txt"}, env: []string{"TOOLCHAIN=zig-cc"}},
}

// origPath returns the import path of the original of case c's port.
func origPath(name, orig string) string {
	if orig == "" {
		orig = "examples/" + name
	}
	return "github.com/tetratelabs/wazero/" + orig
}

func goCommand(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH to build the programs: %v", err)
	}
	return p
}

// build builds the main packages pkgs into dir (one binary each, named
// by the package's last element) and returns dir.
func build(t *testing.T, goCmd, dir string, pkgs []string) string {
	t.Helper()
	cmd := exec.Command(goCmd, append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %v: %v\n%s", pkgs, err, out)
	}
	return dir
}

// readSources reads the .go files of the port dir, so that go test's
// cache of this test's result is dropped when one changes.
func readSources(t *testing.T, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(filepath.FromSlash(dir), "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no port in %s (%v)", dir, err)
	}
	for _, f := range files {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPortsMatchWazero(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("builds 18 programs (without -race: see raceEnabled)")
	}
	goCmd := goCommand(t)
	var ports, originals []string
	for _, c := range cases {
		if p := "github.com/wpi-dev/wpi/instance/examples/" + c.name; !slices.Contains(ports, p) {
			readSources(t, c.name)
			ports = append(ports, p)
			originals = append(originals, origPath(c.name, c.orig))
		}
	}
	tmp := t.TempDir()
	wpiBin := build(t, goCmd, filepath.Join(tmp, "wpi"), ports)
	wazeroBin := build(t, goCmd, filepath.Join(tmp, "wazero"), originals)

	stamp := regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `)
	exec1 := func(t *testing.T, bin string, args, env []string) run {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		r := run{}
		if err := cmd.Run(); err != nil {
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("%s: %v", bin, err)
			}
			r.Exit = exit.ExitCode()
		}
		r.Stdout, r.Stderr = stdout.String(), stderr.String()
		return r
	}
	for _, c := range cases {
		t.Run(c.name+"/"+strings.Join(append(c.env, c.args...), "_"), func(t *testing.T) {
			want := exec1(t, filepath.Join(wazeroBin, path.Base(origPath(c.name, c.orig))), c.args, c.env)
			got := exec1(t, filepath.Join(wpiBin, path.Base(c.name)), c.args, c.env)
			for _, r := range []*run{&want, &got} {
				if c.sortLines {
					lines := strings.SplitAfter(r.Stdout, "\n")
					slices.Sort(lines)
					r.Stdout = strings.Join(lines, "")
				}
				if c.firstLine {
					first, _, _ := strings.Cut(r.Stderr, "\n")
					r.Stderr = stamp.ReplaceAllString(first, "")
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("wazero's program (-) and wpi's port (+) differ:\n%s", diff)
			}
			if want.Stdout == "" && want.Stderr == "" {
				t.Errorf("the original printed nothing: %+v", want)
			}
		})
	}
}

// beyondRenames are the lines of the ports that scripts/examples-diff.sh's
// renames do not give, as (line after the renames, line of the port) per
// port: what wpi's API needs beyond renaming. Each is explained in
// instance/RATIONALE.md.
var beyondRenames = map[string][][2]string{
	// None: api.Module renames to instance.Module, an interface, so a
	// function returning one may return nil (instance/RATIONALE.md).
}

// TestPortsAreRenames: every port is its original after the renames of
// scripts/examples-diff.sh (run with --renamed), but for the lines of
// beyondRenames, each of which must still be needed.
func TestPortsAreRenames(t *testing.T) {
	if testing.Short() {
		t.Skip("runs scripts/examples-diff.sh")
	}
	for _, tool := range []string{"bash", "perl", "gofmt", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("scripts/examples-diff.sh needs %s: %v", tool, err)
		}
	}
	script := filepath.Join("..", "..", "scripts", "examples-diff.sh")
	if _, err := os.ReadFile(script); err != nil { // so that go test's cache sees a change to the renames
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command("bash", script, "--renamed", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("examples-diff.sh --renamed: %v\n%s", err, out)
	}
	ports := map[string]bool{}
	for _, c := range cases {
		files, err := filepath.Glob(filepath.Join(filepath.FromSlash(c.name), "*.go"))
		if err != nil || len(files) != 1 {
			t.Fatalf("port %s: want one .go file, found %v (%v)", c.name, files, err)
		}
		ports[filepath.ToSlash(files[0])] = true
	}
	for port := range ports {
		t.Run(port, func(t *testing.T) {
			renamed, err := os.ReadFile(filepath.Join(dir, "examples", filepath.FromSlash(port)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.FromSlash(port))
			if err != nil {
				t.Fatal(err)
			}
			want := string(renamed)
			for _, r := range beyondRenames[port] {
				if !strings.Contains(want, r[0]) {
					t.Errorf("the renamed original has no %q: drop it from beyondRenames", r[0])
				}
				want = strings.Replace(want, r[0], r[1], 1)
			}
			if diff := cmp.Diff(want, string(got)); diff != "" {
				t.Errorf("the renamed original (-) and the port (+) differ beyond beyondRenames:\n%s", diff)
			}
		})
	}
}
