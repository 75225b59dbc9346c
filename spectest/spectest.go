// Package spectest runs the WebAssembly spec test suite, in the form
// wabt's wast2json produces (a JSON list of commands plus one .wasm file
// per module), against wpi's instance API.
//
// RunFile runs one JSON file in a fresh instance.Runtime that has the
// "spectest" host module registered (SpectestModule) and reports each
// command's outcome. Assertions, actions and module commands (a module
// must decode, validate and instantiate) are counted; register commands
// count only when they fail. Text-format modules
// (assert_malformed / assert_invalid on .wat files) are skipped.
//
// Values follow wast2json: numbers are decimal strings of their bit
// patterns, "nan:canonical" and "nan:arithmetic" match NaN classes,
// v128 values are lists of lanes of lane_type, and references are "null"
// or a number. externref n is passed to wasm as the host value n+1, so that
// externref 0 is not null.
package spectest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/instance"
)

// Options configure a run. The zero value runs with Wasm 2.0 features.
type Options struct {
	// Features are the core features modules are decoded with. Zero means
	// api.CoreFeaturesV2. Use api.CoreFeaturesV1 for the 1.0 suite, whose
	// link-time segment checks differ (see instance.Config.Features).
	Features api.CoreFeatures
	// SlotBytes is the memory slot size; zero means 1 GiB, more than any
	// spec test grows to.
	SlotBytes uint64
	// CommandTimeout bounds each command (instantiation, invoke) through
	// its context; zero means no limit.
	CommandTimeout time.Duration
}

// Status is a command's outcome.
type Status uint8

const (
	Passed Status = iota
	Failed
	Skipped
)

func (s Status) String() string {
	switch s {
	case Passed:
		return "passed"
	case Failed:
		return "failed"
	}
	return "skipped"
}

// CommandResult is the outcome of one command.
type CommandResult struct {
	// Line is the command's line in the .wast source; Type its wast2json
	// command type ("assert_return", ...).
	Line   int
	Type   string
	Status Status
	// Message says why the command failed or was skipped, "" if it passed.
	Message string
}

// Result is the outcome of one JSON file.
type Result struct {
	// File is the JSON file's path; Source the .wast it was made from.
	File, Source string
	// Commands lists the counted commands in order.
	Commands []CommandResult
	// Passed, Failed and Skipped count Commands by Status.
	Passed, Failed, Skipped int
}

// Failures returns the failed commands.
func (r *Result) Failures() []CommandResult {
	var out []CommandResult
	for _, c := range r.Commands {
		if c.Status == Failed {
			out = append(out, c)
		}
	}
	return out
}

func (r *Result) add(c command, st Status, msg string) {
	r.Commands = append(r.Commands, CommandResult{Line: c.Line, Type: c.Type, Status: st, Message: msg})
	switch st {
	case Passed:
		r.Passed++
	case Failed:
		r.Failed++
	default:
		r.Skipped++
	}
}

// Files expands paths: a JSON file stands for itself, a directory for the
// *.json files directly in it, sorted by name.
func Files(paths ...string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		m, err := filepath.Glob(filepath.Join(p, "*.json"))
		if err != nil {
			return nil, err
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("%s: no .json files", p)
		}
		sort.Strings(m)
		out = append(out, m...)
	}
	return out, nil
}

// RunFile runs the wast2json file path (its .wasm files are looked up
// next to it). The error is for a file that cannot be read or parsed, or a
// runtime that cannot be created; assertion failures are in the Result.
// RunFile never panics on a misbehaving engine: a panic fails the command.
func RunFile(ctx context.Context, path string, opts Options) (Result, error) {
	res := Result{File: path}
	raw, err := os.ReadFile(path)
	if err != nil {
		return res, err
	}
	var s script
	if err := json.Unmarshal(raw, &s); err != nil {
		return res, fmt.Errorf("%s: %w", path, err)
	}
	res.Source = s.SourceFilename
	if opts.Features == 0 {
		opts.Features = api.CoreFeaturesV2
	}
	if opts.SlotBytes == 0 {
		opts.SlotBytes = 1 << 30
	}
	// Every module may stay alive to the end (named, registered, or
	// reachable through another instance's table), so give each its slot.
	slots := 8
	for _, c := range s.Commands {
		if c.Type == "module" || strings.HasPrefix(c.Type, "assert_un") {
			slots++
		}
	}
	rt, err := instance.NewRuntime(ctx, instance.Config{
		MemorySlots:     slots,
		MemorySlotBytes: opts.SlotBytes,
		Features:        opts.Features,
	})
	if err != nil {
		return res, err
	}
	defer rt.Close(ctx)
	if _, err := SpectestModule(rt).Instantiate(ctx); err != nil {
		return res, err
	}
	r := &runner{rt: rt, dir: filepath.Dir(path), opts: opts, named: map[string]instance.Instance{}}
	for _, c := range s.Commands {
		st, msg := r.run(ctx, c)
		counted := c.Type != "register"
		if counted || st == Failed {
			res.add(c, st, msg)
		}
	}
	return res, nil
}

