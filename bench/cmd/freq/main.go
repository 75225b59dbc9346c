// Command freq counts the instructions wpi's interpreter executes, and
// adjacent pairs and triples of them, over CoreMark, the corpus programs
// and the Go wasip1 program, and prints the frequency tables in Markdown.
// It must be built with the wpiprofile tag (scripts/freq.sh does):
//
//	go run -tags wpiprofile ./cmd/freq [-small] [-coremark-iterations N] > ../engine/testdata/freq.md
//
// Shares are per workload; the "all" tables average each workload's
// shares, so that a long-running program does not drown the others.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"

	"github.com/wpi-dev/wpi/bench/corpus"
	"github.com/wpi-dev/wpi/bench/engines"
	"github.com/wpi-dev/wpi/engine"
)

var (
	small    = flag.Bool("small", false, "run the corpus programs and goprog at their small sizes")
	cmIters  = flag.Int("coremark-iterations", 200, "CoreMark iterations")
	progs    = flag.String("progs", "", "regexp selecting workloads by name")
	top      = flag.Int("top", 30, "rows per table")
	goprogOn = flag.Bool("goprog", true, "build and run the Go wasip1 program (needs the go command)")
)

type workload struct {
	name string
	wasm []byte
	args []string
}

func main() {
	flag.Parse()
	if !engine.ProfileEnabled {
		fatal(fmt.Errorf("built without the wpiprofile tag: run go run -tags wpiprofile ./cmd/freq"))
	}
	ctx := context.Background()
	var filter *regexp.Regexp
	if *progs != "" {
		filter = regexp.MustCompile(*progs)
	}
	var list []workload
	if wasm, path, err := corpus.CoreMark(); err != nil {
		fmt.Fprintln(os.Stderr, "freq: skipping CoreMark:", err)
	} else {
		fmt.Fprintln(os.Stderr, "CoreMark from", path)
		list = append(list, workload{"coremark", wasm, corpus.CoreMarkArgs(*cmIters)})
	}
	for _, p := range corpus.Programs() {
		size := p.Size
		if *small {
			size = p.Small
		}
		list = append(list, workload{p.Name, p.Wasm, p.Args(size)})
	}
	if *goprogOn {
		dir, err := os.MkdirTemp("", "wpi-freq")
		if err != nil {
			fatal(err)
		}
		defer os.RemoveAll(dir)
		if m, err := corpus.GoProgram(ctx, dir); err != nil {
			fmt.Fprintln(os.Stderr, "freq: skipping goprog:", err)
		} else {
			size := corpus.GoSize
			if *small {
				size = corpus.GoSmall
			}
			list = append(list, workload{"goprog", m.Wasm, []string{"goprog", fmt.Sprint(size)}})
		}
	}
	specs, err := engines.Select("wpi")
	if err != nil {
		fatal(err)
	}
	eng, err := specs[0].New(ctx)
	if err != nil {
		fatal(err)
	}
	defer eng.Close(ctx)

	type result struct {
		name  string
		p     engine.Profile
		total uint64
	}
	var results []result
	for _, w := range list {
		if filter != nil && !filter.MatchString(w.name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "running %v ...\n", w.args)
		m, err := eng.Compile(ctx, w.wasm)
		if err != nil {
			fatal(fmt.Errorf("%s: %v", w.name, err))
		}
		engine.TakeProfile() // drop what compilation or a start function ran
		var out bytes.Buffer
		if err := m.Run(ctx, w.args, &out); err != nil {
			fatal(fmt.Errorf("%s: %v", w.name, err))
		}
		m.Close(ctx)
		p := engine.TakeProfile()
		var total uint64
		for _, n := range p.Ops {
			total += n
		}
		results = append(results, result{w.name, p, total})
	}

	fmt.Println("# Instruction frequencies of wpi's interpreter")
	fmt.Println()
	fmt.Println("Written by scripts/freq.sh (bench/cmd/freq, built with -tags wpiprofile).")
	fmt.Println("A pair or triple counts instructions that ran one after the other *and*")
	fmt.Println("follow each other in the code (what a fused instruction could replace).")
	fmt.Println("\"all\" averages each workload's shares (its count column is that average in")
	fmt.Println("parts per 10^9).")
	fmt.Println()
	fmt.Println("| workload | arguments | instructions |")
	fmt.Println("| --- | --- | ---: |")
	for i, r := range results {
		fmt.Printf("| %s | %v | %d |\n", r.name, list[i].args[1:], r.total)
	}
	avg := func(get func(engine.Profile) map[string]uint64) map[string]uint64 {
		// Shares in parts per 10^9, averaged.
		sum := map[string]float64{}
		for _, r := range results {
			for k, n := range get(r.p) {
				sum[k] += float64(n) / float64(max(r.total, 1))
			}
		}
		out := map[string]uint64{}
		for k, s := range sum {
			out[k] = uint64(s / float64(len(results)) * 1e9)
		}
		return out
	}
	section := func(title string, counts map[string]uint64, total uint64, n int) {
		fmt.Printf("\n## %s\n\n| # | instructions | count | share |\n| ---: | --- | ---: | ---: |\n", title)
		engine.WriteTop(os.Stdout, counts, total, n)
	}
	section("all: instructions", avg(func(p engine.Profile) map[string]uint64 { return p.Ops }), 1e9, *top)
	section("all: adjacent pairs", avg(func(p engine.Profile) map[string]uint64 { return p.Pairs }), 1e9, *top)
	section("all: adjacent triples", avg(func(p engine.Profile) map[string]uint64 { return p.Triples }), 1e9, *top)
	sort.SliceStable(results, func(i, j int) bool { return results[i].name == "coremark" && results[j].name != "coremark" })
	for _, r := range results {
		section(r.name+": instructions", r.p.Ops, r.total, 15)
		section(r.name+": adjacent pairs", r.p.Pairs, r.total, 15)
		section(r.name+": adjacent triples", r.p.Triples, r.total, 10)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "freq:", err)
	os.Exit(1)
}
