package wasi_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/tetratelabs/wazero/sys"

	"github.com/wpi-dev/wpi/instance"
	"github.com/wpi-dev/wpi/instance/wasi"
)

// A WASI command: enable WASI with one call, instantiate, run _start, and
// read the exit code.
func ExampleInstantiate() {
	ctx := context.Background()
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 2})
	if err != nil {
		panic(err)
	}
	defer rt.Close(ctx)

	w, err := wasi.Instantiate(ctx, rt, wasi.Config{
		Args:   []string{"hello"},
		Stdout: os.Stdout,
	})
	if err != nil {
		panic(err)
	}
	defer w.Close(ctx)

	bin, err := os.ReadFile("testdata/hello.wasm")
	if err != nil {
		panic(err)
	}
	guest, err := rt.InstantiateWasm(ctx, bin, instance.ModuleConfig{})
	if err != nil {
		panic(err)
	}
	defer guest.Close(ctx)

	err = wasi.Run(ctx, guest)
	code, exited := wasi.ExitCode(err)
	fmt.Println("exit code:", code, exited)
	// Output:
	// hello, wasi
	// exit code: 3 true
}

// wazero's shape: WASI registered once, the guest's args and stdio in
// its ModuleConfig, _start run by Instantiate (NewModuleConfig), and a
// non-zero exit as Instantiate's *sys.ExitError.
func ExampleMustInstantiate() {
	ctx := context.Background()
	rt := instance.MustNewRuntime(ctx, instance.Config{MemorySlots: 2})
	defer rt.Close(ctx)

	wasi.MustInstantiate(ctx, rt)

	bin, err := os.ReadFile("testdata/hello.wasm")
	if err != nil {
		panic(err)
	}
	_, err = rt.InstantiateWasm(ctx, bin, instance.NewModuleConfig().
		WithArgs("hello").WithStdout(os.Stdout))
	if exitErr, ok := err.(*sys.ExitError); ok {
		fmt.Println("exit code:", exitErr.ExitCode())
	} else if err != nil {
		panic(err)
	}
	// Output:
	// hello, wasi
	// exit code: 3
}

// Many guests at once, each its own WASI process: WithConfig gives every
// instance its own arguments, stdio and descriptor table (as
// ModuleConfig's WithArgs, WithStdout... do, with mounts of host
// directories too, and closed processes reused).
func ExampleWithConfig() {
	ctx := context.Background()
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 4, MemorySlotBytes: 1 << 20})
	if err != nil {
		panic(err)
	}
	defer rt.Close(ctx)
	w, err := wasi.Instantiate(ctx, rt, wasi.Config{}) // once per runtime
	if err != nil {
		panic(err)
	}
	defer w.Close(ctx)
	bin, err := os.ReadFile("testdata/echoargs.wasm") // prints argv[1]
	if err != nil {
		panic(err)
	}
	cm, err := rt.Compile(ctx, bin)
	if err != nil {
		panic(err)
	}

	outs := make([]bytes.Buffer, 3)
	var wg sync.WaitGroup
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mc := wasi.WithConfig(instance.ModuleConfig{}, wasi.Config{
				Args:   []string{"echoargs", fmt.Sprintf("guest %d", i)},
				Stdout: &outs[i],
			})
			guest, err := rt.Instantiate(ctx, cm, mc)
			if err != nil {
				panic(err)
			}
			defer guest.Close(ctx)
			if err := wasi.Run(ctx, guest); err != nil {
				panic(err)
			}
		}()
	}
	wg.Wait()
	for i := range outs {
		fmt.Println(outs[i].String())
	}
	// Output:
	// guest 0
	// guest 1
	// guest 2
}
