package wasi

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpi-dev/wpi/instance"
)

// TestCheckSnapshot checks that a guest holding a descriptor it opened
// cannot be snapshotted, and can once it closed it again.
func TestCheckSnapshot(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	rt, cm := guestRuntime(t, 2, Config{}, "openfile")
	mc := WithConfig(instance.ModuleConfig{}, Config{Mounts: []Mount{{HostDir: dir, GuestPath: "/"}}})
	inst, err := rt.Instantiate(ctx, cm, mc)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	if err := Run(ctx, inst); err != nil {
		t.Fatal(err)
	}
	call := func(name string) {
		t.Helper()
		res, err := inst.ExportedFunction(name).Call(ctx)
		if err != nil || res[0] != 0 {
			t.Fatalf("%s: %v, errno %v", name, err, res)
		}
	}
	if _, err := rt.Snapshot(ctx, inst, instance.SnapshotConfig{}); err != nil {
		t.Fatalf("Snapshot with stdio and a preopen: %v", err)
	}
	call("open")
	_, err = rt.Snapshot(ctx, inst, instance.SnapshotConfig{})
	if !errors.Is(err, instance.ErrNotSnapshottable) || !strings.Contains(err.Error(), `descriptor 4 ("f.txt" in mount "/") was opened by the guest`) {
		t.Fatalf("Snapshot with an open file: %v, want ErrNotSnapshottable naming descriptor 4", err)
	}
	call("close")
	snap, err := rt.Snapshot(ctx, inst, instance.SnapshotConfig{})
	if err != nil {
		t.Fatalf("Snapshot after closing the file: %v", err)
	}
	if len(snap.Exports()) != 3 { // memory, open, close: _initialize is gone
		t.Errorf("snapshot exports %+v, want memory, open and close", snap.Exports())
	}
	// A snapshot's instance gets a new process: the preopen is fd 3 again.
	inst2, err := rt.Instantiate(ctx, snap, mc)
	if err != nil {
		t.Fatal(err)
	}
	defer inst2.Close(ctx)
	if res, err := inst2.ExportedFunction("open").Call(ctx); err != nil || res[0] != 0 {
		t.Errorf("open in a snapshot's instance: %v, errno %v", err, res)
	}
}
