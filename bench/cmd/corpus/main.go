// Command corpus runs wpi's benchmark corpus on wpi and on the engines it
// is compared with, in one run, and prints Markdown tables:
//
//   - run time: the median wall time of a run (instantiate, _start, close;
//     compilation excluded) of each program at its default size, and each
//     engine's time as a ratio of wazero's interpreter's, with geomean and
//     max rows;
//   - CoreMark 1.0 (the team's build, outside the repository: see
//     corpus.CoreMark; skipped with a message if missing), in a table of
//     its own with iterations/s, not counted in the corpus geomean;
//   - compile time: the median time to compile each large module (decode,
//     validation and translation: Runtime.Compile for wpi, CompileModule
//     for wazero, Module.New for Wasmtime), ratios against wazero's
//     interpreter, and wpi's IR size.
//
// Usage, from the bench module:
//
//	go run ./cmd/corpus [-reps 5] [-engines wpi,wazero-interp] [-progs 'fib|sieve'] [-compile=false]
//
// Repetitions are interleaved (each round runs every engine once, in a
// rotating order) so that drift in machine speed spreads over all engines.
// Every run's stdout must equal the reference engine's first output; a
// mismatch is reported on stderr, marked in the table, and makes the command
// exit 1.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/bench/corpus"
	"github.com/wpi-dev/wpi/bench/engines"
	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
)

var (
	reps         = flag.Int("reps", 5, "runs per program and engine (the median is reported)")
	engineList   = flag.String("engines", "", "comma-separated engines (default all: "+engineNames()+")")
	progs        = flag.String("progs", "", "regexp selecting programs and large modules by name")
	small        = flag.Bool("small", false, "run the programs at their small (test) sizes")
	runTable     = flag.Bool("run", true, "measure run time of the corpus programs")
	compileTable = flag.Bool("compile", true, "measure compile time and IR size on the large modules")
	compileReps  = flag.Int("compile-reps", 5, "compilations per module and engine (fewer once an engine has spent -compile-budget on a module)")
	budget       = flag.Duration("compile-budget", 20*time.Second, "time after which an engine's compile repetitions on one module stop")
	goprog       = flag.Bool("goprog", true, "build the Go wasip1 program (needs the go command), compile it and run it as a program too")
	wazeroDir    = flag.String("wazero-dir", "", "wazero's module directory (default: go list -m)")
)

func engineNames() string {
	var names []string
	for _, s := range engines.All() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ",")
}

func main() {
	flag.Parse()
	ctx := context.Background()
	specs, err := engines.Select(*engineList)
	if err != nil {
		fatal(err)
	}
	var filter *regexp.Regexp
	if *progs != "" {
		if filter, err = regexp.Compile(*progs); err != nil {
			fatal(err)
		}
	}
	selected := func(name string) bool { return filter == nil || filter.MatchString(name) }

	var goMod *corpus.Module
	if *goprog && (selected("goprog") || *compileTable) {
		dir, err := os.MkdirTemp("", "wpi-corpus")
		if err != nil {
			fatal(err)
		}
		defer os.RemoveAll(dir)
		fmt.Fprintln(os.Stderr, "building goprog (GOOS=wasip1) ...")
		m, err := corpus.GoProgram(ctx, dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "corpus:", err)
		} else {
			goMod = &m
		}
	}

	failed := false
	if *runTable {
		var list []program
		for _, p := range corpus.Programs() {
			if selected(p.Name) {
				size := p.Size
				if *small {
					size = p.Small
				}
				list = append(list, program{name: p.Name, wasm: p.Wasm, args: p.Args(size)})
			}
		}
		if goMod != nil && selected("goprog") {
			size := corpus.GoSize
			if *small {
				size = corpus.GoSmall
			}
			list = append(list, program{name: "goprog", wasm: goMod.Wasm, args: []string{"goprog", fmt.Sprint(size)}})
		}
		if ok, _ := runPrograms(ctx, specs, list, "Run time"); !ok {
			failed = true
		}
		if selected("coremark") && !runCoreMark(ctx, specs) {
			failed = true
		}
	}
	if *compileTable {
		mods, err := corpus.WazeroModules(ctx, *wazeroDir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "corpus:", err)
			failed = true
		}
		if goMod != nil {
			mods = append([]corpus.Module{*goMod}, mods...)
		}
		var list []corpus.Module
		for _, m := range mods {
			if selected(m.Name) || selected("goprog") && strings.HasPrefix(m.Name, "goprog") {
				list = append(list, m)
			}
		}
		if !compileModules(ctx, specs, list) {
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "corpus:", err)
	os.Exit(2)
}

