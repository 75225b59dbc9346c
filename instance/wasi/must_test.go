package wasi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wpi-dev/wpi/instance"
	"github.com/wpi-dev/wpi/instance/wasi"
)

// MustInstantiate registers WASI as Instantiate does, and panics with
// Instantiate's error (here: the names are taken).
func TestMustInstantiate(t *testing.T) {
	ctx := context.Background()
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 1, MemorySlotBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	if m := wasi.MustInstantiate(ctx, rt); m == nil {
		t.Fatal("MustInstantiate returned nil")
	}
	for _, name := range []string{wasi.ModuleName, wasi.UnstableModuleName} {
		if rt.Lookup(name).Closed() {
			t.Errorf("%s is not registered", name)
		}
	}
	defer func() {
		p := recover()
		if err, ok := p.(error); !ok || !errors.Is(err, instance.ErrNameTaken) {
			t.Errorf("second MustInstantiate panicked with %v, want an error matching ErrNameTaken", p)
		}
	}()
	wasi.MustInstantiate(ctx, rt)
}
