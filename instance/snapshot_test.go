package instance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"
	"github.com/wpi-dev/wpi/decoder"
)

// snapHost registers the "host" module snap.wat imports: add(a, b) and
// the immutable global k. add returns a+b, plus 1000 when k is 11 (a
// second host, to tell which one a table's element calls).
func snapHost(t testing.TB, rt *Runtime, k uint64) {
	t.Helper()
	var extra int32
	if k == 11 {
		extra = 1000
	}
	_, err := rt.NewHostModuleBuilder("host").
		NewFunctionBuilder().WithGoModuleFunction(func(_ context.Context, _ Instance, s []uint64) error {
		s[0] = api.EncodeI32(api.DecodeI32(s[0]) + api.DecodeI32(s[1]) + extra)
		return nil
	}, []api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).Export("add").
		ExportGlobal("k", api.ValueTypeI32, false, k).
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
}

// snapObservation is what a sequence of calls on an instance of snap.wat
// sees: results and trap messages in order, then the exported state.
type snapObservation struct {
	Calls   []string
	Exports []string
	Count   uint64
	G64     uint64
	GF      uint64
	FromK   uint64
	Pages   uint64
	Mem     []byte
}

// snapGuest is an instance of snap.wat, in wpi or another runtime.
type snapGuest interface {
	call(name string, args ...uint64) ([]uint64, error)
	global(name string) uint64
	memory() []byte
	exports() []string
}

// wpiGuest is a snapGuest in wpi.
type wpiGuest struct{ Instance }

func (g wpiGuest) call(name string, args ...uint64) ([]uint64, error) {
	return g.ExportedFunction(name).Call(ctx, args...)
}
func (g wpiGuest) global(name string) uint64 { return g.ExportedGlobal(name).Get() }
func (g wpiGuest) memory() []byte {
	mem := g.ExportedMemory("mem")
	b, _ := mem.Read(0, uint32(mem.Size()))
	return bytes.Clone(b)
}
func (g wpiGuest) exports() []string {
	var names []string
	for _, d := range g.mod.Exports() {
		if d.Kind == api.ExternTypeFunc {
			names = append(names, d.Name)
		}
	}
	sort.Strings(names)
	return names
}

