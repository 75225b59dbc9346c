package wasi

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wpi-dev/wpi/instance"
)

// TestRecycledStateIsFresh checks that a guest whose WASI state is the
// recycled state of a closed guest (WithConfig without mounts) gets stdio
// as a new process has it, whatever the previous guest did to its
// descriptors (dropped every right of stdout, closed stderr).
func TestRecycledStateIsFresh(t *testing.T) {
	ctx := context.Background()
	rt, cm := guestRuntime(t, 2, Config{}, "spoil")
	var stdout, stderr bytes.Buffer
	mc := WithConfig(instance.ModuleConfig{}, Config{Stdout: &stdout, Stderr: &stderr})
	call := func(inst instance.Instance, name string, params ...uint64) uint64 {
		t.Helper()
		res, err := inst.ExportedFunction(name).Call(ctx, params...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return res[0]
	}

	first, err := rt.Instantiate(ctx, cm, mc)
	if err != nil {
		t.Fatal(err)
	}
	old := first.Value(stateKey{})
	got := []uint64{call(first, "hello", 1), call(first, "rights", 1), call(first, "spoil"), call(first, "rights", 1), call(first, "hello", 2)}
	first.Close(ctx)
	want := []uint64{0, rightsStdio, 0, 0, uint64(errBadf)}

	var next instance.Instance
	for range 100 { // sync.Pool may drop the state (always under -race)
		if next, err = rt.Instantiate(ctx, cm, mc); err != nil {
			t.Fatal(err)
		}
		if next.Value(stateKey{}) == old {
			break
		}
		next.Close(ctx)
	}
	if next.Value(stateKey{}) != old {
		t.Skip("the closed guest's state was never recycled (sync.Pool dropped it)")
	}
	defer next.Close(ctx)
	got = append(got, call(next, "rights", 1), call(next, "hello", 1), call(next, "hello", 2))
	want = append(want, rightsStdio, 0, 0)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hello(1), rights(1), spoil, rights(1), hello(2); recycled: rights(1), hello(1), hello(2) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"hihi", "hi"}, []string{stdout.String(), stderr.String()}); diff != "" {
		t.Errorf("stdout, stderr (-want +got):\n%s", diff)
	}
}