type program struct {
	name string
	wasm []byte
	args []string
	// check, if set, keeps the part of the output that must be equal
	// under every engine.
	check func([]byte) []byte
}

// cell is one engine's result on one program or module.
type cell struct {
	d        time.Duration // median; 0 if it failed
	n        int           // repetitions measured
	cut      bool          // fewer repetitions than asked (compile budget)
	mismatch bool
	err      error
}

// refIndex is the column ratios are computed against: wazero's
// interpreter if selected, else the first engine.
func refIndex(specs []engines.Spec) int {
	for i, s := range specs {
		if s.Name == engines.Reference {
			return i
		}
	}
	return 0
}

// runCoreMark runs CoreMark (see corpus.CoreMark; skipped with a message
// if it is not there) like a corpus program, in a table of its own with
// each engine's iterations per second.
func runCoreMark(ctx context.Context, specs []engines.Spec) bool {
	wasm, path, err := corpus.CoreMark()
	if err != nil {
		fmt.Fprintln(os.Stderr, "corpus: skipping CoreMark:", err)
		return true
	}
	n := corpus.CoreMarkIterations
	if *small {
		n = corpus.CoreMarkSmall
	}
	fmt.Fprintln(os.Stderr, "CoreMark from", path)
	p := program{name: "coremark", wasm: wasm, args: corpus.CoreMarkArgs(n), check: corpus.CoreMarkChecksum}
	ok, rows := runPrograms(ctx, specs, []program{p}, fmt.Sprintf("CoreMark 1.0, %d iterations", n))
	line := []string{"iterations/s"}
	for _, c := range rows[0] {
		if c.err != nil || c.d == 0 {
			line = append(line, "–")
			continue
		}
		line = append(line, fmt.Sprintf("%.0f", float64(n)/c.d.Seconds()))
	}
	fmt.Println("| " + strings.Join(line, " | ") + " |")
	fmt.Println("\nIterations/s count the whole run (instantiation included), so they are a little below CoreMark's own figure.")
	return ok
}

func runPrograms(ctx context.Context, specs []engines.Spec, list []program, title string) (bool, [][]cell) {
	ok := true
	engs := make([]engines.Engine, len(specs))
	for i, s := range specs {
		e, err := s.New(ctx)
		if err != nil {
			fmt.Fprintf(os.Stderr, "corpus: engine %s: %v\n", s.Name, err)
			ok = false
			continue
		}
		defer e.Close(ctx)
		engs[i] = e
	}
	ref := refIndex(specs)
	rows := make([][]cell, len(list))
	for pi, p := range list {
		fmt.Fprintf(os.Stderr, "running %s %s ...\n", p.name, strings.Join(p.args[1:], " "))
		row := make([]cell, len(specs))
		mods := make([]engines.Module, len(specs))
		for i, e := range engs {
			if e == nil {
				row[i].err = fmt.Errorf("engine unavailable")
				continue
			}
			m, err := e.Compile(ctx, p.wasm)
			if err != nil {
				row[i].err = err
				continue
			}
			mods[i] = m
		}
		times := make([][]time.Duration, len(specs))
		var want []byte
		var wantFrom string
		var out bytes.Buffer
		for r := 0; r < *reps; r++ {
			for k := range specs {
				// The reference goes first in round 0, so its output is
				// the one every run is checked against.
				i := (k + r + ref) % len(specs)
				if mods[i] == nil || row[i].err != nil {
					continue
				}
				out.Reset()
				// As testing.B does before each benchmark: the garbage
				// of the engine that ran before is not collected (nor
				// its marking's write barriers paid) during this run.
				runtime.GC()
				start := time.Now()
				err := mods[i].Run(ctx, p.args, &out)
				d := time.Since(start)
				if err != nil {
					row[i].err = err
					continue
				}
				times[i] = append(times[i], d)
				got := out.Bytes()
				if p.check != nil {
					got = p.check(got)
				}
				if want == nil {
					want, wantFrom = bytes.Clone(got), specs[i].Name
				} else if !bytes.Equal(got, want) && !row[i].mismatch {
					row[i].mismatch = true
					fmt.Fprintf(os.Stderr, "CHECKSUM MISMATCH: %s on %s printed %q, %s printed %q\n",
						p.name, specs[i].Name, got, wantFrom, want)
				}
			}
		}
		for i := range specs {
			if mods[i] != nil {
				mods[i].Close(ctx)
			}
			row[i].d, row[i].n = median(times[i]), len(times[i])
			if row[i].err != nil {
				fmt.Fprintf(os.Stderr, "corpus: %s on %s: %v\n", p.name, specs[i].Name, row[i].err)
				ok = false
			}
			if row[i].mismatch {
				ok = false
			}
		}
		if want != nil {
			fmt.Fprintf(os.Stderr, "  %s", want)
		}
		rows[pi] = row
	}
	names := make([]string, len(list))
	for i, p := range list {
		names[i] = p.name
	}
	fmt.Printf("\n### %s (median of %d, %s)\n\n", title, *reps, sizeNote())
	printTable("program", specs, names, rows)
	return ok, rows
}

