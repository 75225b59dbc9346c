package instance

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDataDropPerInstance: the instances of a compiled module with a data
// image share its dropped-segment flags until one executes data.drop
// (engine.Instance.DropData): the drop is that instance's alone, and the
// next tenant of the same recycled state, a Reset, and an instance alive
// at the same time all see the passive segment again.
func TestDataDropPerInstance(t *testing.T) {
	rt := newTestRuntime(t, Config{MemorySlots: 2})
	cm, err := rt.Compile(ctx, readWasm(t, "datadrop"))
	if err != nil {
		t.Fatal(err)
	}
	// tenancy runs the checks on inst, dropping the passive segment last.
	tenancy := func(t *testing.T, inst Instance) []string {
		var got []string
		call := func(name string, args ...uint64) {
			res, err := inst.ExportedFunction(name).Call(ctx, args...)
			switch {
			case errors.Is(err, ErrTrapOutOfBoundsMemory):
				got = append(got, name+": oob")
			case err != nil:
				t.Fatalf("%s: %v", name, err)
			case len(res) > 0:
				got = append(got, name+": "+string(rune(res[0])))
			default:
				got = append(got, name+": ok")
			}
		}
		call("init", 2)
		call("initActive", 1)
		call("initActive", 0)
		call("drop")
		call("init", 2)
		return got
	}
	want := []string{"init: p", "initActive: oob", "initActive: ok", "drop: ok", "init: oob"}
	// A snapshot (of an instance that dropped nothing yet) behaves alike:
	// its instances share the snapshot's flags.
	src, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := rt.Snapshot(ctx, src, SnapshotConfig{})
	if err != nil {
		t.Fatal(err)
	}
	src.Close(ctx)
	t.Run("module", func(t *testing.T) { checkDataDrops(t, rt, cm, tenancy, want) })
	t.Run("snapshot", func(t *testing.T) { checkDataDrops(t, rt, snap, tenancy, want) })
}

func checkDataDrops(t *testing.T, rt *Runtime, cm *CompiledModule, tenancy func(*testing.T, Instance) []string, want []string) {
	other, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	for tenant := range 3 {
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, tenancy(t, inst)); diff != "" {
			t.Errorf("tenant %d (-want +got):\n%s", tenant, diff)
		}
		if err := inst.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, tenancy(t, inst)); diff != "" {
			t.Errorf("tenant %d after Reset (-want +got):\n%s", tenant, diff)
		}
		inst.Close(ctx)
	}
	// The instance alive all along never dropped the segment.
	if diff := cmp.Diff(want, tenancy(t, other)); diff != "" {
		t.Errorf("instance alive meanwhile (-want +got):\n%s", diff)
	}
}