// SpectestModule returns a builder for the host module the suite imports
// as "spectest" (see the spec interpreter's host/spectest.ml): print
// functions that do nothing, globals global_i32 = 666, global_i64 = 666,
// global_f32 = 666.6, global_f64 = 666.6, a table of 10..20 funcrefs and a
// memory of 1..2 pages.
func SpectestModule(rt *instance.Runtime) *instance.HostModuleBuilder {
	b := rt.NewHostModuleBuilder("spectest")
	nop := func(context.Context, instance.Instance, []uint64) error { return nil }
	i32, i64, f32, f64 := api.ValueTypeI32, api.ValueTypeI64, api.ValueTypeF32, api.ValueTypeF64
	for _, f := range []struct {
		name   string
		params []api.ValueType
	}{
		{"print", nil},
		{"print_i32", []api.ValueType{i32}},
		{"print_i64", []api.ValueType{i64}},
		{"print_f32", []api.ValueType{f32}},
		{"print_f64", []api.ValueType{f64}},
		{"print_i32_f32", []api.ValueType{i32, f32}},
		{"print_f64_f64", []api.ValueType{f64, f64}},
	} {
		b = b.NewFunctionBuilder().WithGoModuleFunction(nop, f.params, nil).Export(f.name)
	}
	return b.
		ExportGlobal("global_i32", i32, false, api.EncodeI32(666)).
		ExportGlobal("global_i64", i64, false, api.EncodeI64(666)).
		ExportGlobal("global_f32", f32, false, api.EncodeF32(666.6)).
		ExportGlobal("global_f64", f64, false, api.EncodeF64(666.6)).
		ExportTable("table", instance.ValueTypeFuncref, instance.Limits{Min: 10, Max: 20, HasMax: true}).
		ExportMemory("memory", instance.Limits{Min: 1, Max: 2, HasMax: true})
}

type runner struct {
	rt      *instance.Runtime
	dir     string
	opts    Options
	named   map[string]instance.Instance
	current instance.Instance
	// currentErr is why the last module command failed, if it did.
	currentErr error
}

// run runs one command, turning a panic into a failure.
func (r *runner) run(ctx context.Context, c command) (st Status, msg string) {
	defer func() {
		if p := recover(); p != nil {
			st, msg = Failed, fmt.Sprintf("panic: %v", p)
		}
	}()
	if r.opts.CommandTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.opts.CommandTimeout)
		defer cancel()
	}
	if err := r.command(ctx, c); err != nil {
		if errors.Is(err, errSkip) {
			return Skipped, err.Error()
		}
		return Failed, err.Error()
	}
	return Passed, ""
}

var errSkip = errors.New("skipped")

func (r *runner) command(ctx context.Context, c command) error {
	switch c.Type {
	case "module":
		r.current, r.currentErr = instance.Instance{}, nil
		inst, err := r.instantiate(ctx, c.Filename)
		if err != nil {
			r.currentErr = err
			return fmt.Errorf("module %s: %w", c.Filename, err)
		}
		r.current = inst
		if c.Name != "" {
			r.named[c.Name] = inst
		}
		return nil
	case "register":
		inst, err := r.module(c.Name)
		if err != nil {
			return err
		}
		r.rt.Unregister(c.As)
		return r.rt.Register(c.As, inst)
	case "action":
		_, err := r.do(ctx, c.Action)
		return err
	case "assert_return":
		got, err := r.do(ctx, c.Action)
		if err != nil {
			return err
		}
		return compare(c.Expected, got)
	case "assert_trap", "assert_exhaustion":
		want := c.Text
		if c.Type == "assert_exhaustion" && want == "" {
			want = "call stack exhausted"
		}
		got, err := r.do(ctx, c.Action)
		if err == nil {
			return fmt.Errorf("%s: got %s, want trap %q", describe(c.Action), formatCells(nil, got), want)
		}
		return matchError(err, want)
	case "assert_exception":
		got, err := r.do(ctx, c.Action)
		if err == nil {
			return fmt.Errorf("%s: got %s, want an uncaught exception", describe(c.Action), formatCells(nil, got))
		}
		var exn *instance.Exception
		if !errors.As(err, &exn) {
			return fmt.Errorf("got error %q, want an uncaught exception", err.Error())
		}
		return nil
	case "assert_invalid", "assert_malformed":
		if c.ModuleType == "text" || strings.HasSuffix(c.Filename, ".wat") {
			return fmt.Errorf("%w: text module %s", errSkip, c.Filename)
		}
		bin, err := os.ReadFile(filepath.Join(r.dir, c.Filename))
		if err != nil {
			return err
		}
		if _, err := r.rt.Compile(ctx, bin); err == nil {
			return fmt.Errorf("%s: compiled, want error %q", c.Filename, c.Text)
		}
		return nil
	case "assert_unlinkable", "assert_uninstantiable":
		if c.ModuleType == "text" || strings.HasSuffix(c.Filename, ".wat") {
			return fmt.Errorf("%w: text module %s", errSkip, c.Filename)
		}
		_, err := r.instantiate(ctx, c.Filename)
		if err == nil {
			return fmt.Errorf("%s: instantiated, want error %q", c.Filename, c.Text)
		}
		return matchError(err, c.Text)
	}
	return fmt.Errorf("%w: unsupported command %q", errSkip, c.Type)
}

