// Command wpi runs WebAssembly modules on wpi's interpreter.
//
//	wpi run [--invoke NAME] [--timeout D] [--preload NAME=PATH] ... module.wasm [ARGS...]
//	wpi exec ...   (the same as run)
//	wpi version    (also wpi --version)
//	wpi spectest [--features all|v1|v2|NAME,...] [-v] PATH...
//	wpi disasm [--func NAME|FUNCIDX] module.wasm
//	wpi bench [--touch N] [--duration D] [--json] [--snapshot [--init NAME]] [--invoke NAME module.wasm ARGS...]
//	wpi snapshot [--init NAME] [--dir HOST[::GUEST]] [--env NAME=VALUE] module.wasm [ARGS...] -o out.wasm
//
// Flags use Go's flag package: -x and --x are the same, and flags go
// before the positional arguments.
//
// Exit status: 0 on success; 1 for an error (bad module, unknown export,
// failed spec tests, ...); 2 for bad usage; 134 when the wasm code traps
// (as wasmtime does on Unix).
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	exitTrap  = 134
)

// subcommand is one "wpi NAME" command. run gets the arguments after the
// name.
type subcommand struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

// subcommands is the dispatch table; add new commands (bench, ...) here.
var subcommands []subcommand

func init() {
	subcommands = []subcommand{
		{"run", "run a module's _start or an exported function", runCommand("run")},
		{"exec", "the same as run", runCommand("exec")},
		{"version", "print wpi's version", runVersion},
		{"spectest", "run wast2json spec test files", runSpectest},
		{"bench", "measure instantiate/call/close throughput on 1..GOMAXPROCS goroutines", runBench},
		{"disasm", "print the interpreter code of a module's functions", runDisasm},
		{"snapshot", "pre-initialize a module (Wizer's idea) and write it as a .wasm", runSnapshot},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole CLI, minus os.Exit, so tests can call it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return exitOK
	case "-version", "--version", "-V":
		return runVersion(args[1:], stdout, stderr)
	}
	for _, c := range subcommands {
		if c.name == name {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "wpi: unknown command %q (run 'wpi help')\n", name)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: wpi <command> [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range subcommands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "run 'wpi <command> -h' for a command's flags")
}

// oneLine flattens an error message to one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