func sizeNote() string {
	if *small {
		return "small sizes"
	}
	return "default sizes"
}

// nonce makes each compilation's input distinct, so that no engine (nor
// wpi's validation cache, keyed by the binary's hash) answers from a cache:
// it appends a custom section holding a counter, which every engine skips.
var nonceCounter uint64

func withNonce(wasm []byte) []byte {
	nonceCounter++
	name := "wpi-bench-nonce"
	payload := binary.LittleEndian.AppendUint64(nil, nonceCounter)
	body := append(binary.AppendUvarint(nil, uint64(len(name))), name...)
	body = append(body, payload...)
	out := append(bytes.Clone(wasm), 0)
	out = binary.AppendUvarint(out, uint64(len(body)))
	return append(out, body...)
}

// irStats decodes and translates wasm with wpi's packages directly (what
// instance.Runtime.Compile does, minus the module's bookkeeping) and returns
// the time of each phase, the IR size in bytes (8 per instruction word)
// and the size of the function bodies in the binary.
func irStats(wasm []byte) (decode, translate time.Duration, irBytes, codeBytes, funcs int, err error) {
	bin := withNonce(wasm)
	start := time.Now()
	dm, err := decoder.Decode(bin, api.CoreFeaturesV2)
	if err != nil {
		return
	}
	decode = time.Since(start)
	start = time.Now()
	em, err := engine.Compile(dm)
	if err != nil {
		return
	}
	translate = time.Since(start)
	for _, c := range em.Codes {
		irBytes += len(c.Words) * 8
	}
	for _, c := range dm.Code {
		codeBytes += len(c.Body)
	}
	return decode, translate, irBytes, codeBytes, len(dm.Code), nil
}

// more reports whether to compile again after r compilations taking spent:
// at least -compile-reps (unless -compile-budget is spent), and more of a
// small module, until minSpend or maxReps, to steady its median.
func more(r int, spent time.Duration) bool {
	switch {
	case r == 0:
		return true
	case spent >= *budget:
		return false
	case r < *compileReps:
		return true
	}
	return spent < minSpend && r < maxReps
}

const (
	minSpend = 300 * time.Millisecond
	maxReps  = 51
)

// warmLimit is the module size below which compile timing starts with an
// untimed warm-up compilation.
const warmLimit = 1 << 20

func compileModules(ctx context.Context, specs []engines.Spec, list []corpus.Module) bool {
	ok := true
	rows := make([][]cell, len(list))
	type irRow struct {
		decode, translate         time.Duration
		irBytes, codeBytes, funcs int
		err                       error
	}
	irs := make([]irRow, len(list))
	for mi, m := range list {
		fmt.Fprintf(os.Stderr, "compiling %s (%d bytes) ...\n", m.Name, len(m.Wasm))
		row := make([]cell, len(specs))
		for i, s := range specs {
			e, err := s.New(ctx)
			if err != nil {
				row[i].err = err
				continue
			}
			if len(m.Wasm) < warmLimit {
				// One untimed compilation first: the first in a
				// process pays one-time costs (heap growth, lazy
				// initialization) that would dominate a small module.
				if cm, err := e.Compile(ctx, withNonce(m.Wasm)); err == nil {
					cm.Close(ctx)
				}
			}
			var times []time.Duration
			var spent time.Duration
			for r := 0; more(r, spent); r++ {
				bin := withNonce(m.Wasm)
				start := time.Now()
				cm, err := e.Compile(ctx, bin)
				d := time.Since(start)
				spent += d
				if err != nil {
					row[i].err = err
					break
				}
				cm.Close(ctx)
				times = append(times, d)
			}
			e.Close(ctx)
			row[i].d, row[i].n = median(times), len(times)
			row[i].cut = len(times) < *compileReps
			if row[i].err != nil {
				fmt.Fprintf(os.Stderr, "corpus: compile %s on %s: %v\n", m.Name, s.Name, row[i].err)
				ok = false
			}
		}
		rows[mi] = row
		var ir irRow
		var decodes, translates []time.Duration
		var spent time.Duration
		for r := 0; more(r, spent) && ir.err == nil; r++ {
			ir.decode, ir.translate, ir.irBytes, ir.codeBytes, ir.funcs, ir.err = irStats(m.Wasm)
			decodes, translates = append(decodes, ir.decode), append(translates, ir.translate)
			spent += ir.decode + ir.translate
		}
		ir.decode, ir.translate = median(decodes), median(translates)
		if ir.err != nil {
			fmt.Fprintf(os.Stderr, "corpus: wpi IR of %s: %v\n", m.Name, ir.err)
			ok = false
		}
		irs[mi] = ir
	}
	names := make([]string, len(list))
	for i, m := range list {
		names[i] = fmt.Sprintf("%s (%s)", m.Name, kib(len(m.Wasm)))
	}
	fmt.Printf("\n### Compile time (median of %d or more; decode, validation, translation)\n\n", *compileReps)
	printTable("module", specs, names, rows)

	fmt.Printf("\n### wpi compile phases and IR size\n\n")
	fmt.Println("| module | functions | code bytes | decode+validate | translate | IR size | IR / code |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for i, m := range list {
		ir := irs[i]
		if ir.err != nil {
			fmt.Printf("| %s | error: %v | | | | | |\n", m.Name, ir.err)
			continue
		}
		fmt.Printf("| %s | %d | %s | %s | %s | %s | %.1fx |\n", m.Name, ir.funcs, kib(ir.codeBytes),
			dur(ir.decode), dur(ir.translate), kib(ir.irBytes), float64(ir.irBytes)/float64(ir.codeBytes))
	}
	fmt.Println("\nIR size is 8 bytes per instruction word of every translated function body. " +
		"Every compilation is cold: its input gets a fresh custom section, so no engine " +
		"(nor wpi's validation cache) answers from a cache.")
	return ok
}

