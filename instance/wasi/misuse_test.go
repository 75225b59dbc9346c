package wasi

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/wpi-dev/wpi/instance"
)

// TestMisuse: the package's functions given a nil runtime, a nil
// context, a nil Module or a closed guest return errors (or nothing to
// do) instead of panicking.
func TestMisuse(t *testing.T) {
	var nilCtx context.Context
	if _, err := Instantiate(context.Background(), nil, Config{}); !errors.Is(err, instance.ErrClosed) {
		t.Errorf("Instantiate(nil runtime): %v, want ErrClosed", err)
	}
	if err := (*Module)(nil).Close(nilCtx); err != nil {
		t.Errorf("nil Module Close: %v", err)
	}
	if err := Run(nilCtx, instance.Instance{}); !errors.Is(err, instance.ErrClosed) {
		t.Errorf("Run(zero Instance): %v, want ErrClosed", err)
	}
	var out bytes.Buffer
	rt, cm := guestRuntime(t, 2, Config{Args: []string{"hello", "misuse"}, Stdout: &out}, "hello")
	guest, err := rt.Instantiate(nilCtx, cm, instance.ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if code, ok := ExitCode(Run(nilCtx, guest)); !ok || code != 3 || out.String() != "hello, wasi\n" {
		t.Errorf("Run with a nil context: exit %d (%v), output %q; want exit 3 and the greeting", code, ok, out.String())
	}
	guest.Close(nilCtx)
	if err := Run(nilCtx, guest); !errors.Is(err, instance.ErrClosed) {
		t.Errorf("Run(closed guest): %v, want ErrClosed", err)
	}
	if _, err := Instantiate(nilCtx, rt, Config{}); !errors.Is(err, instance.ErrNameTaken) {
		t.Errorf("second Instantiate: %v, want ErrNameTaken", err)
	}
}
