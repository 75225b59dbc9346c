package wasi_test

import (
	"bytes"
	"context"
	"errors"
	"log"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/wpi-dev/wpi/instance"
	"github.com/wpi-dev/wpi/instance/wasi"
)

// The two programs of the README's "Porting from wazero", kept compiling
// and compared here: a host module env.log, WASI with per-guest args and
// stdout, a compiled module instantiated and run.

func runOnWazero(ctx context.Context, wasm []byte, arg string, stdout *bytes.Buffer) error {
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter().
		WithMemoryLimitPages(256).WithCloseOnContextDone(true))
	defer r.Close(ctx)
	_, err := r.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
		b, ok := mod.Memory().Read(api.DecodeU32(stack[0]), api.DecodeU32(stack[1]))
		if !ok {
			panic("log: out of range")
		}
		log.Print(string(b))
	}), []api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, nil).Export("log").
		Instantiate(ctx)
	if err != nil {
		return err
	}
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	compiled, err := r.CompileModule(ctx, wasm)
	if err != nil {
		return err
	}
	mod, err := r.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().
		WithArgs("prog", arg).WithStdout(stdout)) // runs _start
	if err != nil {
		return err
	}
	return mod.Close(ctx)
}

func runOnWpi(ctx context.Context, wasm []byte, arg string, stdout *bytes.Buffer) error {
	rt, err := instance.NewRuntime(ctx, instance.Config{MemoryLimitPages: 256})
	if err != nil {
		return err
	}
	defer rt.Close(ctx)
	_, err = rt.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithGoModuleFunction(func(ctx context.Context, caller instance.Instance, stack []uint64) error {
		b, ok := caller.Memory().Read(api.DecodeU32(stack[0]), api.DecodeU32(stack[1]))
		if !ok {
			return errors.New("log: out of range")
		}
		log.Print(string(b))
		return nil
	}, []api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, nil).Export("log").
		Instantiate(ctx)
	if err != nil {
		return err
	}
	wasi.MustInstantiate(ctx, rt)
	compiled, err := rt.Compile(ctx, wasm)
	if err != nil {
		return err
	}
	inst, err := rt.Instantiate(ctx, compiled, instance.NewModuleConfig().
		WithArgs("prog", arg).WithStdout(stdout)) // runs _start
	if err != nil {
		return err
	}
	return inst.Close(ctx)
}

func TestPortingGuide(t *testing.T) {
	ctx := context.Background()
	wasm, err := os.ReadFile("testdata/echoargs.wasm")
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	errA := runOnWazero(ctx, wasm, "same output", &a)
	errB := runOnWpi(ctx, wasm, "same output", &b)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if diff := cmp.Diff(a.String(), b.String()); diff != "" {
		t.Errorf("stdout, wazero vs wpi (-wazero +wpi):\n%s", diff)
	}
}