// printTable prints one row per name: each engine's median, then each
// other engine's ratio against the reference column, then geomean and
// max rows over the ratios.
func printTable(first string, specs []engines.Spec, names []string, rows [][]cell) {
	ref := refIndex(specs)
	var others []int
	for i := range specs {
		if i != ref {
			others = append(others, i)
		}
	}
	head := []string{first}
	align := []string{"---"}
	for _, s := range specs {
		head = append(head, s.Name)
		align = append(align, "---:")
	}
	for _, i := range others {
		head = append(head, specs[i].Name+" / "+specs[ref].Name)
		align = append(align, "---:")
	}
	fmt.Println("| " + strings.Join(head, " | ") + " |")
	fmt.Println("| " + strings.Join(align, " | ") + " |")

	logSum := make([]float64, len(specs))   // of times, per engine
	logN := make([]int, len(specs))         //
	ratioLog := make([]float64, len(specs)) // of ratios, per engine
	ratioN := make([]int, len(specs))
	ratioMax := make([]float64, len(specs))
	for ri, row := range rows {
		line := []string{names[ri]}
		for i, c := range row {
			line = append(line, cellText(c))
			if c.err == nil && c.d > 0 {
				logSum[i] += math.Log(c.d.Seconds())
				logN[i]++
			}
		}
		for _, i := range others {
			c, r := row[i], row[ref]
			if c.err != nil || r.err != nil || c.d == 0 || r.d == 0 {
				line = append(line, "–")
				continue
			}
			x := c.d.Seconds() / r.d.Seconds()
			ratioLog[i] += math.Log(x)
			ratioN[i]++
			ratioMax[i] = max(ratioMax[i], x)
			line = append(line, fmt.Sprintf("%.3fx", x))
		}
		fmt.Println("| " + strings.Join(line, " | ") + " |")
	}
	geo := []string{"**geomean**"}
	mx := []string{"**max**"}
	for i := range specs {
		if logN[i] == 0 {
			geo = append(geo, "–")
		} else {
			geo = append(geo, dur(time.Duration(math.Exp(logSum[i]/float64(logN[i]))*float64(time.Second))))
		}
		mx = append(mx, "")
	}
	for _, i := range others {
		if ratioN[i] == 0 {
			geo = append(geo, "–")
			mx = append(mx, "–")
			continue
		}
		geo = append(geo, fmt.Sprintf("**%.3fx**", math.Exp(ratioLog[i]/float64(ratioN[i]))))
		mx = append(mx, fmt.Sprintf("%.3fx", ratioMax[i]))
	}
	fmt.Println("| " + strings.Join(geo, " | ") + " |")
	fmt.Println("| " + strings.Join(mx, " | ") + " |")
}

func cellText(c cell) string {
	switch {
	case c.err != nil:
		return "error"
	case c.mismatch:
		return dur(c.d) + " **MISMATCH**"
	case c.cut:
		return fmt.Sprintf("%s (n=%d)", dur(c.d), c.n)
	}
	return dur(c.d)
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func dur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.0f µs", float64(d)/1e3)
}

func kib(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
}
