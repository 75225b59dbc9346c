package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
)

// runDisasm prints the interpreter code wpi translates a module's functions
// to: `wpi disasm [--func NAME|FUNCIDX] module.wasm`. It is a debugging aid
// for the translator (see engine/isa.go for the instruction formats).
func runDisasm(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("disasm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	only := fs.String("func", "", "only the function with this export or name-section name, or this funcidx")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: wpi disasm [--func NAME|FUNCIDX] module.wasm")
		return exitUsage
	}
	bin, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "wpi: %v\n", err)
		return exitError
	}
	dm, err := decoder.Decode(bin, engine.Features)
	if err != nil {
		fmt.Fprintf(stderr, "wpi: %s: %v\n", fs.Arg(0), err)
		return exitError
	}
	cm, err := engine.Compile(dm)
	if err != nil {
		fmt.Fprintf(stderr, "wpi: %s: %v\n", fs.Arg(0), err)
		return exitError
	}
	names := map[uint32]string{}
	for idx, n := range dm.Names.Funcs {
		names[idx] = n
	}
	for _, e := range dm.Exports {
		if e.Kind == decoder.ExternFunc && names[e.Index] == "" {
			names[e.Index] = e.Name
		}
	}
	found := false
	for i, c := range cm.Codes {
		idx := dm.NumImportedFuncs + uint32(i)
		if *only != "" && *only != names[idx] && *only != strconv.Itoa(int(idx)) {
			continue
		}
		found = true
		fmt.Fprintf(stdout, "func[%d] %s\n", idx, names[idx])
		if err := c.Disassemble(stdout); err != nil {
			fmt.Fprintf(stderr, "wpi: %v\n", err)
			return exitError
		}
		fmt.Fprintln(stdout)
	}
	if !found && *only != "" {
		fmt.Fprintf(stderr, "wpi: no defined function %q\n", *only)
		return exitError
	}
	return exitOK
}
