package engine

import (
	"context"
	"fmt"

	"github.com/wpi-dev/wpi/decoder"
)

// Code is a compiled function body. (Being written; see compile.go.)
type Code struct {
	// NumParams is the number of parameter cells; NumResults of result
	// cells; FrameCells the cells of the whole frame.
	NumParams, NumResults, FrameCells int
}

// Compile translates every function body of m into interpreter code.
func Compile(m *decoder.Module) (*Module, error) {
	cm := &Module{Decoded: m, TypeIDs: make([]uint32, len(m.Types))}
	for i := range m.Types {
		cm.TypeIDs[i] = TypeID(&m.Types[i])
	}
	if len(m.Code) > 0 {
		return nil, errNotImplemented
	}
	return cm, nil
}

func callFunction(ctx context.Context, f *Function, stack []uint64, cfg *Config) (err error) {
	if f.Host == nil {
		return errNotImplemented
	}
	defer func() {
		if r := recover(); r != nil {
			err = &TrapError{Cause: fmt.Errorf("host function panicked: %v", r)}
		}
	}()
	if herr := f.Host(ctx, nil, stack); herr != nil {
		return &TrapError{Cause: herr}
	}
	return nil
}
