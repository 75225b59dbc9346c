// Command instantiate compares wpi with wazero and Wasmtime on the instantiation
// workloads of the shared bench folder, side by side in one run, and
// prints a Markdown table with ratios against wpi.
//
//	cd bench && go run ./cmd/instantiate [-duration 1s] [-rounds 5] [-engines wpi,wasmtime-pool-keep1MiB]
//	    [-reactor r.wasm -snapshot r.snap.wasm -invoke NAME -args 1,2 [-only-reactor]]
//
// With -reactor, rows of a WASI reactor follow: its _initialize run in
// every instance, then the file 'wpi snapshot' wrote from it
// (r.snap.wasm: no _initialize left) for wpi, Wasmtime's pooling
// allocator (keep-resident, memory_init_cow: its copy-on-write images)
// and wazero's compiler, then wpi's in-process Runtime.Snapshot.
//
// Each row runs instantiate -> call -> close in a loop on G goroutines for
// the given duration (after a short warm-up) and reports instances per
// second, wpi's throughput divided by the engine's, and minor page faults
// per instance (getrusage, whole process).
//
// A second table gives each engine's scaling on the echo workload, 2
// goroutines over 1: the two rows are measured -rounds times, alternately,
// and the median of the per-round ratios is reported with its range, so
// that a slow spell of a shared machine does not decide the figure.
//
// It is a separate Go module so that wpi itself needs no cgo: Wasmtime is
// reached through github.com/bytecodealliance/wasmtime-go/v37, which ships
// a static library, plus a few C API calls for its pooling allocator.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/wpi-dev/wpi/instance"
	"github.com/wpi-dev/wpi/instance/wasi"
	"github.com/wpi-dev/wpi/memory"
	"github.com/wpi-dev/wpi/memory/wazeroalloc"
)

var (
	//go:embed workloads/echo.wasm
	echoWasm []byte
	//go:embed workloads/touch.wasm
	touchWasm []byte
)

// workload is one column group of the table.
type workload struct {
	name       string
	bin        []byte
	fn         string
	args       []int32
	goroutines int
	// argv, if set, makes the workload a WASI command: each instance gets
	// its own WASI process with these arguments, runs _start (fn and args
	// are unused) and must exit with code 0.
	argv []string
	// reactor makes it a WASI reactor: each instance gets its own WASI
	// process, runs _initialize if the module exports it, then fn(args).
	reactor bool
	// wpiSnapshot: wpi instantiates Runtime.Snapshot of bin after its
	// _initialize (in process, no file); the other engines skip the row.
	wpiSnapshot bool
}

// engine makes a tenancy function for a workload; each goroutine gets its
// own from one call of per.
type engine struct {
	name string
	// setup compiles the workload once and returns a factory of per-
	// goroutine tenancy functions, and a cleanup.
	setup func(w workload) (per func() func() error, cleanup func(), err error)
}

