package instance

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// wazeroGuest is a snapGuest in wazero.
type wazeroGuest struct{ m api.Module }

func (g wazeroGuest) call(name string, args ...uint64) ([]uint64, error) {
	return g.m.ExportedFunction(name).Call(ctx, args...)
}
func (g wazeroGuest) global(name string) uint64 { return g.m.ExportedGlobal(name).Get() }
func (g wazeroGuest) memory() []byte {
	mem := g.m.ExportedMemory("mem")
	b, _ := mem.Read(0, mem.Size())
	return append([]byte(nil), b...)
}
func (g wazeroGuest) exports() []string {
	var names []string
	for n := range g.m.ExportedFunctionDefinitions() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestSnapshotEncodeWazero writes a snapshot of an initialised instance
// as a module and runs it in wazero (which validates it when it compiles
// it): every call must give what it gives on the initialised instance in
// wpi, traps included, and so must a second, fresh wazero instance.
func TestSnapshotEncodeWazero(t *testing.T) {
	rt := newTestRuntime(t, Config{MemorySlotBytes: 16 * 65536})
	snapHost(t, rt, 5)
	wasm := readWasm(t, "snap")
	src, err := rt.InstantiateWasm(ctx, wasm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	runInits(t, src, "")
	snap, err := rt.Snapshot(ctx, src, SnapshotConfig{})
	if err != nil {
		t.Fatal(err)
	}
	want := observeSnap(t, wpiGuest{src}, false)
	want.Exports = dropNames(want.Exports, "_initialize")
	bin, err := snap.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("WPI_SNAPSHOT_OUT"); dir != "" { // to inspect with wasm-objdump
		_ = os.WriteFile(filepath.Join(dir, "snap.snapshot.wasm"), bin, 0o644)
	}

	wz := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer wz.Close(ctx)
	if _, err := wz.InstantiateWithConfig(ctx, readWasm(t, "snap_host"), wazero.NewModuleConfig().WithName("host")); err != nil {
		t.Fatal(err)
	}
	cm, err := wz.CompileModule(ctx, bin)
	if err != nil {
		t.Fatalf("wazero rejects the snapshot's module: %v", err)
	}
	for n := range 2 {
		m, err := wz.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName(""))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, observeSnap(t, wazeroGuest{m}, false)); diff != "" {
			t.Errorf("wazero instance %d of the snapshot's module (-wpi initialised +wazero):\n%s", n, diff)
		}
		m.Close(ctx)
	}

	// And the file decodes in wpi to a module that behaves the same.
	cm2, err := rt.Compile(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := rt.Instantiate(ctx, cm2, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	if diff := cmp.Diff(want, observeSnap(t, wpiGuest{inst}, false)); diff != "" {
		t.Errorf("the snapshot's module compiled by wpi (-want +got):\n%s", diff)
	}
}
