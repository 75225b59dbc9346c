package engine

import (
	"context"
	"testing"
)

// BenchmarkCall measures a wasm-to-wasm call and return: basic.wasm's
// recursive fib(25) makes 242,785 calls, each with a compare-and-branch
// and an add or two; ns/call is the time per call and return.
func BenchmarkCall(b *testing.B) {
	_, ex := newTestInstance(b, "testdata/basic.wasm")
	f := ex["fib"]
	const n, calls = 25, 242785
	stack := make([]uint64, 1)
	for b.Loop() {
		stack[0] = n
		if err := Call(context.Background(), f, stack, nil); err != nil {
			b.Fatal(err)
		}
	}
	if stack[0] != 75025 {
		b.Fatalf("fib(%d) = %d", n, stack[0])
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/calls, "ns/call")
}
