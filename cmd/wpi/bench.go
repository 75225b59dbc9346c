package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/wpi-dev/wpi/instance"
	"github.com/wpi-dev/wpi/instance/wasi"
	"github.com/wpi-dev/wpi/memory"
)

// The default workloads, compiled from the shared bench folder by
// workloads/gen.sh.
var (
	//go:embed workloads/echo.wasm
	echoWasm []byte
	//go:embed workloads/touch.wasm
	touchWasm []byte
)

const benchUsage = `usage: wpi bench [flags] [module.wasm [ARGS...]]

Measures instantiate -> call -> close in a loop on 1, 2, ... goroutines
(up to GOMAXPROCS), each row for --duration, and prints instances per
second, per goroutine, the scaling against 1 goroutine and the minor page
faults per instance (getrusage; the whole process counts), then the memory
pool's statistics. The rows are measured --rounds times, interleaved (1,
2, ..., 1, 2, ...), so that a slow spell of a shared machine hits every
row alike: instances/s is the median over the rounds, scaling the median
of each round's ratio to its 1-goroutine row, with its range.

With no module: the echo workload embedded in wpi (2 pages, 1 KiB of data,
a mutable global, a 1-slot table; echo(1, 2) returns 1). --touch N runs the
embedded touch workload instead (16 pages; touch(N) writes one byte into
each of the first N 4 KiB pages). With a module: calls --invoke NAME with
ARGS parsed by its parameter types; without --invoke, a WASI command
(exporting _start) runs as one, ARGS being its arguments, each instance
with its own WASI state (stdio discarded, no files) and an exit code of 0
counting as success. A module may import WASI preview1 and nothing else.
A WASI reactor's _initialize runs in every instance, before the call.

With --snapshot, every instance starts from a snapshot (Wizer's
pre-initialization, see 'wpi snapshot'): one instance runs _initialize (if
exported) and the --init export (default wizer.initialize if exported,
else _initialize) once, and the rows measure instantiate -> call -> close
of the snapshot, which neither re-runs the init nor exports it.

flags:
`

// benchRow is one line of the table.
type benchRow struct {
	Goroutines   int     `json:"goroutines"`
	Instances    uint64  `json:"instances"`
	Seconds      float64 `json:"seconds"`
	PerSecond    float64 `json:"instances_per_second"`
	PerGoroutine float64 `json:"per_goroutine"`
	Scaling      float64 `json:"scaling"`
	// Per round (see --rounds): instances per second and the ratio to
	// the same round's 1-goroutine row. The fields above are medians.
	RoundPerSecond []float64 `json:"round_instances_per_second"`
	RoundScaling   []float64 `json:"round_scaling"`
	FaultsPerInst  float64   `json:"minor_faults_per_instance"`
	MadvisePerInst float64   `json:"madvise_per_instance"`
	ImageHitRatio  float64   `json:"image_hit_ratio"`
	ResetBytesInst float64   `json:"reset_bytes_per_instance"`
}

// benchReport is the JSON output.
type benchReport struct {
	Workload   string       `json:"workload"`
	Call       string       `json:"call"`
	GOMAXPROCS int          `json:"gomaxprocs"`
	Rows       []benchRow   `json:"rows"`
	Pool       memory.Stats `json:"pool"`
}

