package instance_test

import (
	"context"
	"fmt"
	"os"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/instance"
)

// A host module "env" exports add; testdata/host_call.wasm imports it and
// exports call_add, which calls it.
func Example() {
	ctx := context.Background()
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 4, MemorySlotBytes: 1 << 20})
	if err != nil {
		panic(err)
	}
	defer rt.Close(ctx)

	add := func(_ context.Context, _ instance.Instance, stack []uint64) error {
		stack[0] = api.EncodeI32(api.DecodeI32(stack[0]) + api.DecodeI32(stack[1]))
		return nil
	}
	i32 := api.ValueTypeI32
	if _, err := rt.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithGoModuleFunction(add, []api.ValueType{i32, i32}, []api.ValueType{i32}).Export("add").
		Instantiate(ctx); err != nil {
		panic(err)
	}

	wasm, err := os.ReadFile("testdata/host_call.wasm")
	if err != nil {
		panic(err)
	}
	cm, err := rt.Compile(ctx, wasm)
	if err != nil {
		panic(err)
	}
	inst, err := rt.Instantiate(ctx, cm, instance.ModuleConfig{})
	if err != nil {
		panic(err)
	}
	defer inst.Close(ctx)

	results, err := inst.ExportedFunction("call_add").Call(ctx, api.EncodeI32(40), api.EncodeI32(2))
	if err != nil {
		panic(err)
	}
	fmt.Println(api.DecodeI32(results[0]))
	// Output: 42
}