func main() {
	duration := flag.Duration("duration", time.Second, "measuring time per row")
	only := flag.String("engines", "", "comma-separated engine names to run (default: all)")
	rounds := flag.Int("rounds", 5, "rounds of the interleaved 1- and 2-goroutine echo rows of the scaling table (0: no scaling table)")
	reactor := flag.String("reactor", "", "also measure this WASI reactor `module.wasm`: _initialize per instance, from the file -snapshot names, and from wpi's in-process Runtime.Snapshot")
	snapshot := flag.String("snapshot", "", "with -reactor: the `file` 'wpi snapshot' wrote from it")
	invoke := flag.String("invoke", "", "with -reactor: the export each instance calls")
	args := flag.String("args", "", "with -reactor: the i32 arguments of -invoke, comma-separated")
	onlyReactor := flag.Bool("only-reactor", false, "with -reactor: measure only the reactor rows")
	flag.Parse()

	workloads := []workload{
		{name: "echo", bin: echoWasm, fn: "echo", args: []int32{1, 2}, goroutines: 1},
		{name: "echo", bin: echoWasm, fn: "echo", args: []int32{1, 2}, goroutines: 2},
		{name: "touch(1), 16 pages", bin: touchWasm, fn: "touch", args: []int32{1}, goroutines: 1},
		{name: "touch(256), 16 pages", bin: touchWasm, fn: "touch", args: []int32{256}, goroutines: 1},
	}
	// A real WASI command: wazero's TinyGo CLI example adds its arguments.
	if cli, err := tinygoCLI(); err != nil {
		fmt.Fprintf(os.Stderr, "instantiate: no TinyGo CLI workload: %v\n", err)
	} else {
		for _, g := range []int{1, 2} {
			workloads = append(workloads, workload{name: "TinyGo cli.wasm 1 2 (WASI command)", bin: cli, fn: "_start", goroutines: g, argv: []string{"cli", "1", "2"}})
		}
	}
	if *reactor != "" {
		ws, err := reactorWorkloads(*reactor, *snapshot, *invoke, *args)
		if err != nil {
			fmt.Fprintf(os.Stderr, "instantiate: %v\n", err)
			os.Exit(2)
		}
		if *onlyReactor {
			workloads = nil
		}
		workloads = append(workloads, ws...)
	}
	engines := allEngines()
	if *only != "" {
		keep := map[string]bool{}
		for _, n := range strings.Split(*only, ",") {
			keep[n] = true
		}
		var sel []engine
		for _, e := range engines {
			if keep[e.name] {
				sel = append(sel, e)
			}
		}
		engines = sel
	}

	fmt.Printf("Instantiate -> call -> close, %v per row, GOMAXPROCS=%d, %s/%s. Ratio: wpi's instances/s over the engine's.\n\n",
		*duration, runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	fmt.Println("| workload | goroutines | engine | instances/s | wpi ÷ engine | minor faults/instance |")
	fmt.Println("| --- | ---: | --- | ---: | ---: | ---: |")
	for _, w := range workloads {
		var wpiRate float64
		for _, e := range engines {
			if (w.reactor && !reactorEngines[e.name]) || (w.wpiSnapshot && e.name != "wpi") {
				continue
			}
			rate, faults, err := measure(e, w, *duration)
			if err != nil {
				fmt.Printf("| %s | %d | %s | error: %s | | |\n", w.name, w.goroutines, e.name, strings.ReplaceAll(err.Error(), "\n", " "))
				continue
			}
			if e.name == "wpi" {
				wpiRate = rate
			}
			ratio := "—"
			if wpiRate > 0 && e.name != "wpi" {
				ratio = fmt.Sprintf("%.1fx", wpiRate/rate)
			}
			fmt.Printf("| %s | %d | %s | %s | %s | %.4f |\n", w.name, w.goroutines, e.name, thousands(rate), ratio, faults)
		}
	}
	if *rounds > 0 {
		scalingTable(engines, *rounds, *duration)
	}
}

// scalingEngines are the engines of the scaling table (when selected).
var scalingEngines = []string{"wpi", "wasmtime-pool-keep1MiB", "wazero-interpreter", "wazero-compiler"}

// scalingTable prints, for each engine of scalingEngines, the echo
// workload's instances/s on 2 goroutines over 1: the median of rounds
// alternate measurements, and their range.
func scalingTable(engines []engine, rounds int, d time.Duration) {
	fmt.Printf("\nScaling, echo, 2 goroutines over 1: median of %d alternate rounds of %v per row (range).\n\n", rounds, d)
	fmt.Println("| engine | 1 goroutine, instances/s | 2 goroutines, instances/s | scaling | range |")
	fmt.Println("| --- | ---: | ---: | ---: | --- |")
	one := workload{name: "echo", bin: echoWasm, fn: "echo", args: []int32{1, 2}, goroutines: 1}
	two := one
	two.goroutines = 2
	for _, e := range engines {
		if !slices.Contains(scalingEngines, e.name) {
			continue
		}
		var r1, r2, ratio []float64
		var failed error
		for range rounds {
			a, _, err := measure(e, one, d)
			if err != nil {
				failed = err
				break
			}
			b, _, err := measure(e, two, d)
			if err != nil {
				failed = err
				break
			}
			r1, r2, ratio = append(r1, a), append(r2, b), append(ratio, b/a)
		}
		if failed != nil {
			fmt.Printf("| %s | error: %s | | | |\n", e.name, strings.ReplaceAll(failed.Error(), "\n", " "))
			continue
		}
		fmt.Printf("| %s | %s | %s | %.2fx | %.2f-%.2f |\n", e.name, thousands(median(r1)), thousands(median(r2)),
			median(ratio), slices.Min(ratio), slices.Max(ratio))
	}
}

// median returns the median of vs (the mean of the middle two for an
// even count).
func median(vs []float64) float64 {
	s := slices.Sorted(slices.Values(vs))
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// measure runs w on e and returns instances per second and minor faults
// per instance.
func measure(e engine, w workload, d time.Duration) (rate, faults float64, err error) {
	per, cleanup, err := e.setup(w)
	if err != nil {
		return 0, 0, err
	}
	defer cleanup()
	fns := make([]func() error, w.goroutines)
	for i := range fns {
		fns[i] = per()
	}
	if _, err := run(fns, min(d/4, 250*time.Millisecond)); err != nil {
		return 0, 0, err
	}
	runtime.GC()
	m0, _, _ := memory.Faults()
	start := time.Now()
	n, err := run(fns, d)
	secs := time.Since(start).Seconds()
	m1, _, _ := memory.Faults()
	if err != nil {
		return 0, 0, err
	}
	if n == 0 {
		return 0, 0, fmt.Errorf("no instance completed")
	}
	return float64(n) / secs, float64(m1-m0) / float64(n), nil
}

// run calls each of fns in a loop on its own goroutine for d and returns
// the number of calls completed.
func run(fns []func() error, d time.Duration) (uint64, error) {
	var stop atomic.Bool
	var total atomic.Uint64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for _, f := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n uint64
			for !stop.Load() {
				for range 16 {
					if err := f(); err != nil {
						firstErr.CompareAndSwap(nil, err)
						stop.Store(true)
						break
					}
					n++
				}
			}
			total.Add(n)
		}()
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return 0, err
	}
	return total.Load(), nil
}

