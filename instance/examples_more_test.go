package instance_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/instance"
)

// must panics on an error: examples only.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Compile once, instantiate many times: each instance gets a slot of the
// pool (reset and returned by Close), the compiled code is shared.
func ExampleRuntime_Instantiate() {
	ctx := context.Background()
	rt := must(instance.NewRuntime(ctx, instance.Config{MemorySlots: 4, MemorySlotBytes: 1 << 20}))
	defer rt.Close(ctx)
	cm := must(rt.Compile(ctx, must(os.ReadFile("testdata/cpu.wasm"))))

	for n := range 3 {
		inst := must(rt.Instantiate(ctx, cm, instance.ModuleConfig{}))
		res := must(inst.ExportedFunction("fib").Call(ctx, api.EncodeI32(int32(10+n))))
		fmt.Println(api.DecodeI32(res[0]))
		inst.Close(ctx) // back to the pool, ready for the next instance
	}
	fmt.Println("slots in use:", rt.PoolStats().InUse)
	// Output:
	// 55
	// 89
	// 144
	// slots in use: 0
}

// Go reads and writes the guest's memory through bounds-checked
// accessors; writes are tracked, so Close resets exactly those pages.
func ExampleMemory() {
	ctx := context.Background()
	rt := must(instance.NewRuntime(ctx, instance.Config{MemorySlots: 1, MemorySlotBytes: 1 << 20}))
	defer rt.Close(ctx)
	inst := must(rt.InstantiateWasm(ctx, must(os.ReadFile("testdata/sum.wasm")), instance.ModuleConfig{}))
	defer inst.Close(ctx)

	mem := inst.Memory()
	for i, v := range []uint32{1, 2, 3, 4} {
		mem.WriteUint32Le(uint32(1024+4*i), v)
	}
	res := must(inst.ExportedFunction("sum").Call(ctx, api.EncodeU32(1024), api.EncodeU32(4)))
	fmt.Println("sum:", api.DecodeU32(res[0]))

	_, ok := mem.ReadUint32Le(uint32(mem.Size() - 2)) // straddles the end
	fmt.Println("read past the end:", ok)
	// Output:
	// sum: 10
	// read past the end: false
}

// Fuel bounds the work a call may do, deterministically: one unit per
// loop back-edge and per call. The call stops with ErrTrapFuelExhausted;
// refuel and go on.
func ExampleInstance_SetFuel() {
	ctx := context.Background()
	rt := must(instance.NewRuntime(ctx, instance.Config{MemorySlots: 1, MemorySlotBytes: 1 << 20}))
	defer rt.Close(ctx)
	inst := must(rt.InstantiateWasm(ctx, must(os.ReadFile("testdata/cpu.wasm")), instance.ModuleConfig{}))
	defer inst.Close(ctx)
	loop := inst.ExportedFunction("loop") // loop(n): n iterations

	inst.SetFuel(1000)
	_, err := loop.Call(ctx, 5000)
	fmt.Println(errors.Is(err, instance.ErrTrapFuelExhausted))

	inst.AddFuel(10_000)
	_, err = loop.Call(ctx, 5000)
	left, _ := inst.Fuel()
	fmt.Println(err, left)
	// Output:
	// true
	// <nil> 5000
}

// A context deadline stops a guest that never returns, even in a loop
// without calls; the instance (and its slot) stays usable.
func Example_deadline() {
	ctx := context.Background()
	rt := must(instance.NewRuntime(ctx, instance.Config{MemorySlots: 1, MemorySlotBytes: 1 << 20}))
	defer rt.Close(ctx)
	inst := must(rt.InstantiateWasm(ctx, must(os.ReadFile("testdata/cpu.wasm")), instance.ModuleConfig{}))
	defer inst.Close(ctx)

	tctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	_, err := inst.ExportedFunction("loop").Call(tctx, api.EncodeU32(1<<31)) // ~half a minute
	fmt.Println(errors.Is(err, instance.ErrTrapInterrupted), errors.Is(err, context.DeadlineExceeded))
	// Output: true true
}

