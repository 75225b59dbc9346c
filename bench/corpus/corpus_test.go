package corpus_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/wpi-dev/wpi/bench/corpus"
	"github.com/wpi-dev/wpi/bench/engines"
)

// TestChecksums runs every program at its small size on wpi and on the
// reference engine (wazero's interpreter) and compares the output lines.
func TestChecksums(t *testing.T) {
	ref := newEngine(t, engines.Reference)
	wpi := newEngine(t, engines.WPI)
	for _, p := range corpus.Programs() {
		t.Run(p.Name, func(t *testing.T) {
			want := run(t, ref, p, p.Small)
			got := run(t, wpi, p, p.Small)
			if got != want {
				t.Errorf("wpi printed %q, %s printed %q", got, engines.Reference, want)
			}
			if !bytes.HasPrefix([]byte(want), []byte(p.Name+" ")) {
				t.Errorf("output %q does not start with the program name", want)
			}
		})
	}
}

func newEngine(tb testing.TB, name string) engines.Engine {
	tb.Helper()
	specs, err := engines.Select(name)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	e, err := specs[0].New(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close(ctx) })
	return e
}

func run(tb testing.TB, e engines.Engine, p corpus.Program, size int) string {
	tb.Helper()
	ctx := context.Background()
	m, err := e.Compile(ctx, p.Wasm)
	if err != nil {
		tb.Fatalf("compile %s: %v", p.Name, err)
	}
	defer m.Close(ctx)
	var out bytes.Buffer
	if err := m.Run(ctx, p.Args(size), &out); err != nil {
		tb.Fatalf("run %s: %v", p.Name, err)
	}
	return out.String()
}

// BenchmarkCorpus times one run (instantiate, _start, close) of each
// program at its default size on each engine; compilation is done once,
// outside the timed loop. Compare commits with benchstat:
//
//	go test -run '^$' -bench 'Corpus/.*/engine=wpi' -count 10 ./corpus > new.txt
func BenchmarkCorpus(b *testing.B) {
	ctx := context.Background()
	for _, p := range corpus.Programs() {
		b.Run("prog="+p.Name, func(b *testing.B) {
			for _, s := range engines.All() {
				b.Run("engine="+s.Name, func(b *testing.B) {
					e, err := s.New(ctx)
					if err != nil {
						b.Skip(err)
					}
					defer e.Close(ctx)
					m, err := e.Compile(ctx, p.Wasm)
					if err != nil {
						b.Fatal(err)
					}
					defer m.Close(ctx)
					args := p.Args(p.Size)
					for b.Loop() {
						if err := m.Run(ctx, args, io.Discard); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