func allEngines() []engine {
	ctx := context.Background()
	wazeroEngine := func(name string, cfg func() wazero.RuntimeConfig, pooled bool) engine {
		return engine{name, func(w workload) (func() func() error, func(), error) {
			rt := wazero.NewRuntimeWithConfig(ctx, cfg())
			if w.argv != nil || w.reactor {
				wasi_snapshot_preview1.MustInstantiate(ctx, rt)
			}
			cm, err := rt.CompileModule(ctx, w.bin)
			if err != nil {
				return nil, nil, err
			}
			actx := ctx
			var pool *memory.Pool
			if pooled {
				pool, err = memory.New(memory.Config{Slots: 64, SlotBytes: 4 << 20})
				if err != nil {
					return nil, nil, err
				}
				actx = experimental.WithMemoryAllocator(ctx, wazeroalloc.New(pool))
			}
			mcfg := wazero.NewModuleConfig().WithName("")
			if w.argv != nil {
				mcfg = mcfg.WithArgs(w.argv...) // _start runs in InstantiateModule
			}
			if w.reactor {
				mcfg = mcfg.WithArgs("reactor").WithStartFunctions("_initialize")
			}
			per := func() func() error {
				stack := ownStack(len(w.args))
				return func() error {
					mod, err := rt.InstantiateModule(actx, cm, mcfg)
					if w.argv != nil {
						var exit *sys.ExitError
						if errors.As(err, &exit) && exit.ExitCode() == 0 {
							err = nil
						}
						if mod != nil {
							mod.Close(ctx)
						}
						return err
					}
					if err != nil {
						return err
					}
					for i, a := range w.args {
						stack[i] = uint64(uint32(a))
					}
					err = mod.ExportedFunction(w.fn).CallWithStack(ctx, stack)
					mod.Close(ctx)
					return err
				}
			}
			return per, func() {
				rt.Close(ctx)
				if pool != nil {
					pool.Close()
				}
			}, nil
		}}
	}
	wasmtimeEng := func(name string, pulley bool, keep int) engine {
		return engine{name, func(w workload) (func() func() error, func(), error) {
			eng, err := wasmtimeEngine(pulley, keep)
			if err != nil {
				return nil, nil, err
			}
			f, err := wasmtimeRunner(eng, w.bin, w.fn, w.args, w.argv, w.reactor)
			if err != nil {
				return nil, nil, err
			}
			return func() func() error { return f }, func() {}, nil
		}}
	}
	return []engine{
		{"wpi", func(w workload) (func() func() error, func(), error) {
			rt, err := instance.NewRuntime(ctx, instance.Config{})
			if err != nil {
				return nil, nil, err
			}
			cm, err := rt.Compile(ctx, w.bin)
			if err != nil {
				return nil, nil, err
			}
			var mc instance.ModuleConfig
			if w.argv != nil || w.reactor {
				if _, err := wasi.Instantiate(ctx, rt, wasi.Config{}); err != nil {
					return nil, nil, err
				}
				argv := w.argv
				if w.reactor {
					argv = []string{"reactor"}
				}
				mc = wasi.WithConfig(mc, wasi.Config{Args: argv})
			}
			if w.wpiSnapshot {
				if cm, err = wpiSnapshot(ctx, rt, cm, mc); err != nil {
					return nil, nil, err
				}
			}
			per := func() func() error {
				stack := ownStack(len(w.args))
				return func() error {
					inst, err := rt.Instantiate(ctx, cm, mc)
					if err != nil {
						return err
					}
					if w.argv != nil {
						err = inst.ExportedFunction("_start").CallWithStack(ctx, stack)
						if code, ok := wasi.ExitCode(err); ok && code == 0 {
							err = nil
						}
						inst.Close(ctx)
						return err
					}
					if w.reactor {
						if init := inst.ExportedFunction("_initialize"); !init.IsNil() {
							if err := init.CallWithStack(ctx, stack); err != nil {
								inst.Close(ctx)
								return err
							}
						}
					}
					for i, a := range w.args {
						stack[i] = uint64(uint32(a))
					}
					err = inst.ExportedFunction(w.fn).CallWithStack(ctx, stack)
					inst.Close(ctx)
					return err
				}
			}
			return per, func() { rt.Close(ctx) }, nil
		}},
		wasmtimeEng("wasmtime-pool-keep1MiB", false, 1<<20),
		wasmtimeEng("wasmtime-pool", false, 0),
		wasmtimeEng("wasmtime-ondemand", false, -1),
		wasmtimeEng("wasmtime-pulley-pool-keep1MiB", true, 1<<20),
		wazeroEngine("wazero-interpreter", wazero.NewRuntimeConfigInterpreter, false),
		wazeroEngine("wazero-compiler", wazero.NewRuntimeConfigCompiler, false),
		wazeroEngine("wazero-interpreter+wpi-pool", wazero.NewRuntimeConfigInterpreter, true),
	}
}

