package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/instance"
	"github.com/wpi-dev/wpi/instance/wasi"
)

const execUsage = `usage: wpi exec [flags] module.wasm [--] [ARGS...]

Instantiates the module (running its start function) with WASI preview1
available, then:
  - with --invoke NAME: calls _initialize if exported (a WASI reactor),
    then the export NAME with ARGS parsed by its parameter types;
  - else, if the module exports _start (a WASI command): calls it with
    ARGS as the program's arguments (argv[0] is the module's file name).
stdin, stdout and stderr pass through; the guest's exit code (proc_exit)
is wpi's. A trap prints the trap and a wasm backtrace, and exits 134. "--"
ends wpi's flags; a "--" right after the module is dropped.

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
	timeout := fs.Duration("timeout", 0, "stop the guest after this long, exit 134 (0: no limit)")
	features := fs.String("features", "supported", "core features the module may use: `LIST` of v1, v2, supported (every one wpi runs) or proposal names (tail-call,extended-const,...)")
	var dirs, envs, listens listFlag
	fs.Var(&dirs, "dir", "preopen the host directory HOST as GUEST: `HOST[::GUEST]` (repeatable; GUEST defaults to HOST; add ::ro for read-only)")
	fs.Var(&envs, "env", "set the guest's environment variable: `NAME[=VALUE]` (repeatable; without =VALUE, inherit it from wpi's)")
	fs.Var(&listens, "tcplisten", "preopen a TCP listener on `ADDR` (host:port, repeatable) for sock_accept")
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
	feats, err := instance.ParseFeatures(*features)
	if err != nil {
		fmt.Fprintf(stderr, "wpi exec: -features: %s\n", err)
		return exitUsage
	}
	path, params := fs.Arg(0), fs.Args()[1:]
	if len(params) > 0 && params[0] == "--" {
		params = params[1:]
	}
	wcfg, cleanup, err := wasiConfig(dirs, envs, listens, stdout, stderr)
	defer cleanup()
	if err != nil {
		fmt.Fprintf(stderr, "wpi exec: %s\n", oneLine(err))
		return exitUsage
	}

	ctx := context.Background()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	code, err := execModule(ctx, path, feats, *invoke, params, wcfg, stdout)
	if err != nil {
		var te *instance.TrapError
		switch {
		case *timeout > 0 && errors.Is(err, instance.ErrTrapInterrupted) && errors.Is(err, context.DeadlineExceeded):
			fmt.Fprintf(stderr, "wpi: timeout: the guest was stopped after --timeout %s\n", *timeout)
		case instance.IsTrap(err):
			fmt.Fprintf(stderr, "wpi: trap: %s\n", trapMessage(err))
		default:
			fmt.Fprintf(stderr, "wpi: %s\n", oneLine(err))
		}
		if errors.As(err, &te) && len(te.Trace) > 0 {
			printBacktrace(stderr, te.Trace)
		}
	}
	return code
}

// maxFrames is the most backtrace frames printed: the innermost ones and
// the outermost few, with a count of those left out (a stack overflow has
// thousands).
const maxFrames = 20

// printBacktrace prints a trap's wasm backtrace, innermost frame first.
func printBacktrace(w io.Writer, trace []instance.FrameInfo) {
	fmt.Fprintln(w, "wasm backtrace:")
	for i, f := range trace {
		if len(trace) > maxFrames && i == maxFrames-5 {
			fmt.Fprintf(w, "  ... %d frames omitted\n", len(trace)-maxFrames)
		}
		if len(trace) > maxFrames && i >= maxFrames-5 && i < len(trace)-5 {
			continue
		}
		fmt.Fprintf(w, "  %d: %s\n", i, f)
	}
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// wasiConfig builds the WASI environment from --dir, --env and
// --tcplisten. cleanup closes the listeners.
func wasiConfig(dirs, envs, listens []string, stdout, stderr io.Writer) (wasi.Config, func(), error) {
	cfg := wasi.Config{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	cleanup := func() {
		for _, l := range cfg.Listeners {
			l.Close()
		}
	}
	for _, d := range dirs {
		m, err := parseDir(d)
		if err != nil {
			return cfg, cleanup, err
		}
		cfg.Mounts = append(cfg.Mounts, m)
	}
	for _, e := range envs {
		if strings.Contains(e, "=") {
			cfg.Env = append(cfg.Env, e)
		} else if v, ok := os.LookupEnv(e); ok {
			cfg.Env = append(cfg.Env, e+"="+v)
		}
	}
	for _, a := range listens {
		l, err := net.Listen("tcp", a)
		if err != nil {
			return cfg, cleanup, fmt.Errorf("--tcplisten %s: %w", a, err)
		}
		cfg.Listeners = append(cfg.Listeners, l)
	}
	return cfg, cleanup, nil
}

// parseDir parses HOST[::GUEST][::ro] (Wasmtime's --dir, plus wazero's
// read-only option).
func parseDir(d string) (wasi.Mount, error) {
	parts := strings.Split(d, "::")
	m := wasi.Mount{HostDir: parts[0]}
	if len(parts) > 1 && parts[len(parts)-1] == "ro" {
		m.ReadOnly = true
		parts = parts[:len(parts)-1]
	}
	switch len(parts) {
	case 1:
		m.GuestPath = parts[0]
	case 2:
		m.GuestPath = parts[1]
	default:
		return m, fmt.Errorf("--dir %s: want HOST[::GUEST][::ro]", d)
	}
	if m.HostDir == "" || m.GuestPath == "" {
		return m, fmt.Errorf("--dir %s: empty directory", d)
	}
	return m, nil
}

// stdin is the guest's standard input (a variable for tests).
var stdin io.Reader = os.Stdin

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
func execModule(ctx context.Context, path string, features api.CoreFeatures, invoke string, params []string, wcfg wasi.Config, stdout io.Writer) (int, error) {
	bin, err := os.ReadFile(path)
	if err != nil {
		return exitError, err
	}
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 4, Features: features})
	if err != nil {
		return exitError, err
	}
	defer rt.Close(ctx)
	cm, err := rt.Compile(ctx, bin)
	if err != nil {
		return exitError, fmt.Errorf("%s: %w", path, err)
	}

	name := invoke
	command := false
	if name == "" && hasFunc(cm, "_start") {
		name, command = "_start", true
	}
	if name == "" && len(params) > 0 {
		return exitUsage, errors.New("arguments given without --invoke")
	}
	wcfg.Args = []string{filepath.Base(path)}
	if command {
		wcfg.Args = append(wcfg.Args, params...)
		params = nil
	} else if invoke != "" {
		wcfg.Args = []string{invoke}
	}
	w, err := wasi.Instantiate(ctx, rt, wcfg)
	if err != nil {
		return exitError, err
	}
	defer w.Close(ctx)

	var cells []uint64
	if name != "" {
		ft, ok := cm.ExportedFunctionType(name)
		if !ok {
			return exitError, fmt.Errorf("%s: no exported function %q", path, name)
		}
		if cells, err = parseArgs(ft, params); err != nil {
			return exitUsage, fmt.Errorf("--invoke %s: %w", name, err)
		}
	}

	inst, err := rt.Instantiate(ctx, cm, instance.ModuleConfig{})
	if err != nil {
		return callFailure(err, fmt.Errorf("%s: %w", path, err))
	}
	defer inst.Close(ctx)
	if name == "" {
		return exitOK, nil
	}
	if !command {
		if init := inst.ExportedFunction("_initialize"); !init.IsNil() {
			if _, err := init.Call(ctx); err != nil {
				return callFailure(err, err)
			}
		}
	}
	f := inst.ExportedFunction(name)
	results, err := f.Call(ctx, cells...)
	if err != nil {
		return callFailure(err, err)
	}
	for i, t := range f.ResultTypes() {
		fmt.Fprintln(stdout, formatResult(t, results[i]))
	}
	return exitOK, nil
}

// hasFunc reports whether cm exports a function called name.
func hasFunc(cm *instance.CompiledModule, name string) bool {
	_, ok := cm.ExportedFunctionType(name)
	return ok
}

// callFailure turns the error of a call into wpi's exit code: the guest's
// own for proc_exit (and no error to print), 134 for a trap, else 1 with
// report.
func callFailure(err, report error) (int, error) {
	if code, ok := wasi.ExitCode(err); ok {
		return int(code), nil
	}
	if instance.IsTrap(err) {
		return exitTrap, err
	}
	var te *instance.TrapError
	if errors.As(err, &te) {
		return exitTrap, err // a host function failed: the call trapped
	}
	return exitError, report
}

// parseArgs converts command-line arguments to parameter cells.
func parseArgs(ft instance.FuncType, args []string) ([]uint64, error) {
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

func typeList(ts []api.ValueType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = instance.ValueTypeName(t)
	}
	return strings.Join(s, ", ")
}

// parseArg parses one argument of type t: integers in decimal or 0x hex,
// in the signed or the unsigned range; floats in Go's syntax.
func parseArg(t api.ValueType, s string) (uint64, error) {
	switch t {
	case api.ValueTypeI32, api.ValueTypeI64:
		bits := 32
		if t == api.ValueTypeI64 {
			bits = 64
		}
		if n, err := strconv.ParseInt(s, 0, bits); err == nil {
			return uint64(n) & (math.MaxUint64 >> (64 - bits)), nil
		}
		if n, err := strconv.ParseUint(s, 0, bits); err == nil {
			return n, nil
		}
		return 0, fmt.Errorf("%q is not an %s", s, instance.ValueTypeName(t))
	case api.ValueTypeF32:
		f, err := strconv.ParseFloat(s, 32)
		if err != nil {
			return 0, fmt.Errorf("%q is not an f32", s)
		}
		return api.EncodeF32(float32(f)), nil
	case api.ValueTypeF64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not an f64", s)
		}
		return api.EncodeF64(f), nil
	}
	return 0, fmt.Errorf("parameters of type %s are not supported", instance.ValueTypeName(t))
}

// formatResult prints a result as wasmtime's --invoke does.
func formatResult(t api.ValueType, c uint64) string {
	switch t {
	case api.ValueTypeI32:
		return strconv.FormatInt(int64(int32(c)), 10)
	case api.ValueTypeI64:
		return strconv.FormatInt(int64(c), 10)
	case api.ValueTypeF32:
		return formatFloat(float64(math.Float32frombits(uint32(c))), 32)
	case api.ValueTypeF64:
		return formatFloat(math.Float64frombits(c), 64)
	case instance.ValueTypeFuncref, api.ValueTypeExternref:
		if c == 0 {
			return "null"
		}
		return fmt.Sprintf("%s(%#x)", instance.ValueTypeName(t), c)
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
