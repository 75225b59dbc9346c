package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/instance"
)

const execUsage = `usage: wpi exec [flags] module.wasm [ARGS...]

Instantiates the module (running its start function), then calls the
export named by --invoke with ARGS parsed by its parameter types, or
_start if exported and --invoke is not given.

ARGS: i32 and i64 as decimal (negative allowed) or 0x hex, signed or
unsigned range; f32 and f64 as decimal, "nan", "inf" or "-inf".
Results are printed one per line: integers as signed decimal, floats in
the shortest decimal that round-trips ("NaN", "inf", "-inf"), as wasmtime
prints them.

flags:
`

// runExec implements "wpi exec".
func runExec(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("exec", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	invoke := fs.String("invoke", "", "call this exported function instead of _start")
	timeout := fs.Duration("timeout", 0, "stop the call after this long (0: no limit)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, execUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return exitOK
		}
		fmt.Fprintf(stderr, "wpi exec: %s (run 'wpi exec -h')\n", oneLine(err))
		return exitUsage
	}
	if fs.NArg() < 1 {
		fmt.Fprintln(stderr, "wpi exec: missing module file (run 'wpi exec -h')")
		return exitUsage
	}
	path, params := fs.Arg(0), fs.Args()[1:]

	ctx := context.Background()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	code, err := execModule(ctx, path, *invoke, params, stdout)
	if err != nil {
		if instance.IsTrap(err) {
			fmt.Fprintf(stderr, "wpi: trap: %s\n", trapMessage(err))
		} else {
			fmt.Fprintf(stderr, "wpi: %s\n", oneLine(err))
		}
	}
	return code
}

// trapMessage is the trap's message without the instance layer's
// prefixes ("instance: start function: ...").
func trapMessage(err error) string {
	var te *instance.TrapError
	if errors.As(err, &te) {
		return oneLine(te)
	}
	return oneLine(err)
}

// execModule does the work of exec and returns the exit code and the
// error to report.
func execModule(ctx context.Context, path, invoke string, params []string, stdout io.Writer) (int, error) {
	bin, err := os.ReadFile(path)
	if err != nil {
		return exitError, err
	}
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 4})
	if err != nil {
		return exitError, err
	}
	defer rt.Close(ctx)
	cm, err := rt.Compile(ctx, bin)
	if err != nil {
		return exitError, fmt.Errorf("%s: %w", path, err)
	}
	for _, imp := range cm.Imports() {
		if strings.HasPrefix(imp.Module, "wasi_") {
			return exitError, fmt.Errorf("%s: %w %s.%s: WASI is not supported yet", path, instance.ErrUnsupportedImport, imp.Module, imp.Name)
		}
	}

	name := invoke
	if name == "" {
		if cm.ExportedFunctionType("_start") != nil {
			name = "_start"
		} else if len(params) > 0 {
			return exitUsage, errors.New("arguments given without --invoke")
		}
	}
	var cells []uint64
	if name != "" {
		ft := cm.ExportedFunctionType(name)
		if ft == nil {
			return exitError, fmt.Errorf("%s: no exported function %q", path, name)
		}
		if cells, err = parseArgs(ft, params); err != nil {
			return exitUsage, fmt.Errorf("--invoke %s: %w", name, err)
		}
	}

	inst, err := rt.Instantiate(ctx, cm, instance.ModuleConfig{})
	if err != nil {
		if instance.IsTrap(err) {
			return exitTrap, err
		}
		return exitError, fmt.Errorf("%s: %w", path, err)
	}
	defer inst.Close(ctx)
	if name == "" {
		return exitOK, nil
	}
	f := inst.ExportedFunction(name)
	results, err := f.Call(ctx, cells...)
	if err != nil {
		if instance.IsTrap(err) {
			return exitTrap, err
		}
		return exitError, err
	}
	for i, t := range f.ResultTypes() {
		fmt.Fprintln(stdout, formatResult(t, results[i]))
	}
	return exitOK, nil
}

// parseArgs converts command-line arguments to parameter cells.
func parseArgs(ft *decoder.FuncType, args []string) ([]uint64, error) {
	if len(args) != len(ft.Params) {
		return nil, fmt.Errorf("want %d arguments (%s), got %d", len(ft.Params), typeList(ft.Params), len(args))
	}
	cells := make([]uint64, len(args))
	for i, s := range args {
		c, err := parseArg(ft.Params[i], s)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		cells[i] = c
	}
	return cells, nil
}

func typeList(ts []decoder.ValType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = decoder.ValTypeName(t)
	}
	return strings.Join(s, ", ")
}

// parseArg parses one argument of type t: integers in decimal or 0x hex,
// in the signed or the unsigned range; floats in Go's syntax.
func parseArg(t decoder.ValType, s string) (uint64, error) {
	switch t {
	case decoder.I32, decoder.I64:
		bits := 32
		if t == decoder.I64 {
			bits = 64
		}
		if n, err := strconv.ParseInt(s, 0, bits); err == nil {
			return uint64(n) & (math.MaxUint64 >> (64 - bits)), nil
		}
		if n, err := strconv.ParseUint(s, 0, bits); err == nil {
			return n, nil
		}
		return 0, fmt.Errorf("%q is not an %s", s, decoder.ValTypeName(t))
	case decoder.F32:
		f, err := strconv.ParseFloat(s, 32)
		if err != nil {
			return 0, fmt.Errorf("%q is not an f32", s)
		}
		return api.EncodeF32(float32(f)), nil
	case decoder.F64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not an f64", s)
		}
		return api.EncodeF64(f), nil
	}
	return 0, fmt.Errorf("parameters of type %s are not supported", decoder.ValTypeName(t))
}

// formatResult prints a result as wasmtime's --invoke does.
func formatResult(t decoder.ValType, c uint64) string {
	switch t {
	case decoder.I32:
		return strconv.FormatInt(int64(int32(c)), 10)
	case decoder.I64:
		return strconv.FormatInt(int64(c), 10)
	case decoder.F32:
		return formatFloat(float64(math.Float32frombits(uint32(c))), 32)
	case decoder.F64:
		return formatFloat(math.Float64frombits(c), 64)
	case decoder.FuncRef, decoder.ExternRef:
		if c == 0 {
			return "null"
		}
		return fmt.Sprintf("%s(%#x)", decoder.ValTypeName(t), c)
	}
	return fmt.Sprintf("%#x", c)
}

func formatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}