// tinygoCLI returns wazero's TinyGo CLI example (examples/cli in the
// wazero module this module requires), found with go list.
func tinygoCLI() ([]byte, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/tetratelabs/wazero").Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	return os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "examples", "cli", "testdata", "cli.wasm"))
}

// ownStack returns a call stack of n cells (at least 1) on cache lines of
// its own. The goroutines' stacks are allocated one after the other, and
// stacks of a few cells would share a line: every call would then move it
// between the cores, for every engine alike.
func ownStack(n int) []uint64 {
	return make([]uint64, max(n, 1), 16)
}

// thousands formats v rounded, with thousands separators (one decimal
// below 10: a guest's start-up per instance can take a second).
func thousands(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func init() {
	if len(echoWasm) == 0 || len(touchWasm) == 0 {
		fmt.Fprintln(os.Stderr, "instantiate: workloads missing; run workloads/gen.sh")
		os.Exit(1)
	}
}

// reactorEngines are the engines of the reactor rows: wpi, Wasmtime's
// pooling allocator with copy-on-write images, and wazero's compiler.
var reactorEngines = map[string]bool{"wpi": true, "wasmtime-pool-keep1MiB": true, "wazero-compiler": true}

// reactorWorkloads returns the rows of a WASI reactor: its _initialize in
// every instance (1 goroutine), the snapshot file (1 and 2 goroutines),
// and wpi's in-process snapshot (1 and 2 goroutines).
func reactorWorkloads(path, snapshot, fn, args string) ([]workload, error) {
	orig, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if fn == "" || snapshot == "" {
		return nil, errors.New("-reactor needs -invoke and -snapshot (the file 'wpi snapshot' wrote)")
	}
	snap, err := os.ReadFile(snapshot)
	if err != nil {
		return nil, err
	}
	var iargs []int32
	for _, a := range strings.Split(args, ",") {
		if a == "" {
			continue
		}
		n, err := strconv.ParseInt(a, 0, 32)
		if err != nil {
			return nil, fmt.Errorf("-args: %w", err)
		}
		iargs = append(iargs, int32(n))
	}
	base := filepath.Base(path)
	call := fmt.Sprintf("%s(%s)", fn, args)
	r := workload{fn: fn, args: iargs, reactor: true, goroutines: 1}
	var ws []workload
	add := func(name string, bin []byte, g int, wpiSnap bool) {
		w := r
		w.name, w.bin, w.goroutines, w.wpiSnapshot = name, bin, g, wpiSnap
		ws = append(ws, w)
	}
	add(fmt.Sprintf("%s %s, _initialize per instance", base, call), orig, 1, false)
	for _, g := range []int{1, 2} {
		add(fmt.Sprintf("%s %s, from the file wpi snapshot wrote", base, call), snap, g, false)
	}
	for _, g := range []int{1, 2} {
		add(fmt.Sprintf("%s %s, wpi Runtime.Snapshot (in process)", base, call), orig, g, true)
	}
	return ws, nil
}

// wpiSnapshot runs an instance of cm's _initialize and returns its
// snapshot (what 'wpi snapshot' writes, without the file).
func wpiSnapshot(ctx context.Context, rt *instance.Runtime, cm *instance.CompiledModule, mc instance.ModuleConfig) (*instance.CompiledModule, error) {
	inst, err := rt.Instantiate(ctx, cm, mc)
	if err != nil {
		return nil, err
	}
	defer inst.Close(ctx)
	if err := wasi.Run(ctx, inst); err != nil {
		return nil, err
	}
	return rt.Snapshot(ctx, inst, instance.SnapshotConfig{})
}
