//go:build cgo

package engines

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bytecodealliance/wasmtime-go/v37"
)

// Wasmtime through wasmtime-go (cgo; the module ships a static library):
// its Pulley interpreter, and Cranelift for reference.
const (
	Pulley   = "pulley"
	Wasmtime = "wasmtime"
)

func init() {
	Register(Spec{Name: Pulley, Order: 30, New: func(context.Context) (Engine, error) { return newWasmtime(true) }})
	Register(Spec{Name: Wasmtime, Order: 40, New: func(context.Context) (Engine, error) { return newWasmtime(false) }})
}

type wasmtimeEngine struct {
	engine *wasmtime.Engine
	// linker holds the WASI imports; one serves every store.
	linker *wasmtime.Linker
	// dir holds the files WASI stdout goes to: wasmtime-go's WasiConfig
	// writes to a path, not to a Go writer.
	dir string
}

func newWasmtime(pulley bool) (Engine, error) {
	cfg := wasmtime.NewConfig()
	if pulley {
		if err := cfg.SetTarget("pulley64"); err != nil {
			return nil, fmt.Errorf("pulley64: %w", err)
		}
	}
	dir, err := os.MkdirTemp("", "wpi-bench-wasmtime")
	if err != nil {
		return nil, err
	}
	engine := wasmtime.NewEngineWithConfig(cfg)
	linker := wasmtime.NewLinker(engine)
	if err := linker.DefineWasi(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &wasmtimeEngine{engine: engine, linker: linker, dir: dir}, nil
}

func (e *wasmtimeEngine) Compile(_ context.Context, wasm []byte) (Module, error) {
	mod, err := wasmtime.NewModule(e.engine, wasm)
	if err != nil {
		return nil, err
	}
	return &wasmtimeModule{e: e, mod: mod}, nil
}

func (e *wasmtimeEngine) Close(context.Context) error { return os.RemoveAll(e.dir) }

type wasmtimeModule struct {
	e   *wasmtimeEngine
	mod *wasmtime.Module
}

func (m *wasmtimeModule) Run(_ context.Context, args []string, stdout io.Writer) error {
	out := filepath.Join(m.e.dir, "stdout")
	wc := wasmtime.NewWasiConfig()
	wc.SetArgv(args)
	if err := wc.SetStdoutFile(out); err != nil {
		return err
	}
	wc.InheritStderr()
	store := wasmtime.NewStore(m.e.engine)
	defer store.Close()
	store.SetWasi(wc)
	inst, err := m.e.linker.Instantiate(store, m.mod)
	if err != nil {
		return err
	}
	start := inst.GetFunc(store, "_start")
	if start == nil {
		return errors.New("no _start export")
	}
	_, err = start.Call(store)
	var werr *wasmtime.Error
	if errors.As(err, &werr) {
		if code, ok := werr.ExitStatus(); ok {
			if code != 0 {
				return fmt.Errorf("exit code %d", code)
			}
			err = nil
		}
	}
	if err != nil {
		return err
	}
	f, err := os.Open(out)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(stdout, f)
	return err
}

func (m *wasmtimeModule) Close(context.Context) error {
	m.mod.Close()
	return nil
}