// runBench implements "wpi bench".
func runBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	invoke := fs.String("invoke", "", "with a module: the export to call")
	touch := fs.Int("touch", -1, "run the embedded touch workload, dirtying `N` 4 KiB pages (0..256) per instance")
	duration := fs.Duration("duration", time.Second, "measuring time per row and round")
	rounds := fs.Int("rounds", 5, "measure every row `N` times, interleaved, and report medians")
	maxG := fs.Int("goroutines", runtime.GOMAXPROCS(0), "largest number of goroutines")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	reset := fs.Bool("reset", false, "each goroutine keeps one instance and resets it per tenancy (Instance.Reset) instead of instantiating and closing")
	snapshot := fs.Bool("snapshot", false, "instantiate from a snapshot taken after the module's init (see --init)")
	init := fs.String("init", "", "with --snapshot: the init export (default wizer.initialize if exported, else _initialize)")
	count := fs.Uint64("count", 0, "run exactly `N` instances per row (split over the goroutines) instead of --duration; for strace")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, benchUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return exitOK
		}
		fmt.Fprintf(stderr, "wpi bench: %s (run 'wpi bench -h')\n", oneLine(err))
		return exitUsage
	}
	if *maxG < 1 || *duration <= 0 || *rounds < 1 {
		fmt.Fprintln(stderr, "wpi bench: --goroutines, --duration and --rounds must be positive")
		return exitUsage
	}
	if *count > 0 {
		*rounds = 1 // an exact count is for strace: one pass
	}

	wl := workload{name: "echo", bin: echoWasm, fn: "echo", args: []string{"1", "2"}}
	switch {
	case fs.NArg() > 0:
		if *touch >= 0 {
			fmt.Fprintln(stderr, "wpi bench: --touch runs the embedded module; give no module with it")
			return exitUsage
		}
		bin, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			fmt.Fprintf(stderr, "wpi bench: %s\n", oneLine(err))
			return exitError
		}
		wl = workload{name: fs.Arg(0), bin: bin, fn: *invoke, args: fs.Args()[1:]}
		if *invoke == "" {
			wl.fn, wl.command = "_start", true
		}
	case *touch >= 0:
		if *touch > 256 {
			fmt.Fprintln(stderr, "wpi bench: --touch N needs 0 <= N <= 256 (the module has 16 pages)")
			return exitUsage
		}
		wl = workload{name: "touch", bin: touchWasm, fn: "touch", args: []string{fmt.Sprint(*touch)}}
	case *invoke != "":
		fmt.Fprintln(stderr, "wpi bench: --invoke needs a module")
		return exitUsage
	}
	if *init != "" && !*snapshot {
		fmt.Fprintln(stderr, "wpi bench: --init goes with --snapshot")
		return exitUsage
	}
	wl.snapshot, wl.init = *snapshot, *init

	rep, err := bench(context.Background(), wl, *maxG, *duration, *rounds, *count, *reset)
	if err != nil {
		fmt.Fprintf(stderr, "wpi bench: %s\n", oneLine(err))
		return exitError
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "wpi bench: %s\n", oneLine(err))
			return exitError
		}
		return exitOK
	}
	printBench(stdout, rep, *duration, *rounds, *count)
	return exitOK
}

// workload is a module and the call each instance makes: fn(args), or
// for a command the WASI program with args as its arguments.
type workload struct {
	name, fn string
	bin      []byte
	args     []string
	command  bool
	// snapshot: instances start from a snapshot taken after init (""
	// is the default of preinitialize).
	snapshot bool
	init     string
}

