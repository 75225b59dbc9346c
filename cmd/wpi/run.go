package main

import (
	"bytes"
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

const runUsage = `usage: wpi run [flags] module.wasm [--] [ARGS...]
       (wpi exec is the same command)

Instantiates the module (running its start function) with WASI preview1
available, then:
  - with --invoke NAME: calls _initialize if exported (a WASI reactor),
    then the export NAME with ARGS parsed by its parameter types;
  - else, if the module exports _start (a WASI command): calls it with
    ARGS as the program's arguments (argv[0] is the module's file name,
    or --argv0).
stdin, stdout and stderr pass through; the guest's exit code (proc_exit)
is wpi's. A trap prints the trap and a wasm backtrace, and exits 134. "--"
ends wpi's flags; a "--" right after the module is dropped. The module
must be a binary: convert a .wat file with wabt's wat2wasm first.

ARGS: i32 and i64 as decimal (negative allowed) or 0x hex, signed or
unsigned range; f32 and f64 as decimal, "nan", "inf" or "-inf".
Results are printed one per line: integers as signed decimal, floats in
the shortest decimal that round-trips ("NaN", "inf", "-inf"), as wasmtime
prints them.

Flag spellings follow Wasmtime (--dir, --invoke, --preload, --argv0,
--fuel, --max-memory-size) and wazero (--mount, --env-inherit, --listen,
--hostlogging, --timeout).

flags:
`

// runOptions are the parsed flags of "wpi run".
type runOptions struct {
	invoke     string
	argv0      *string // nil: the module's file name
	features   api.CoreFeatures
	fuel       int64
	limitPages uint32
	preloads   []preload
	wasi       wasi.Config
	profile    string // --profile FILE, or ""
	cacheDir   string // --cachedir DIR, or ""
}

// preload is one --preload NAME=PATH.
type preload struct{ name, path string }

// runCommand returns "wpi run" (or its alias "wpi exec", named cmd in
// messages).
func runCommand(cmd string) func(args []string, stdout, stderr io.Writer) int {
	return func(args []string, stdout, stderr io.Writer) int {
		return runRun(cmd, args, stdout, stderr)
	}
}

// runRun implements "wpi run".
func runRun(cmd string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	invoke := fs.String("invoke", "", "call the exported function `NAME` instead of _start")
	timeout := fs.Duration("timeout", 0, "stop the guest after this long, exit 134 (0: no limit)")
	features := fs.String("features", "supported", "core features the module may use: `LIST` of v1, v2, supported (every one wpi runs) or proposal names (tail-call,extended-const,...)")
	argv0 := fs.String("argv0", "", "the guest's argv[0] (`NAME`; default: the module's file name, or the --invoke name)")
	fuel := fs.Int64("fuel", 0, "run with a budget of `N` units of fuel (one per loop back-edge and call); exhausting it traps, exit 134 (0: no metering)")
	maxMem := fs.String("max-memory-size", "", "the most `BYTES` a memory may grow to, rounded down to whole 64 KiB pages (as Wasmtime's -W max-memory-size; memory.grow past it returns -1)")
	envInherit := fs.Bool("env-inherit", false, "pass wpi's environment to the guest (--env entries follow it)")
	cacheDir := fs.String("cachedir", "", "record in `DIR` which modules passed validation, so that later runs of the same binary skip it (wazero's spelling; the directory must be trusted)")
	profilePath := fs.String("profile", "", "sample the guest's wasm call stacks (1000 Hz) and write a pprof profile to `FILE` (go tool pprof FILE), as Wasmtime's --profile=guest")
	var dirs, mounts, envs, listens, preloads, hostlog listFlag
	fs.Var(&dirs, "dir", "preopen the host directory HOST as GUEST: `HOST[::GUEST][::ro]` (Wasmtime's spelling, repeatable; GUEST defaults to HOST)")
	fs.Var(&mounts, "mount", "preopen the host directory HOST as GUEST: `HOST[:GUEST][:ro]` (wazero's spelling, repeatable; GUEST defaults to HOST)")
	fs.Var(&envs, "env", "set the guest's environment variable: `NAME[=VALUE]` (repeatable; without =VALUE, inherit it from wpi's)")
	fs.Var(&listens, "tcplisten", "preopen a TCP listener on `ADDR` (host:port, repeatable) for sock_accept")
	fs.Var(&listens, "listen", "the same as --tcplisten (wazero's spelling)")
	fs.Var(&preloads, "preload", "instantiate the module at PATH under the module name NAME before the main module, so that its imports resolve: `NAME=PATH` (repeatable, in order)")
	fs.Var(&hostlog, "hostlogging", "log the guest's WASI calls to stderr, one line each: `SCOPES`, a comma-separated list of all, filesystem, clock, random, proc, poll, sock (repeatable)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, runUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return exitOK
		}
		fmt.Fprintf(stderr, "wpi %s: %s (run 'wpi %s -h')\n", cmd, oneLine(err), cmd)
		return exitUsage
	}
	if fs.NArg() < 1 {
		fmt.Fprintf(stderr, "wpi %s: missing module file (run 'wpi %s -h')\n", cmd, cmd)
		return exitUsage
	}
	usageErr := func(err error) int {
		fmt.Fprintf(stderr, "wpi %s: %s\n", cmd, oneLine(err))
		return exitUsage
	}
	opts := runOptions{invoke: *invoke, fuel: *fuel, profile: *profilePath, cacheDir: *cacheDir}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "argv0" {
			opts.argv0 = argv0
		}
	})
	feats, err := instance.ParseFeatures(*features)
	if err != nil {
		return usageErr(fmt.Errorf("-features: %w", err))
	}
	opts.features = feats
	if *fuel < 0 {
		return usageErr(fmt.Errorf("--fuel %d: want a positive budget", *fuel))
	}
	if *maxMem != "" {
		if opts.limitPages, err = parseMemorySize(*maxMem); err != nil {
			return usageErr(err)
		}
	}
	for _, p := range preloads {
		name, path, ok := strings.Cut(p, "=")
		if !ok || name == "" || path == "" {
			return usageErr(fmt.Errorf("--preload %s: want NAME=PATH", p))
		}
		opts.preloads = append(opts.preloads, preload{name, path})
	}
	var scopes wasi.LogScopes
	for _, h := range hostlog {
		s, err := wasi.ParseLogScopes(h)
		if err != nil {
			return usageErr(fmt.Errorf("--hostlogging %s: %w", h, err))
		}
		scopes |= s
	}
	path, params := fs.Arg(0), fs.Args()[1:]
	if len(params) > 0 && params[0] == "--" {
		params = params[1:]
	}
	for _, m := range mounts {
		d, err := mountAsDir(m)
		if err != nil {
			return usageErr(err)
		}
		dirs = append(dirs, d)
	}
	if *envInherit {
		envs = append(os.Environ(), envs...)
	}
	wcfg, cleanup, err := wasiConfig(dirs, envs, listens, stdout, stderr)
	defer cleanup()
	if err != nil {
		return usageErr(err)
	}
	if scopes != 0 {
		wcfg.Log, wcfg.LogScopes = stderr, scopes
	}
	opts.wasi = wcfg

	ctx := context.Background()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	code, err := runModule(ctx, path, params, opts, stdout)
	if err != nil {
		var te *instance.TrapError
		switch {
		case *timeout > 0 && errors.Is(err, instance.ErrTrapInterrupted) && errors.Is(err, context.DeadlineExceeded):
			fmt.Fprintf(stderr, "wpi: timeout: the guest was stopped after --timeout %s\n", *timeout)
		case *fuel > 0 && errors.Is(err, instance.ErrTrapFuelExhausted):
			fmt.Fprintf(stderr, "wpi: trap: %s (--fuel %d)\n", trapMessage(err), *fuel)
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

// parseMemorySize parses --max-memory-size: a number of bytes, at least
// one 64 KiB page, as pages.
func parseMemorySize(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("--max-memory-size %s: want a number of bytes", s)
	}
	pages := n / pageSize
	switch {
	case pages == 0:
		return 0, fmt.Errorf("--max-memory-size %s: less than one 64 KiB page", s)
	case pages > maxPages:
		pages = maxPages // a 32-bit memory cannot grow further anyway
	}
	return uint32(pages), nil
}

const (
	pageSize = 65536
	maxPages = 65536
)

// mountAsDir turns wazero's --mount HOST[:GUEST][:ro] into --dir's
// HOST::GUEST[::ro]. As wazero does, the last ':' separates GUEST.
func mountAsDir(m string) (string, error) {
	if m == "" {
		return "", errors.New("--mount: empty mount")
	}
	ro := false
	if t, ok := strings.CutSuffix(m, ":ro"); ok {
		m, ro = t, true
	}
	host, guest := m, m
	if i := strings.LastIndexByte(m, ':'); i >= 0 {
		host, guest = m[:i], m[i+1:]
	}
	if host == "" || guest == "" || strings.Contains(host, "::") {
		return "", fmt.Errorf("--mount %s: want HOST[:GUEST][:ro]", m)
	}
	d := host + "::" + guest
	if ro {
		d += "::ro"
	}
	return d, nil
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

// readModule reads a module binary, and says how to convert a text one.
func readModule(path string) ([]byte, error) {
	bin, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(bin, []byte("\x00asm")) && looksLikeText(bin) {
		out := strings.TrimSuffix(path, filepath.Ext(path)) + ".wasm"
		return nil, fmt.Errorf("%s: this is the WebAssembly text format; wpi runs binary modules: convert it with wabt's wat2wasm (wat2wasm %s -o %s)", path, path, out)
	}
	return bin, nil
}

// looksLikeText reports whether b starts, after white space and ;;
// comments, with "(": a .wat module.
func looksLikeText(b []byte) bool {
	for len(b) > 0 {
		switch {
		case b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r':
			b = b[1:]
		case bytes.HasPrefix(b, []byte(";;")):
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				return false
			}
			b = b[i+1:]
		default:
			return b[0] == '('
		}
	}
	return false
}

// runModule does the work of run and returns the exit code and the
// error to report.
func runModule(ctx context.Context, path string, params []string, opts runOptions, stdout io.Writer) (int, error) {
	bin, err := readModule(path)
	if err != nil {
		return exitError, err
	}
	// MemorySlotBytes is left to the default (4 GiB slots), which
	// NewRuntime halves while a low RLIMIT_AS ("ulimit -v") or
	// vm.overcommit_memory=2 refuses the reservation.
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 4 + len(opts.preloads), Features: opts.features, MemoryLimitPages: opts.limitPages, CacheDir: opts.cacheDir})
	if err != nil {
		return exitError, err
	}
	defer rt.Close(ctx)
	cm, err := rt.Compile(ctx, bin)
	if err != nil {
		return exitError, fmt.Errorf("%s: %w", path, err)
	}

	name := opts.invoke
	command := false
	if name == "" && hasFunc(cm, "_start") {
		name, command = "_start", true
	}
	if name == "" && len(params) > 0 {
		return exitUsage, errors.New("arguments given without --invoke")
	}
	wcfg := opts.wasi
	wcfg.Args = []string{filepath.Base(path)}
	if command {
		wcfg.Args = append(wcfg.Args, params...)
		params = nil
	} else if opts.invoke != "" {
		wcfg.Args = []string{opts.invoke}
	}
	if opts.argv0 != nil {
		wcfg.Args[0] = *opts.argv0
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

	// Preloaded modules share the main module's WASI process, as
	// Wasmtime's linked modules share its WASI context.
	for _, p := range opts.preloads {
		pbin, err := readModule(p.path)
		if err != nil {
			return exitError, fmt.Errorf("--preload %s: %w", p.name, err)
		}
		pinst, err := rt.InstantiateWasm(ctx, pbin, instance.ModuleConfig{Name: p.name})
		if err != nil {
			return callFailure(err, fmt.Errorf("--preload %s=%s: %w", p.name, p.path, err))
		}
		if init := pinst.ExportedFunction("_initialize"); !init.IsNil() {
			if _, err := init.Call(ctx); err != nil {
				return callFailure(err, err)
			}
		}
	}

	if opts.profile != "" {
		out, err := os.Create(opts.profile)
		if err != nil {
			return exitError, fmt.Errorf("--profile: %w", err)
		}
		p, err := rt.StartProfiler(0)
		if err != nil {
			out.Close()
			return exitError, err
		}
		// Written however the run ends (a trap, proc_exit, ...), before
		// the runtime closes.
		defer func() {
			if err := p.WriteProfile(out); err != nil {
				fmt.Fprintf(os.Stderr, "wpi: --profile: %v\n", err)
			}
			if err := out.Close(); err != nil {
				fmt.Fprintf(os.Stderr, "wpi: --profile: %v\n", err)
			}
		}()
	}
	inst, err := rt.Instantiate(ctx, cm, instance.ModuleConfig{Fuel: opts.fuel})
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
