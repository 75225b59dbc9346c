package engines

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

// wazeroEngine runs modules on a wazero runtime with its own WASI.
type wazeroEngine struct {
	rt wazero.Runtime
}

func newWazeroInterp(ctx context.Context) (Engine, error) {
	return newWazero(ctx, wazero.NewRuntimeConfigInterpreter())
}

func newWazeroCompiler(ctx context.Context) (Engine, error) {
	return newWazero(ctx, wazero.NewRuntimeConfigCompiler())
}

func newWazero(ctx context.Context, cfg wazero.RuntimeConfig) (Engine, error) {
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	return &wazeroEngine{rt: rt}, nil
}

func (e *wazeroEngine) Compile(ctx context.Context, wasm []byte) (Module, error) {
	cm, err := e.rt.CompileModule(ctx, wasm)
	if err != nil {
		return nil, err
	}
	return &wazeroModule{rt: e.rt, cm: cm}, nil
}

func (e *wazeroEngine) Close(ctx context.Context) error { return e.rt.Close(ctx) }

type wazeroModule struct {
	rt wazero.Runtime
	cm wazero.CompiledModule
}

func (m *wazeroModule) Run(ctx context.Context, args []string, stdout io.Writer) error {
	// An anonymous instance (WithName("")) so runs never collide; the
	// start function is _start, as for any WASI command.
	cfg := wazero.NewModuleConfig().WithName("").WithArgs(args...).
		WithStdout(stdout).WithStderr(os.Stderr)
	mod, err := m.rt.InstantiateModule(ctx, m.cm, cfg)
	if mod != nil {
		if cerr := mod.Close(ctx); err == nil {
			err = cerr
		}
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		if exit.ExitCode() == 0 {
			return nil
		}
		return fmt.Errorf("exit code %d", exit.ExitCode())
	}
	return err
}

func (m *wazeroModule) Close(ctx context.Context) error { return m.cm.Close(ctx) }
