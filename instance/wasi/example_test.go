package wasi_test

import (
	"context"
	"fmt"
	"os"

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
