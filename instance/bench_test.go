package instance_test

import (
	"context"
	"os"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/instance"
)

// Benchmarks of wpi against wazero's interpreter in the same run. Compare
// with benchstat; the ratios are what matters on a noisy machine.
//
//	go test -run '^$' -bench . -count 10 ./instance/ | tee new.txt

func readWasm(b *testing.B, name string) []byte {
	b.Helper()
	bin, err := os.ReadFile("testdata/" + name)
	if err != nil {
		b.Fatal(err)
	}
	return bin
}

// BenchmarkEchoInstantiate measures instantiate -> call echo(i32,i32) ->
// close of the echo workload (2 pages, 1 KiB data, a global, a table).
func BenchmarkEchoInstantiate(b *testing.B) {
	ctx := context.Background()
	bin := readWasm(b, "echo.wasm")
	b.Run("engine=wpi", func(b *testing.B) {
		rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 16, MemorySlotBytes: 1 << 20})
		if err != nil {
			b.Fatal(err)
		}
		defer rt.Close(ctx)
		cm, err := rt.Compile(ctx, bin)
		if err != nil {
			b.Fatal(err)
		}
		stack := make([]uint64, 2)
		b.ReportAllocs()
		for b.Loop() {
			inst, err := rt.Instantiate(ctx, cm, instance.ModuleConfig{})
			if err != nil {
				b.Fatal(err)
			}
			stack[0], stack[1] = 1, 2
			if err := inst.ExportedFunction("echo").CallWithStack(ctx, stack); err != nil || stack[0] != 1 {
				b.Fatal(err, stack[0])
			}
			if err := inst.Close(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("engine=wazero-interpreter", func(b *testing.B) {
		rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
		defer rt.Close(ctx)
		cm, err := rt.CompileModule(ctx, bin)
		if err != nil {
			b.Fatal(err)
		}
		cfg := wazero.NewModuleConfig().WithName("")
		stack := make([]uint64, 2)
		b.ReportAllocs()
		for b.Loop() {
			mod, err := rt.InstantiateModule(ctx, cm, cfg)
			if err != nil {
				b.Fatal(err)
			}
			stack[0], stack[1] = 1, 2
			if err := mod.ExportedFunction("echo").CallWithStack(ctx, stack); err != nil || stack[0] != 1 {
				b.Fatal(err, stack[0])
			}
			if err := mod.Close(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCPU measures CPU-bound guest code: loop(1e6) (arithmetic in a
// loop) and fib(25) (calls), per call.
func BenchmarkCPU(b *testing.B) {
	ctx := context.Background()
	bin := readWasm(b, "cpu.wasm")
	cases := []struct {
		fn  string
		arg uint64
	}{{"loop", 1_000_000}, {"fib", 25}}
	for _, c := range cases {
		b.Run("fn="+c.fn+"/engine=wpi", func(b *testing.B) {
			rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 1, MemorySlotBytes: 1 << 20})
			if err != nil {
				b.Fatal(err)
			}
			defer rt.Close(ctx)
			inst, err := rt.InstantiateWasm(ctx, bin, instance.ModuleConfig{})
			if err != nil {
				b.Fatal(err)
			}
			f := inst.ExportedFunction(c.fn)
			stack := make([]uint64, 1)
			for b.Loop() {
				stack[0] = c.arg
				if err := f.CallWithStack(ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("fn="+c.fn+"/engine=wazero-interpreter", func(b *testing.B) {
			rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
			defer rt.Close(ctx)
			mod, err := rt.Instantiate(ctx, bin)
			if err != nil {
				b.Fatal(err)
			}
			f := mod.ExportedFunction(c.fn)
			stack := make([]uint64, 1)
			for b.Loop() {
				stack[0] = c.arg
				if err := f.CallWithStack(ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCPUResults checks that the benchmark kernels compute the same as Go.
func TestCPUResults(t *testing.T) {
	ctx := context.Background()
	inst, _ := instantiateTestdata(t, "cpu.wasm")
	var s uint32
	for i := uint32(0); i < 100000; i++ {
		s += (i * 3) ^ (i >> 1)
	}
	fib := func(n int) uint32 {
		a, b := uint32(0), uint32(1)
		for ; n > 0; n-- {
			a, b = b, a+b
		}
		return a
	}
	for _, c := range []struct {
		fn        string
		arg, want uint64
	}{{"loop", 100000, uint64(s)}, {"fib", 20, uint64(fib(20))}} {
		res, err := inst.ExportedFunction(c.fn).Call(ctx, c.arg)
		if err != nil {
			t.Fatal(err)
		}
		if got := api.DecodeU32(res[0]); uint64(got) != c.want {
			t.Errorf("%s(%d) = %d, want %d", c.fn, c.arg, got, c.want)
		}
	}
}

// BenchmarkBulk measures memory.fill and memory.copy of 1 MiB, and a SIMD
// loop (i8x16.add over 1 MiB), against wazero's interpreter.
func BenchmarkBulk(b *testing.B) {
	ctx := context.Background()
	bin := readWasm(b, "bulk.wasm")
	const mib = 1 << 20
	for _, fn := range []string{"fill", "copy", "add8", "add8scalar"} {
		b.Run("fn="+fn+"/engine=wpi", func(b *testing.B) {
			rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 1, MemorySlotBytes: 4 << 20})
			if err != nil {
				b.Fatal(err)
			}
			defer rt.Close(ctx)
			inst, err := rt.InstantiateWasm(ctx, bin, instance.ModuleConfig{})
			if err != nil {
				b.Fatal(err)
			}
			f := inst.ExportedFunction(fn)
			stack := make([]uint64, 1)
			b.SetBytes(mib)
			for b.Loop() {
				stack[0] = mib
				if err := f.CallWithStack(ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("fn="+fn+"/engine=wazero-interpreter", func(b *testing.B) {
			rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
			defer rt.Close(ctx)
			mod, err := rt.Instantiate(ctx, bin)
			if err != nil {
				b.Fatal(err)
			}
			f := mod.ExportedFunction(fn)
			stack := make([]uint64, 1)
			b.SetBytes(mib)
			for b.Loop() {
				stack[0] = mib
				if err := f.CallWithStack(ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
