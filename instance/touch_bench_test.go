package instance_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wpi-dev/wpi/instance"
)

// BenchmarkTouch measures a tenancy of the 16-page touch module that
// dirties n 4 KiB pages: the reset cost follows n, not the memory size.
func BenchmarkTouch(b *testing.B) {
	ctx := context.Background()
	bin := readWasm(b, "touch.wasm")
	for _, n := range []uint64{0, 1, 16, 256} {
		b.Run(fmt.Sprintf("pages=%d", n), func(b *testing.B) {
			rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 4, MemorySlotBytes: 1 << 20})
			if err != nil {
				b.Fatal(err)
			}
			defer rt.Close(ctx)
			cm, err := rt.Compile(ctx, bin)
			if err != nil {
				b.Fatal(err)
			}
			stack := make([]uint64, 1)
			b.ReportAllocs()
			for b.Loop() {
				inst, err := rt.Instantiate(ctx, cm, instance.ModuleConfig{})
				if err != nil {
					b.Fatal(err)
				}
				stack[0] = n
				if err := inst.ExportedFunction("touch").CallWithStack(ctx, stack); err != nil {
					b.Fatal(err)
				}
				inst.Close(ctx)
			}
		})
	}
}

// BenchmarkStores is store-heavy guest code (1e6 iterations of an i32 and
// an i64 store): scripts/card-cost.sh runs it with and without the
// engine's dirty-card marking to measure what tracking costs.
func BenchmarkStores(b *testing.B) {
	ctx := context.Background()
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 1, MemorySlotBytes: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close(ctx)
	inst, err := rt.InstantiateWasm(ctx, readWasm(b, "stores.wasm"), instance.ModuleConfig{})
	if err != nil {
		b.Fatal(err)
	}
	f := inst.ExportedFunction("stores")
	stack := make([]uint64, 1)
	for b.Loop() {
		stack[0] = 1_000_000
		if err := f.CallWithStack(ctx, stack); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEchoParallel is the echo workload on GOMAXPROCS goroutines
// (b.RunParallel): compare ns/op with -cpu 1,2,... for scaling.
func BenchmarkEchoParallel(b *testing.B) {
	ctx := context.Background()
	rt, err := instance.NewRuntime(ctx, instance.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close(ctx)
	cm, err := rt.Compile(ctx, readWasm(b, "echo.wasm"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		stack := make([]uint64, 2)
		for pb.Next() {
			inst, err := rt.Instantiate(ctx, cm, instance.ModuleConfig{})
			if err != nil {
				b.Fatal(err)
			}
			stack[0], stack[1] = 1, 2
			if err := inst.ExportedFunction("echo").CallWithStack(ctx, stack); err != nil {
				b.Fatal(err)
			}
			inst.Close(ctx)
		}
	})
}