// The typed layer: host functions as ordinary Go functions, and exported
// functions called with Go values. Signatures are checked once; calls
// allocate nothing.
func ExampleHostFunc2() {
	ctx := context.Background()
	rt := must(instance.NewRuntime(ctx, instance.Config{MemorySlots: 1, MemorySlotBytes: 1 << 20}))
	defer rt.Close(ctx)

	add := instance.HostFunc2(func(_ context.Context, _ instance.Instance, x, y int32) (int32, error) {
		return x + y, nil
	})
	must(rt.NewHostModuleBuilder("env").NewFunctionBuilder().WithHostFunction(add).Export("add").Instantiate(ctx))
	inst := must(rt.InstantiateWasm(ctx, must(os.ReadFile("testdata/host_call.wasm")), instance.ModuleConfig{}))
	defer inst.Close(ctx)

	callAdd := must(instance.NewTypedFunc2[int32, int32, int32](inst.ExportedFunction("call_add")))
	fmt.Println(must(callAdd.Call(ctx, 40, 2)))
	// Output: 42
}

// logKey is the key of the per-instance log in the host value example.
type logKey struct{}

// Per-instance host state: each instance created with the ModuleConfig
// gets its own buffer, which the host function finds on its caller.
func ExampleModuleConfig_WithValueFunc() {
	ctx := context.Background()
	rt := must(instance.NewRuntime(ctx, instance.Config{MemorySlots: 2, MemorySlotBytes: 1 << 20}))
	defer rt.Close(ctx)

	log := func(_ context.Context, caller instance.Instance, stack []uint64) error {
		msg, ok := caller.Memory().Read(api.DecodeU32(stack[0]), api.DecodeU32(stack[1]))
		if !ok {
			return errors.New("log: out of range")
		}
		caller.Value(logKey{}).(*bytes.Buffer).Write(msg)
		return nil
	}
	i32 := api.ValueTypeI32
	must(rt.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithGoModuleFunction(log, []api.ValueType{i32, i32}, nil).Export("log").Instantiate(ctx))

	var bufs []*bytes.Buffer
	mc := instance.ModuleConfig{}.WithValueFunc(logKey{},
		func(context.Context) (any, error) { b := new(bytes.Buffer); bufs = append(bufs, b); return b, nil },
		func(v any) { fmt.Printf("closing a log of %d bytes\n", v.(*bytes.Buffer).Len()) })
	cm := must(rt.Compile(ctx, must(os.ReadFile("testdata/greet.wasm"))))
	a := must(rt.Instantiate(ctx, cm, mc))
	b := must(rt.Instantiate(ctx, cm, mc))
	must(a.ExportedFunction("greet").Call(ctx))
	must(a.ExportedFunction("greet").Call(ctx))
	must(b.ExportedFunction("greet").Call(ctx))
	fmt.Printf("%q\n%q\n", bufs[0], bufs[1])
	a.Close(ctx)
	b.Close(ctx)
	// Output:
	// "hello from wasmhello from wasm"
	// "hello from wasm"
	// closing a log of 30 bytes
	// closing a log of 15 bytes
}

// Handles are values: a missing export is a nil Function (IsNil, where
// wazero returns nil), and a handle kept past Close refuses to work, even
// once the instance's recycled state serves another instance.
func ExampleInstance_ExportedFunction() {
	ctx := context.Background()
	rt := must(instance.NewRuntime(ctx, instance.Config{MemorySlots: 4, MemorySlotBytes: 1 << 20}))
	defer rt.Close(ctx)
	cm := must(rt.Compile(ctx, must(os.ReadFile("testdata/cpu.wasm"))))

	inst := must(rt.Instantiate(ctx, cm, instance.ModuleConfig{}))
	fmt.Println("missing is nil:", inst.ExportedFunction("missing").IsNil())
	fib := inst.ExportedFunction("fib")
	inst.Close(ctx)

	next := must(rt.Instantiate(ctx, cm, instance.ModuleConfig{})) // may reuse inst's state
	defer next.Close(ctx)
	_, err := fib.Call(ctx, api.EncodeI32(10))
	fmt.Println("stale call:", errors.Is(err, instance.ErrClosed), "closed:", inst.Closed(), next.Closed())
	// Output:
	// missing is nil: true
	// stale call: true closed: true false
}