// bench measures wl on 1..maxG goroutines.
func bench(ctx context.Context, wl workload, maxG int, d time.Duration, rounds int, count uint64, reset bool) (*benchReport, error) {
	rt, err := instance.NewRuntime(ctx, instance.Config{})
	if err != nil {
		return nil, err
	}
	defer rt.Close(ctx)
	cm, err := rt.Compile(ctx, wl.bin)
	if err != nil {
		return nil, err
	}
	ft, ok := cm.ExportedFunctionType(wl.fn)
	if !ok {
		if wl.command {
			return nil, errors.New("module exports no _start (not a WASI command): give --invoke NAME")
		}
		return nil, fmt.Errorf("module exports no function %q", wl.fn)
	}
	// Modules importing WASI get it, each instance with its own state.
	var mc instance.ModuleConfig
	var params []uint64
	if importsWASI(cm) {
		w, err := wasi.Instantiate(ctx, rt, wasi.Config{})
		if err != nil {
			return nil, err
		}
		defer w.Close(ctx)
		args := []string{filepath.Base(wl.name)}
		if wl.command {
			args = append(args, wl.args...)
		}
		mc = wasi.WithConfig(mc, wasi.Config{Args: args})
	}
	if wl.snapshot {
		// The init sees the arguments the measured instances get.
		args := []string{filepath.Base(wl.name)}
		if wl.command {
			args = append(args, wl.args...)
		}
		if cm, _, err = preinitialize(ctx, rt, cm, wl.init, wasi.Config{Args: args}); err != nil {
			return nil, fmt.Errorf("--snapshot: %w", err)
		}
	}
	if !wl.command {
		if params, err = parseArgs(ft, wl.args); err != nil {
			return nil, err
		}
	}
	ncells := max(len(params), len(ft.Results), 1)
	// call runs the workload's call on a fresh instance: the export, after
	// _initialize for a WASI reactor, or the WASI command, whose exit code
	// 0 is success.
	call := func(inst instance.Instance, stack []uint64) error {
		if wl.command {
			err := inst.ExportedFunction(wl.fn).CallWithStack(ctx, stack)
			if code, ok := wasi.ExitCode(err); ok && code == 0 {
				return nil
			}
			return err
		}
		if init := inst.ExportedFunction("_initialize"); !init.IsNil() {
			if err := init.CallWithStack(ctx, stack); err != nil {
				return err
			}
		}
		copy(stack, params)
		return inst.ExportedFunction(wl.fn).CallWithStack(ctx, stack)
	}

	// newWorker makes a goroutine's tenancy function, which runs a
	// tenancy with the goroutine's own stack, and its clean-up.
	newWorker := func() (func([]uint64) error, func()) {
		if !reset {
			return func(stack []uint64) error {
				inst, err := rt.Instantiate(ctx, cm, mc)
				if err != nil {
					return err
				}
				err = call(inst, stack)
				inst.Close(ctx)
				return err
			}, func() {}
		}
		var inst instance.Instance
		return func(stack []uint64) error {
				var err error
				if inst.Closed() {
					inst, err = rt.Instantiate(ctx, cm, mc)
				} else {
					err = inst.Reset(ctx)
				}
				if err != nil {
					return err
				}
				return call(inst, stack)
			}, func() {
				inst.Close(ctx)
			}
	}
	{
		one, done := newWorker()
		err := one(make([]uint64, ncells))
		done()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", wl.fn, err)
		}
	}

	name := wl.name
	if wl.snapshot {
		name += " (snapshot)"
	}
	rep := &benchReport{
		Workload:   name,
		Call:       fmt.Sprintf("%s(%s)", wl.fn, strings.Join(wl.args, ", ")),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
	rows := make([]benchRow, maxG)
	// What each row did, summed over the rounds.
	type sums struct{ faults, madvise, imageHits, resetBytes uint64 }
	tot := make([]sums, maxG)
	for range rounds {
		for g := 1; g <= maxG; g++ {
			row := &rows[g-1]
			// Warm up: every goroutine's slot, the Go heap, the CPU caches.
			if _, err := loop(g, min(d/4, 250*time.Millisecond), 0, newWorker, ncells); err != nil {
				return nil, err
			}
			before := rt.PoolStats()
			m0, _, _ := memory.Faults()
			start := time.Now()
			n, err := loop(g, d, count, newWorker, ncells)
			secs := time.Since(start).Seconds()
			m1, _, _ := memory.Faults()
			after := rt.PoolStats()
			if err != nil {
				return nil, err
			}
			t := &tot[g-1]
			t.faults += m1 - m0
			t.madvise += after.MadviseCalls - before.MadviseCalls
			t.imageHits += after.ImageHits - before.ImageHits
			t.resetBytes += after.MemsetBytes - before.MemsetBytes + after.MadviseBytes - before.MadviseBytes
			row.Goroutines = g
			row.Instances += n
			row.Seconds += secs
			row.RoundPerSecond = append(row.RoundPerSecond, float64(n)/secs)
			row.RoundScaling = append(row.RoundScaling, (float64(n)/secs)/rows[0].RoundPerSecond[len(row.RoundPerSecond)-1])
		}
	}
	for k := range rows {
		row := &rows[k]
		row.PerSecond = median(row.RoundPerSecond)
		row.PerGoroutine = row.PerSecond / float64(row.Goroutines)
		row.Scaling = median(row.RoundScaling)
		if n := float64(row.Instances); n > 0 {
			t := &tot[k]
			row.FaultsPerInst = float64(t.faults) / n
			row.MadvisePerInst = float64(t.madvise) / n
			row.ImageHitRatio = float64(t.imageHits) / n
			row.ResetBytesInst = float64(t.resetBytes) / n
		}
	}
	rep.Rows = rows
	rep.Pool = rt.PoolStats()
	return rep, nil
}

