package instance_test

import (
	"context"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/instance"
)

// BenchmarkCall measures the overhead of calling from Go into wasm and
// from wasm into Go, wpi against wazero's interpreter in the same run:
//
//   - fn=nop: an empty export, called with CallWithStack;
//   - fn=call_nop: an export whose body calls the host function env.nop
//     (both crossings);
//   - fn=call_inc: the same with an i32 param and result each way.
//
// wpi must report 0 allocs/op for each.
func BenchmarkCall(b *testing.B) {
	ctx := context.Background()
	bin := readWasm(b, "calls.wasm")
	for _, fn := range []string{"nop", "call_nop", "call_inc"} {
		b.Run("fn="+fn+"/engine=wpi", func(b *testing.B) {
			rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 1, MemorySlotBytes: 1 << 20})
			if err != nil {
				b.Fatal(err)
			}
			defer rt.Close(ctx)
			if _, err := rt.NewHostModuleBuilder("env").
				NewFunctionBuilder().WithGoModuleFunction(func(context.Context, instance.Instance, []uint64) error { return nil }, nil, nil).Export("nop").
				NewFunctionBuilder().WithGoModuleFunction(func(_ context.Context, _ instance.Instance, s []uint64) error {
				s[0] = api.EncodeI32(api.DecodeI32(s[0]) + 1)
				return nil
			}, []api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).Export("inc").
				Instantiate(ctx); err != nil {
				b.Fatal(err)
			}
			inst, err := rt.InstantiateWasm(ctx, bin, instance.ModuleConfig{})
			if err != nil {
				b.Fatal(err)
			}
			f := inst.ExportedFunction(fn)
			stack := make([]uint64, 1)
			b.ReportAllocs()
			for b.Loop() {
				if err := f.CallWithStack(ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("fn="+fn+"/engine=wazero-interpreter", func(b *testing.B) {
			rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
			defer rt.Close(ctx)
			if _, err := rt.NewHostModuleBuilder("env").
				NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(context.Context, api.Module, []uint64) {}), nil, nil).Export("nop").
				NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, _ api.Module, s []uint64) {
				s[0] = api.EncodeI32(api.DecodeI32(s[0]) + 1)
			}), []api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).Export("inc").
				Instantiate(ctx); err != nil {
				b.Fatal(err)
			}
			mod, err := rt.Instantiate(ctx, bin)
			if err != nil {
				b.Fatal(err)
			}
			f := mod.ExportedFunction(fn)
			stack := make([]uint64, 1)
			b.ReportAllocs()
			for b.Loop() {
				if err := f.CallWithStack(ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkChecks measures what stopping a runaway guest costs on the
// loop-heaviest kernel (loop(1e6): one back-edge per 6 instructions) and
// the call-heaviest (fib(25)):
//
//   - check=background: context.Background (no Done channel: no
//     AfterFunc, the back-edge check reads a flag that is never set);
//   - check=deadline: a context with a deadline (an hour away), so the
//     call registers a context.AfterFunc;
//   - check=fuel: fuel metering on (Instance.SetFuel), with Background.
//
// Compare deadline and fuel against background with benchstat.
func BenchmarkChecks(b *testing.B) {
	bin := readWasm(b, "cpu.wasm")
	for _, c := range []struct {
		fn  string
		arg uint64
	}{{"loop", 1_000_000}, {"fib", 25}} {
		for _, check := range []string{"background", "deadline", "fuel"} {
			b.Run("fn="+c.fn+"/check="+check, func(b *testing.B) {
				ctx := context.Background()
				rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 1, MemorySlotBytes: 1 << 20})
				if err != nil {
					b.Fatal(err)
				}
				defer rt.Close(ctx)
				inst, err := rt.InstantiateWasm(ctx, bin, instance.ModuleConfig{})
				if err != nil {
					b.Fatal(err)
				}
				callCtx := ctx
				if check == "deadline" {
					var cancel context.CancelFunc
					callCtx, cancel = context.WithTimeout(ctx, time.Hour)
					defer cancel()
				}
				f := inst.ExportedFunction(c.fn)
				stack := make([]uint64, 1)
				for b.Loop() {
					if check == "fuel" {
						inst.SetFuel(1 << 62)
					}
					stack[0] = c.arg
					if err := f.CallWithStack(callCtx, stack); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