// observeSnap runs the same calls on g (an instance of snap.wat in its
// initialised state, fresh or from a snapshot) and records what they see;
// traps are "error" and their message when messages is set. The calls
// change the state, so a later tenant of the same slot must be restored
// to see the same again.
func observeSnap(t testing.TB, g snapGuest, messages bool) snapObservation {
	t.Helper()
	var o snapObservation
	call := func(name string, args ...uint64) {
		res, err := g.call(name, args...)
		switch {
		case err != nil && messages:
			o.Calls = append(o.Calls, fmt.Sprintf("%s%v: error %s", name, args, firstLine(err.Error())))
		case err != nil:
			o.Calls = append(o.Calls, fmt.Sprintf("%s%v: error", name, args))
		default:
			o.Calls = append(o.Calls, fmt.Sprintf("%s%v: %v", name, args, res))
		}
	}
	o.Mem = g.memory()
	o.Pages = uint64(len(o.Mem)) / 65536
	o.Count = g.global("count")
	o.G64 = g.global("g64")
	o.GF = g.global("gf")
	o.FromK = g.global("fromk")
	o.Exports = g.exports()
	for i := range uint64(5) {
		call("call", i)
	}
	call("calladd", 2, 40, 2)
	call("calladd", 3, 40, 2)
	call("size")
	call("tsize")
	call("load", 0x2fff0)
	call("load", 70000)
	call("load", 100)
	call("load", 16)
	call("gv_hi")
	call("minit_dropped", 200, 0)
	call("minit_dropped", 200, 1)
	call("minit_kept", 200, 12)
	call("load", 200)
	call("tinit_dropped", 0)
	call("tinit_dropped", 1)
	call("tinit_kept", 1)
	call("call", 0)
	call("gref_call")
	// Leave a mess for the next tenant of the slot.
	call("store", 0x2fff0, 1)
	call("store", 5000, 7)
	call("grow", 3)
	call("store", 0x50000, 9)
	call("setg", 99)
	call("tset_null", 1)
	return o
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// TestSnapshotEquivalence checks that instances of a snapshot of an
// initialised instance see what the initialised instance saw, tenant
// after tenant in the same slots, and that the snapshot does not re-run
// the start function nor export the init function.
func TestSnapshotEquivalence(t *testing.T) {
	for _, init := range []string{"", "_initialize", "other_init"} {
		t.Run("init="+init, func(t *testing.T) {
			wasm := readWasm(t, "snap")
			// The truth: a fresh instance, initialised, on a runtime of its own.
			fresh := newTestRuntime(t, Config{MemorySlots: 1, MemorySlotBytes: 16 * 65536})
			snapHost(t, fresh, 5)
			fi, err := fresh.InstantiateWasm(ctx, wasm, ModuleConfig{})
			if err != nil {
				t.Fatal(err)
			}
			runInits(t, fi, init)

			rt := newTestRuntime(t, Config{MemorySlots: 2, MemorySlotBytes: 16 * 65536})
			snapHost(t, rt, 5)
			src, err := rt.InstantiateWasm(ctx, wasm, ModuleConfig{})
			if err != nil {
				t.Fatal(err)
			}
			runInits(t, src, init)
			snap, err := rt.Snapshot(ctx, src, SnapshotConfig{Init: init})
			if err != nil {
				t.Fatal(err)
			}
			src.Close(ctx) // the snapshot does not depend on it

			want := observeSnap(t, wpiGuest{fi}, true)
			// The fresh instance still exports its init functions.
			want.Exports = dropNames(want.Exports, "_initialize", init)
			for n := range 4 {
				inst, err := rt.Instantiate(ctx, snap, ModuleConfig{})
				if err != nil {
					t.Fatal(err)
				}
				got := observeSnap(t, wpiGuest{inst}, true)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("tenant %d of the snapshot (-initialised fresh instance +snapshot):\n%s", n, diff)
				}
				inst.Close(ctx)
			}
			if st := rt.PoolStats(); st.ImageHits == 0 || st.RestoredBytes == 0 {
				t.Errorf("pool stats %+v: want image hits and restored pages", st)
			}
			// A snapshot of a snapshot's instance is a snapshot too.
			inst, err := rt.Instantiate(ctx, snap, ModuleConfig{})
			if err != nil {
				t.Fatal(err)
			}
			snap2, err := rt.Snapshot(ctx, inst, SnapshotConfig{})
			if err != nil {
				t.Fatal(err)
			}
			inst.Close(ctx)
			inst, err = rt.Instantiate(ctx, snap2, ModuleConfig{})
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close(ctx)
			if diff := cmp.Diff(want, observeSnap(t, wpiGuest{inst}, true)); diff != "" {
				t.Errorf("snapshot of a snapshot (-want +got):\n%s", diff)
			}
		})
	}
}