// loop runs one on g goroutines for d (or, if count > 0, count times in
// all) and returns the number of completed tenancies.
func loop(g int, d time.Duration, count uint64, newWorker func() (func([]uint64) error, func()), ncells int) (uint64, error) {
	var stop atomic.Bool
	var total atomic.Uint64
	var wg sync.WaitGroup
	errc := make(chan error, g)
	for k := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			one, done := newWorker()
			defer done()
			// A call stack of its own cache lines: two goroutines' stacks of
			// a few cells, allocated together, would share one, and every
			// call would move it between their cores.
			stack := make([]uint64, ncells, max(ncells, 16))
			var n uint64
			if count > 0 {
				mine := count / uint64(g)
				if uint64(k) < count%uint64(g) {
					mine++
				}
				for ; n < mine; n++ {
					if err := one(stack); err != nil {
						errc <- err
						break
					}
				}
				total.Add(n)
				return
			}
			for !stop.Load() {
				for range 64 {
					if err := one(stack); err != nil {
						errc <- err
						stop.Store(true)
						break
					}
					n++
				}
			}
			total.Add(n)
		}()
	}
	if count == 0 {
		time.Sleep(d)
		stop.Store(true)
	}
	wg.Wait()
	select {
	case err := <-errc:
		return 0, err
	default:
	}
	return total.Load(), nil
}

func printBench(w io.Writer, rep *benchReport, d time.Duration, rounds int, count uint64) {
	per := fmt.Sprintf("%d rounds of %v per row (medians)", rounds, d)
	if count > 0 {
		per = fmt.Sprintf("%d instances per row", count)
	}
	fmt.Fprintf(w, "wpi bench: %s, instantiate -> %s -> close, %s, GOMAXPROCS=%d\n\n",
		rep.Workload, rep.Call, per, rep.GOMAXPROCS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "goroutines\tinstances/s\tper goroutine\tscaling\t(range)\tminor faults/instance\tbytes reset/instance\t")
	for _, r := range rep.Rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.2fx\t%.2f-%.2f\t%.4f\t%.0f\t\n",
			r.Goroutines, thousands(r.PerSecond), thousands(r.PerGoroutine), r.Scaling,
			slices.Min(r.RoundScaling), slices.Max(r.RoundScaling), r.FaultsPerInst, r.ResetBytesInst)
	}
	tw.Flush()
	st := rep.Pool
	fmt.Fprintf(w, "\npool: %d slots (%d reserved, chunks: %d), %d in use; %d acquires: %d warm, %d fresh; images: %d in place, %d written (%d bytes)\n",
		st.Slots, st.Reserved, st.Chunks, st.InUse, st.Acquires, st.WarmHits, st.Fresh, st.ImageHits, st.ImageWrites, st.ImageBytes)
	fmt.Fprintf(w, "resets: %d memset runs (%d bytes, %d restored from images), %d madvise calls (%d bytes), %d evictions; idle resident <= %d bytes\n",
		st.MemsetRuns, st.MemsetBytes, st.RestoredBytes, st.MadviseCalls, st.MadviseBytes, st.Evictions, st.IdleResident)
}

// importsWASI reports whether cm imports from WASI preview1 (or its
// earlier snapshot).
func importsWASI(cm *instance.CompiledModule) bool {
	for _, imp := range cm.Imports() {
		if imp.Module == wasi.ModuleName || imp.Module == wasi.UnstableModuleName {
			return true
		}
	}
	return false
}

// median returns the median of vs (the mean of the middle two for an
// even count); vs is not modified.
func median(vs []float64) float64 {
	s := slices.Sorted(slices.Values(vs))
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// thousands formats v rounded, with thousands separators.
func thousands(v float64) string {
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
