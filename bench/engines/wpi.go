package engines

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/wpi-dev/wpi/instance"
	"github.com/wpi-dev/wpi/instance/wasi"
)

// wpiEngine runs modules on wpi: instance.Runtime for compilation and
// instances, instance/wasi for WASI preview1.
type wpiEngine struct {
	rt *instance.Runtime
}

func newWPI(ctx context.Context) (Engine, error) {
	// Runs are sequential: a few slots suffice, and a small pool keeps
	// the reservation modest.
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 4})
	if err != nil {
		return nil, err
	}
	return &wpiEngine{rt: rt}, nil
}

func (e *wpiEngine) Compile(ctx context.Context, wasm []byte) (Module, error) {
	cm, err := e.rt.Compile(ctx, wasm)
	if err != nil {
		return nil, err
	}
	return &wpiModule{rt: e.rt, cm: cm}, nil
}

func (e *wpiEngine) Close(ctx context.Context) error { return e.rt.Close(ctx) }

type wpiModule struct {
	rt *instance.Runtime
	cm *instance.CompiledModule
}

func (m *wpiModule) Run(ctx context.Context, args []string, stdout io.Writer) error {
	w, err := wasi.Instantiate(ctx, m.rt, wasi.Config{Args: args, Stdout: stdout, Stderr: os.Stderr})
	if err != nil {
		return err
	}
	defer w.Close(ctx)
	inst, err := m.rt.Instantiate(ctx, m.cm, instance.ModuleConfig{})
	if err != nil {
		return err
	}
	err = wasi.Run(ctx, inst)
	if cerr := inst.Close(ctx); err == nil {
		err = cerr
	}
	if code, ok := wasi.ExitCode(err); ok {
		return fmt.Errorf("exit code %d", code)
	}
	return err
}

// Close releases nothing: a CompiledModule is garbage-collected.
func (m *wpiModule) Close(context.Context) error { return nil }