// runInits calls _initialize, then init if it is another export.
func runInits(t testing.TB, inst Instance, init string) {
	t.Helper()
	names := []string{"_initialize"}
	if init != "" && init != "_initialize" {
		names = append(names, init)
	}
	for _, name := range names {
		if _, err := inst.ExportedFunction(name).Call(ctx); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

func dropNames(names []string, drop ...string) []string {
	var out []string
	for _, n := range names {
		keep := true
		for _, d := range drop {
			keep = keep && n != d
		}
		if keep {
			out = append(out, n)
		}
	}
	return out
}

// TestSnapshotImportsResolvedAnew checks that a snapshot's imports are
// resolved at each instantiation: an imported function is the one
// registered now, while what init read (an imported global) is baked in.
func TestSnapshotImportsResolvedAnew(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	snapHost(t, rt, 5)
	src, err := rt.InstantiateWasm(ctx, readWasm(t, "snap"), ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	runInits(t, src, "")
	snap, err := rt.Snapshot(ctx, src, SnapshotConfig{})
	if err != nil {
		t.Fatal(err)
	}
	src.Close(ctx)

	// snaptab imports only add: its instances' states are recycled, and
	// one restored with the first host's add serves the next instance.
	tabSrc, err := rt.InstantiateWasm(ctx, readWasm(t, "snaptab"), ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tabSnap, err := rt.Snapshot(ctx, tabSrc, SnapshotConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tabSrc.Close(ctx)
	if !tabSnap.recyclable {
		t.Fatal("snaptab's snapshot is not recyclable")
	}
	for range 2 {
		first, err := rt.Instantiate(ctx, tabSnap, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := first.ExportedFunction("calladd").Call(ctx, 40, 2); err != nil || res[0] != 42 {
			t.Errorf("snaptab calladd with the first host: %v, %v; want 42", res, err)
		}
		first.Close(ctx)
	}
	// Re-register "host" with another k and add in the same runtime.
	rt.Lookup("host").Close(ctx)
	snapHost(t, rt, 11)
	inst, err := rt.Instantiate(ctx, snap, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	res, err := inst.ExportedFunction("calladd").Call(ctx, 2, 40, 2)
	if err != nil || api.DecodeI32(res[0]) != 1042 {
		t.Errorf("calladd through the table: %v, %v; want 1042 from the new host's add", res, err)
	}
	// fromk was initialised from k before the snapshot: it stays 5, and
	// so does what init stored from it.
	if g := inst.ExportedGlobal("fromk").Get(); g != 5 {
		t.Errorf("fromk = %d, want the snapshot's 5", g)
	}
	if v, _ := inst.ExportedMemory("mem").ReadUint32Le(70000); v != 5 {
		t.Errorf("mem[70000] = %d, want the snapshot's 5", v)
	}
	tabInst, err := rt.Instantiate(ctx, tabSnap, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer tabInst.Close(ctx)
	if res, err := tabInst.ExportedFunction("calladd").Call(ctx, 40, 2); err != nil || res[0] != 1042 {
		t.Errorf("snaptab calladd after the host changed: %v, %v; want 1042 from the new host's add", res, err)
	}
}

// refusingValue is a host value that refuses snapshots.
type refusingValue struct{}

func (refusingValue) CheckSnapshot() error { return errors.New("holds a socket") }

func TestSnapshotErrors(t *testing.T) {
	rt := newTestRuntime(t, Config{})
	envModule(t, rt, nil)
	snapHost(t, rt, 5)
	// imp_global_mut imports env.base as a mutable global.
	rtMut := newTestRuntime(t, Config{})
	if _, err := rtMut.NewHostModuleBuilder("env").ExportGlobal("base", api.ValueTypeI32, true, 0).Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	rtThreads := newTestRuntime(t, Config{Features: SupportedFeatures})
	runtimeOf := func(module string) *Runtime {
		switch module {
		case "imp_global_mut":
			return rtMut
		case "shared_mem":
			return rtThreads
		}
		return rt
	}
	inst := func(t *testing.T, name string, mc ModuleConfig) Instance {
		t.Helper()
		i, err := runtimeOf(name).InstantiateWasm(ctx, readWasm(t, name), mc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { i.Close(ctx) })
		return i
	}
	tests := []struct {
		name   string
		module string
		mc     ModuleConfig
		prep   func(Instance) Instance
		sc     SnapshotConfig
		want   error  // errors.Is
		detail string // in the message
	}{
		{name: "imported memory", module: "imp_mem_ok", want: ErrNotSnapshottable, detail: `imports memory "env"."mem"`},
		{name: "imported table", module: "imp_table_ok", want: ErrNotSnapshottable, detail: `imports table "env"."tab"`},
		{name: "imported mutable global", module: "imp_global_mut", want: ErrNotSnapshottable, detail: `mutable global "env"."base"`},
		{name: "shared memory", module: "shared_mem", want: ErrNotSnapshottable, detail: "its memory is shared"},
		{name: "externref in a table", module: "snap", prep: func(i Instance) Instance {
			if _, err := i.ExportedFunction("setext").Call(ctx, 7); err != nil {
				t.Fatal(err)
			}
			return i
		}, want: ErrNotSnapshottable, detail: "non-null externref"},
		{name: "host value refuses", module: "snap", mc: ModuleConfig{}.WithValue("sock", refusingValue{}),
			want: ErrNotSnapshottable, detail: "holds a socket"},
		{name: "init not exported", module: "snap", sc: SnapshotConfig{Init: "wizer.initialize"}, detail: `init export "wizer.initialize" is not an exported function`},
		{name: "closed", module: "snap", prep: func(i Instance) Instance { i.Close(ctx); return i }, want: ErrClosed},
		{name: "zero instance", module: "snap", prep: func(Instance) Instance { return Instance{} }, want: ErrClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := inst(t, tc.module, tc.mc)
			if tc.prep != nil {
				i = tc.prep(i)
			}
			rt := runtimeOf(tc.module)
			before := rt.PoolStats().InUse
			cm, err := rt.Snapshot(ctx, i, tc.sc)
			if err == nil {
				t.Fatalf("Snapshot: got a module (%d exports), want an error", len(cm.Exports()))
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Snapshot: %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.detail) {
				t.Errorf("Snapshot: %q lacks %q", err, tc.detail)
			}
			if after := rt.PoolStats().InUse; after != before {
				t.Errorf("slots in use %d after a failed Snapshot, %d before", after, before)
			}
			if !i.Closed() { // the instance is untouched and usable
				if _, err := i.ExportedFunction("size").Call(ctx); tc.module == "snap" && err != nil {
					t.Errorf("instance after a failed Snapshot: %v", err)
				}
			}
		})
	}
}

// TestSnapshotDataSegments checks which data segments a snapshot keeps:
// a module whose code cannot refer to its segments (no data count
// section, as in Go's and most C toolchains' output) loses them all, and
// its snapshot has only the memory's; a module with one (snap.wat:
// memory.init and data.drop) keeps each of its own at its index, empty
// once dropped. The snapshot's instances, and those of its encoding
// compiled again, read the snapshotted memory.
func TestSnapshotDataSegments(t *testing.T) {
	type segments struct {
		HasDataCount bool
		Own          []string // the module's own, first: "mode, N bytes"
		Memory       int      // the memory's, after them: active
	}
	describe := func(cm *CompiledModule, own int) segments {
		m := cm.mod.Decoded
		s := segments{HasDataCount: m.HasDataCount}
		for i, d := range m.Data {
			if i < own {
				s.Own = append(s.Own, fmt.Sprintf("%v, %d bytes", d.Mode, len(d.Init)))
				continue
			}
			if d.Mode != decoder.SegmentActive {
				t.Errorf("segment %d (after the module's own %d): mode %v, want active", i, own, d.Mode)
			}
			s.Memory++
		}
		return s
	}
	memOf := func(i Instance) []byte {
		mem := i.ExportedMemory("mem")
		b, _ := mem.Read(0, uint32(mem.Size()))
		return bytes.Clone(b)
	}
	for _, tc := range []struct {
		name, file string
		host       bool
		want       segments
	}{
		// image.wat: two active segments, no code; the memory has three
		// runs of bytes once the test wrote a third.
		{"no data count", "image", false, segments{HasDataCount: false, Memory: 3}},
		// snap.wat: one active and two passive segments; its init drops
		// $pd.
		{"data count", "snap", true, segments{HasDataCount: true, Own: []string{
			fmt.Sprintf("%v, 0 bytes", decoder.SegmentPassive),
			fmt.Sprintf("%v, 0 bytes", decoder.SegmentPassive),
			fmt.Sprintf("%v, %d bytes", decoder.SegmentPassive, len("passive kept")),
		}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := newTestRuntime(t, Config{MemorySlots: 4, MemorySlotBytes: 16 * 65536})
			if tc.host {
				snapHost(t, rt, 5)
			}
			inst, err := rt.InstantiateWasm(ctx, readWasm(t, tc.file), ModuleConfig{})
			if err != nil {
				t.Fatal(err)
			}
			own := len(inst.mod.mod.Decoded.Data)
			if got := inst.mod.mod.Decoded.HasDataCount; got != tc.want.HasDataCount {
				t.Fatalf("%s.wasm: data count section %v, want %v", tc.file, got, tc.want.HasDataCount)
			}
			if tc.host {
				runInits(t, inst, "")
			}
			if !inst.ExportedMemory("mem").Write(300, []byte("later")) {
				t.Fatal("write failed")
			}
			snap, err := rt.Snapshot(ctx, inst, SnapshotConfig{})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want.HasDataCount {
				own = 0
			}
			got := describe(snap, own)
			if tc.want.Memory == 0 {
				tc.want.Memory = got.Memory // snap.wat's memory: whatever runs its init left
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("snapshot's data segments (-want +got):\n%s", diff)
			}
			enc, err := snap.Encode()
			if err != nil {
				t.Fatal(err)
			}
			again, err := rt.Compile(ctx, enc)
			if err != nil {
				t.Fatal(err)
			}
			want := memOf(inst)
			for _, cm := range []*CompiledModule{snap, again} {
				i, err := rt.Instantiate(ctx, cm, ModuleConfig{})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(memOf(i), want) {
					t.Errorf("an instance of the snapshot reads another memory than the snapshotted instance")
				}
				i.Close(ctx)
			}
		})
	}
}