func (r *runner) instantiate(ctx context.Context, file string) (instance.Instance, error) {
	bin, err := os.ReadFile(filepath.Join(r.dir, file))
	if err != nil {
		return instance.Instance{}, err
	}
	return r.rt.InstantiateWasm(ctx, bin, instance.ModuleConfig{})
}

// module returns the instance named name, or the current one for "".
func (r *runner) module(name string) (instance.Instance, error) {
	if name == "" {
		if r.current.Closed() {
			if r.currentErr != nil {
				return instance.Instance{}, fmt.Errorf("no current module (it failed: %v)", r.currentErr)
			}
			return instance.Instance{}, errors.New("no current module")
		}
		return r.current, nil
	}
	inst, ok := r.named[name]
	if !ok {
		return instance.Instance{}, fmt.Errorf("no module named %s", name)
	}
	return inst, nil
}

// do performs an invoke or get and returns the result cells.
func (r *runner) do(ctx context.Context, a *action) ([]uint64, error) {
	if a == nil {
		return nil, errors.New("command has no action")
	}
	inst, err := r.module(a.Module)
	if err != nil {
		return nil, err
	}
	switch a.Type {
	case "invoke":
		f := inst.ExportedFunction(a.Field)
		if f.IsNil() {
			return nil, fmt.Errorf("no exported function %q", a.Field)
		}
		var params []uint64
		for _, v := range a.Args {
			c, err := v.cells()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", describe(a), err)
			}
			params = append(params, c...)
		}
		got, err := f.Call(ctx, params...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", describe(a), err)
		}
		return got, nil
	case "get":
		g := inst.ExportedGlobal(a.Field)
		if g.IsNil() {
			return nil, fmt.Errorf("no exported global %q", a.Field)
		}
		if g.Type() == instance.ValueTypeV128 {
			lo, hi := g.Get128()
			return []uint64{lo, hi}, nil
		}
		return []uint64{g.Get()}, nil
	}
	return nil, fmt.Errorf("%w: unsupported action %q", errSkip, a.Type)
}

func describe(a *action) string {
	s := fmt.Sprintf("%s %q %s", a.Type, a.Field, formatValues(a.Args))
	if a.Module != "" {
		s += " in " + a.Module
	}
	return s
}

// compare checks result cells against the expected values.
func compare(exp []value, got []uint64) error {
	n := 0
	for _, e := range exp {
		n += cellCount(e)
	}
	if n != len(got) {
		return fmt.Errorf("got %s, want %s", formatCells(exp, got), formatValues(exp))
	}
	pos := 0
	for _, e := range exp {
		k := cellCount(e)
		ok, err := e.match(got[pos : pos+k])
		if err != nil {
			return fmt.Errorf("expected value %s: %w", e, err)
		}
		if !ok {
			return fmt.Errorf("got %s, want %s", formatCells(exp, got), formatValues(exp))
		}
		pos += k
	}
	return nil
}

// matchError passes when err's message contains the expected text. The
// suite's texts are the spec interpreter's messages, which the engine's
// trap messages and instance's link errors reproduce. A trap also matches
// a text that starts with its kind's message: the spec interpreter adds
// details, as in "uninitialized element 7".
func matchError(err error, want string) error {
	if strings.Contains(err.Error(), want) {
		return nil
	}
	var trap *instance.Trap
	if errors.As(err, &trap) && strings.HasPrefix(want, trap.Error()) {
		return nil
	}
	return fmt.Errorf("got error %q, want %q", err.Error(), want)
}
