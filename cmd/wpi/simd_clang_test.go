package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestClangSIMD runs a C program built by clang with -mbulk-memory and
// -msimd128 (testdata/simd.c: memory.fill, memory.copy, i8x16/i16x8/i32x4/
// f32x4 arithmetic, shuffles, dot products) and wants the same output and
// exit code as under wazero.
func TestClangSIMD(t *testing.T) {
	for _, args := range [][]string{{"1"}, {"37"}, {"200"}} {
		tc := diffCase{name: "simd", wasm: td("simd.wasm"), args: args}
		want := runWazero(t, tc)
		got := runWpi(t, tc)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("simd.wasm %v: (-wazero +wpi)\n%s", args, d)
		}
		if want.Stdout == "" {
			t.Errorf("simd.wasm %v printed nothing", args)
		}
	}
}
