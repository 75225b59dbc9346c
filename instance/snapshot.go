package instance

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
	"github.com/wpi-dev/wpi/memory"
)

// Export names of initialisation functions that Snapshot drops (see
// SnapshotConfig.Init).
const (
	// WizerInit is the init export Wizer calls ("wizer.initialize").
	WizerInit = "wizer.initialize"
	// ReactorInit is a WASI reactor's initialiser ("_initialize"), which
	// the WASI ABI has a host call once, before any other export.
	ReactorInit = "_initialize"
)

// SnapshotConfig configures Runtime.Snapshot. The zero value drops the
// default init export.
type SnapshotConfig struct {
	// Init names the export that initialised the instance (the caller ran
	// it before Snapshot). It is removed from the snapshot's exports, so
	// that no host (wpi's WASI layer, wazero, Wasmtime) runs it again on
	// the initialised state. "" means WizerInit if the module exports a
	// function of that name, else ReactorInit. A named Init that is not
	// an exported function is an error.
	//
	// ReactorInit is removed whatever Init is: a WASI reactor runs it
	// before any other export, so a state reached through another export
	// is past it.
	Init string
}

// ErrNotSnapshottable is wrapped by Runtime.Snapshot's errors for an
// instance whose state a module cannot express: it imports a memory, a
// table or a mutable global (their state belongs to another instance), it
// defines a shared memory (other instances may write it meanwhile), a
// table holds a non-null externref or a function of another instance, a
// global holds a non-null externref, or a host value refuses (see
// SnapshotChecker; instance/wasi refuses descriptors the guest opened).
var ErrNotSnapshottable = errors.New("instance cannot be snapshotted")

// SnapshotChecker is implemented by host values (ModuleConfig.WithValue,
// WithValueFunc) that hold state a snapshot cannot carry: Snapshot calls
// CheckSnapshot on each value of the instance that implements it and
// fails with the first error (wrapped with ErrNotSnapshottable). A new
// instance of the snapshot gets fresh values from its own ModuleConfig,
// so a value should refuse when the guest's memory may refer to state of
// its own that a fresh value lacks (instance/wasi: files the guest
// opened).
type SnapshotChecker interface {
	CheckSnapshot() error
}

// Snapshot returns a compiled module whose instances start in the state
// inst is in now, instead of the module's declared initial state: Wizer's
// pre-initialization, done at run time. Instantiate inst's module, call
// its init export (and whatever else should be baked in), then snapshot
// it; every instance of the result starts where that init left off:
//
//   - the defined memory has inst's current size and contents (the
//     snapshot's pages are its data image, shared read-only by all its
//     instances: a slot whose last tenant was the same snapshot restores
//     only the pages that tenant wrote, a cold slot copies the image's
//     non-zero pages once);
//   - defined tables have their current size and elements, defined
//     globals their current values, and the passive data and element
//     segments inst dropped are dropped;
//   - the start function does not run again, and the init export (see
//     SnapshotConfig.Init) is no longer exported;
//   - imports stay imports, resolved anew at each instantiation (each
//     instance its own host functions and WASI environment).
//
// As with Wizer, whatever the guest read during its init (arguments,
// environment variables, clocks, random bytes, files) is baked into the
// snapshot, and every instance sees it: seed random generators and read
// per-request input after the snapshot, not before. A WASI guest that
// opened preopened directories during init (wasi-libc caches them) must be
// given the same mounts in the same order at each instantiation.
//
// The snapshot is independent of inst (close inst whenever) and is a
// CompiledModule like any other: instantiate it, snapshot an
// instance of it again, or write it as an ordinary WebAssembly module
// with Encode (Imports and Exports describe that module). The module's
// own segments keep their indices: those inst dropped (and every active
// one) are empty passive segments, or declarative for function
// references; its data segments are left out when its code cannot refer
// to them (it has no data count section).
//
// It fails with ErrClosed for a closed instance, and with an error
// wrapping ErrNotSnapshottable when the state cannot be expressed (see
// there). It must not run during a call on inst. The compiled code is
// shared with inst's module, so Snapshot costs a pass over the memory,
// not a compilation.
func (r *Runtime) Snapshot(ctx context.Context, inst Instance, sc SnapshotConfig) (*CompiledModule, error) {
	if inst.closedNow() {
		return nil, fmt.Errorf("instance: snapshot: module %w", ErrClosed)
	}
	if inst.rt != r {
		return nil, errors.New("instance: snapshot: instance belongs to another runtime")
	}
	if inst.mod == nil {
		return nil, fmt.Errorf("instance: snapshot: %s is a host module", inst)
	}
	if r.closed.Load() {
		return nil, fmt.Errorf("instance: snapshot: runtime %w", ErrClosed)
	}
	notSnap := func(format string, args ...any) error {
		return fmt.Errorf("instance: snapshot of %s: %w: %s", inst, ErrNotSnapshottable, fmt.Sprintf(format, args...))
	}
	cm := inst.mod
	m := cm.mod.Decoded
	e := inst.e
	for _, imp := range m.Imports {
		switch {
		case imp.Kind == decoder.ExternMemory:
			return nil, notSnap("it imports memory %q.%q", imp.Module, imp.Name)
		case imp.Kind == decoder.ExternTable:
			return nil, notSnap("it imports table %q.%q", imp.Module, imp.Name)
		case imp.Kind == decoder.ExternGlobal && imp.Global.Mutable:
			return nil, notSnap("it imports mutable global %q.%q", imp.Module, imp.Name)
		}
	}
	if len(m.Memories) > 0 && m.Memories[0].Shared {
		// Other instances, on other goroutines, may write it during the
		// snapshot: its bytes are no one instance's state.
		return nil, notSnap("its memory is shared")
	}
	for _, v := range inst.values {
		if c, ok := v.val.(SnapshotChecker); ok {
			if err := c.CheckSnapshot(); err != nil {
				return nil, notSnap("host value %v: %v", v.key, err)
			}
		}
	}
	drop, err := initExports(cm, sc.Init)
	if err != nil {
		return nil, fmt.Errorf("instance: snapshot of %s: %w", inst, err)
	}

	// funcIndex maps a function reachable from inst to its funcidx.
	imported := make(map[*engine.Function]uint32, m.NumImportedFuncs)
	for i := range m.NumImportedFuncs {
		if _, dup := imported[e.Funcs[i]]; !dup {
			imported[e.Funcs[i]] = i
		}
	}
	funcIndex := func(f *engine.Function) (uint32, bool) {
		if f.Instance == e {
			return f.Index, true
		}
		i, ok := imported[f]
		return i, ok
	}

	sm := *m // the snapshot's module: what changes is replaced below
	sm.HasStart, sm.Start = false, 0
	sm.Exports = make([]decoder.Export, 0, len(m.Exports))
	for _, x := range m.Exports {
		if !drop[x.Name] {
			sm.Exports = append(sm.Exports, x)
		}
	}

	sm.Globals = make([]decoder.Global, len(m.Globals))
	for i := range m.Globals {
		g := e.Globals[int(m.NumImportedGlobals)+i]
		init, err := globalInit(g, funcIndex)
		if err != nil {
			return nil, notSnap("global %d: %v", int(m.NumImportedGlobals)+i, err)
		}
		sm.Globals[i] = decoder.Global{Type: m.Globals[i].Type, Init: init}
	}

	// Element segments: the module's own keep their indices (code refers
	// to them); a dropped one (every active and declarative one is) has
	// no elements any more, and stays declarative when it lists
	// functions, so that ref.func of them still validates. The tables'
	// contents follow as active segments.
	// A snapshot's own segments are those of the module it snapshotted:
	// its memory's and tables' are rewritten from the state.
	nelem, ndata := len(m.Elements), len(m.Data)
	if cm.snap != nil {
		nelem, ndata = len(cm.snap.droppedElem), cm.snap.numData
	}
	// Code refers to data segments (memory.init, data.drop) only in a
	// module with a data count section (spec 5.5.16: without one, those
	// instructions are malformed), and a snapshot has one exactly when
	// its module did. Without it the module's own segments, all applied
	// to the memory the snapshot records, are left out: a Go program has
	// one per symbol (tens of thousands).
	codeUsesData := m.HasDataCount
	if !codeUsesData {
		ndata = 0
	}
	sm.Elements = make([]decoder.Element, nelem, nelem+len(m.Tables))
	droppedElem := make([]bool, nelem)
	for i, seg := range m.Elements[:nelem] {
		switch {
		case !e.DroppedElem[i]:
			sm.Elements[i] = seg
		case seg.Type == decoder.FuncRef:
			sm.Elements[i] = decoder.Element{Mode: decoder.SegmentDeclarative, Type: seg.Type, Init: seg.Init}
			droppedElem[i] = true
		default:
			sm.Elements[i] = decoder.Element{Mode: decoder.SegmentPassive, Type: seg.Type}
		}
	}
	sm.Tables = make([]decoder.TableType, len(m.Tables))
	tables := make([][]uint32, len(m.Tables))
	for i := range m.Tables {
		ti := int(m.NumImportedTables) + i
		t := e.Tables[ti]
		sm.Tables[i] = m.Tables[i]
		sm.Tables[i].Limits.Min = t.Size()
		if t.Type.Elem == decoder.ExternRef {
			for j, v := range t.Externs {
				if v != 0 {
					return nil, notSnap("table %d: element %d is a non-null externref", ti, j)
				}
			}
			continue
		}
		idx := make([]uint32, len(t.Funcs)) // funcidx+1, 0 for null
		for j, f := range t.Funcs {
			if f == nil {
				continue
			}
			k, ok := funcIndex(f)
			if !ok {
				return nil, notSnap("table %d: element %d is a function of another instance (%s.%s)", ti, j, f.ModuleName, f.Name)
			}
			idx[j] = k + 1
		}
		tables[i] = idx
		sm.Elements = append(sm.Elements, tableSegments(uint32(ti), idx)...)
	}

	// Memory: its current size, its contents as the image and as data
	// segments over the image's bytes. The module's own data segments
	// keep their indices, empty once dropped.
	var img *memory.Image
	sm.Data = make([]decoder.Data, ndata)
	for i, seg := range m.Data[:ndata] {
		sm.Data[i] = decoder.Data{Mode: decoder.SegmentPassive}
		if !e.DroppedData[i] {
			sm.Data[i].Init = seg.Init
		}
	}
	if len(m.Memories) > 0 {
		mem := e.Memory
		sm.Memories = []decoder.MemoryType{m.Memories[0]}
		sm.Memories[0].Limits.Min = mem.Pages()
		data := memoryImage(mem.Bytes())
		if len(data) > 0 {
			if img, err = memory.NewImage(0, data); err != nil {
				return nil, fmt.Errorf("instance: snapshot of %s: %w", inst, err)
			}
		}
		sm.Data = append(sm.Data, dataSegments(data)...)
	}
	sm.DataCount, sm.HasDataCount = uint32(len(sm.Data)), codeUsesData
	sm.Hash = snapshotHash(m)

	em := &engine.Module{Decoded: &sm, Codes: cm.mod.Codes, TypeIDs: cm.mod.TypeIDs}
	snap := &CompiledModule{
		mod:     em,
		exports: make(map[string]decoder.Export, len(sm.Exports)),
		image:   img,
		// The module's own data segments are passive in the snapshot
		// (empty once dropped): none is dropped after instantiation.
		dataDropped: make([]bool, ndata),
		recyclable:  recyclable(&sm),
		affinity:    binary.LittleEndian.Uint64(sm.Hash[:8]) | 1,
		snap: &snapState{
			tables:      tables,
			droppedElem: droppedElem,
			numData:     ndata,
		},
	}
	em.Owner = snap
	for _, x := range sm.Exports {
		snap.exports[x.Name] = x
	}
	return snap, nil
}

// snapState is what a snapshot's instantiation restores besides the
// memory image and the globals (whose initialisers are constants).
type snapState struct {
	// tables holds, per defined table, funcidx+1 of each element (0 for
	// null; nil for an externref table, whose elements are all null).
	tables [][]uint32
	// droppedElem holds the dropped flag of each element segment of the
	// snapshotted module (the declarative ones standing for dropped
	// segments). The tables' segments that follow are never referred to
	// by the code, compiled for the snapshotted module: the instances'
	// engine.Instance.DroppedElem has no entry for them.
	droppedElem []bool
	// numData is the number of data segments of the snapshotted module
	// that the snapshot keeps (0 when its code refers to none); the
	// memory's segments that follow are in the image and, like the
	// tables', have no entry in DroppedData.
	numData int
}

// restoreTables puts the snapshot's elements into the defined tables of
// st, whose imports e has resolved. A recycled state skips every table
// that no instruction wrote (engine.Table.Written) since it was restored,
// provided the imported functions are the ones it was restored with: a
// Go program's table has thousands of elements, and an instance that
// only calls through it should not pay for them.
func restoreTables(e *engine.Instance, st *instState, s *snapState) {
	imports := e.Funcs[:e.Module.Decoded.NumImportedFuncs]
	same := st.snapImports != nil && slices.Equal(st.snapImports, imports)
	for i, idx := range s.tables {
		t := &st.tables[i]
		if same && !t.Written {
			continue
		}
		resetTable(t)
		t.Written = false
		for j, k := range idx {
			if k != 0 {
				t.Funcs[j] = e.Funcs[k-1]
			}
		}
	}
	st.snapImports = append(st.snapImports[:0], imports...)
	if st.snapImports == nil {
		st.snapImports = []*engine.Function{} // restored, with no imports
	}
}

// restoreSnapshot sets e's dropped-segment flags from cm, a snapshot,
// instead of applying the segments one by one (e.DroppedElem is all
// false); e shares cm.dataDropped, as initSegments does.
func restoreSnapshot(e *engine.Instance, cm *CompiledModule) {
	copy(e.DroppedElem, cm.snap.droppedElem)
	e.DroppedData = cm.dataDropped // shared: see engine.Instance.DropData
}

// initExports returns the export names Snapshot drops (see
// SnapshotConfig.Init).
func initExports(cm *CompiledModule, init string) (map[string]bool, error) {
	isFunc := func(name string) bool {
		x, ok := cm.exports[name]
		return ok && x.Kind == decoder.ExternFunc
	}
	drop := map[string]bool{}
	switch {
	case init == "":
		if isFunc(WizerInit) {
			drop[WizerInit] = true
		}
	case !isFunc(init):
		return nil, fmt.Errorf("the init export %q is not an exported function", init)
	default:
		drop[init] = true
	}
	if isFunc(ReactorInit) {
		drop[ReactorInit] = true
	}
	return drop, nil
}

// globalInit returns a constant expression of g's current value.
func globalInit(g *engine.Global, funcIndex func(*engine.Function) (uint32, bool)) (decoder.ConstExpr, error) {
	var in decoder.ConstInstr
	switch g.Type.Type {
	case decoder.I32:
		in = decoder.ConstInstr{Op: decoder.OpI32Const, Value: uint64(uint32(g.Val))}
	case decoder.I64:
		in = decoder.ConstInstr{Op: decoder.OpI64Const, Value: g.Val}
	case decoder.F32:
		in = decoder.ConstInstr{Op: decoder.OpF32Const, Value: uint64(uint32(g.Val))}
	case decoder.F64:
		in = decoder.ConstInstr{Op: decoder.OpF64Const, Value: g.Val}
	case decoder.V128:
		in = decoder.ConstInstr{Op: decoder.OpV128Const, Value: g.Val, Value2: g.Hi}
	case decoder.FuncRef:
		in = decoder.ConstInstr{Op: decoder.OpRefNull, Value: uint64(decoder.FuncRef)}
		if g.Ref != nil {
			k, ok := funcIndex(g.Ref)
			if !ok {
				return nil, fmt.Errorf("holds a function of another instance (%s.%s)", g.Ref.ModuleName, g.Ref.Name)
			}
			in = decoder.ConstInstr{Op: decoder.OpRefFunc, Value: uint64(k)}
		}
	case decoder.ExternRef:
		if g.Val != 0 {
			return nil, errors.New("holds a non-null externref")
		}
		in = decoder.ConstInstr{Op: decoder.OpRefNull, Value: uint64(decoder.ExternRef)}
	default:
		return nil, fmt.Errorf("unsupported type %s", decoder.ValTypeName(g.Type.Type))
	}
	return decoder.ConstExpr{in}, nil
}

// tableSegments returns active element segments that put the functions
// idx (funcidx+1, 0 for null) into table ti: one per run of non-null
// elements.
func tableSegments(ti uint32, idx []uint32) []decoder.Element {
	var segs []decoder.Element
	for j := 0; j < len(idx); {
		if idx[j] == 0 {
			j++
			continue
		}
		k := j
		for k < len(idx) && idx[k] != 0 {
			k++
		}
		init := make([]decoder.ConstExpr, k-j)
		refs := make([]decoder.ConstInstr, k-j) // one backing array for the run
		for n := range init {
			refs[n] = decoder.ConstInstr{Op: decoder.OpRefFunc, Value: uint64(idx[j+n] - 1)}
			init[n] = refs[n : n+1 : n+1]
		}
		segs = append(segs, decoder.Element{
			Mode:   decoder.SegmentActive,
			Table:  ti,
			Offset: decoder.ConstExpr{{Op: decoder.OpI32Const, Value: uint64(j)}},
			Type:   decoder.FuncRef,
			Init:   init,
		})
		j = k
	}
	return segs
}

// memoryImage copies the memory's pages (4 KiB cards) that hold a
// non-zero byte into a buffer ending with the last of them; the rest of
// the buffer is zero and, being freshly allocated, not committed.
func memoryImage(mem []byte) []byte {
	const card = 1 << engine.CardShift
	end := 0
	for c := 0; c < len(mem); c += card {
		if !zeroBytes(mem[c : c+card]) {
			end = c + card
		}
	}
	if end == 0 {
		return nil
	}
	data := make([]byte, end)
	for c := 0; c < end; c += card {
		if !zeroBytes(mem[c : c+card]) {
			copy(data[c:c+card], mem[c:c+card])
		}
	}
	return data
}

// zeroBytes reports whether b is all zero.
func zeroBytes(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Bounds of the data segments a snapshot's memory is written as: runs of
// non-zero bytes are split where zeros run at least minDataGap bytes
// (a segment costs about 8 bytes of header), with the gap doubled until
// there are at most maxDataSegments (engines cap the count: wasmparser at
// 100,000).
const (
	minDataGap      = 16
	maxDataSegments = 10000
)

// dataSegments returns active data segments (memory 0) holding the
// non-zero bytes of data, a memory's contents from offset 0. Their bytes
// alias data.
func dataSegments(data []byte) []decoder.Data {
	for gap := minDataGap; ; gap *= 2 {
		segs := splitRuns(data, gap, maxDataSegments)
		if segs != nil || len(data) == 0 {
			return segs
		}
	}
}

// splitRuns returns segments for data split at zero runs of at least gap
// bytes, or nil if that makes more than limit segments.
func splitRuns(data []byte, gap, limit int) []decoder.Data {
	var segs []decoder.Data
	i := 0
	for i < len(data) {
		for i < len(data) && data[i] == 0 {
			i++
		}
		if i == len(data) {
			break
		}
		// The segment ends before the first run of gap zeros after i.
		j, zeros := i, 0
		for k := i; k < len(data); k++ {
			if data[k] != 0 {
				zeros = 0
				j = k + 1
				continue
			}
			if zeros++; zeros >= gap {
				break
			}
		}
		if len(segs) == limit {
			return nil
		}
		segs = append(segs, decoder.Data{
			Mode:   decoder.SegmentActive,
			Offset: decoder.ConstExpr{{Op: decoder.OpI32Const, Value: uint64(uint32(i))}},
			Init:   data[i:j:j],
		})
		i = j
	}
	return segs
}

// snapshotSeq numbers snapshots, so that no two share a hash.
var snapshotSeq atomic.Uint64

// snapshotHash identifies a snapshot, for the pool's affinity (a slot's
// last tenant being the same snapshot): the SHA-256 of the snapshotted
// module's hash and a sequence number. It is not the hash of a binary (a
// snapshot has none until Encode).
func snapshotHash(m *decoder.Module) [32]byte {
	var b [40]byte
	copy(b[:], m.Hash[:])
	binary.LittleEndian.PutUint64(b[32:], snapshotSeq.Add(1))
	return sha256.Sum256(b[:])
}

// Encode writes the module in the WebAssembly binary format. For a
// snapshot (Runtime.Snapshot) that is an ordinary module any runtime
// runs, with the same results as the snapshot's instances here: the
// memory's minimum is its size at the snapshot, data segments hold its
// non-zero bytes (runs split at 16 or more zero bytes, at most 10,000
// segments), active element segments the tables, constant initialisers
// the globals; no start function and no init export; the custom sections
// (the name section, DWARF) are kept. For a module from Compile it is a
// re-encoding of the same module.
//
// With it, `wpi snapshot` builds a
// pre-initialized module once, and a fleet ships the file. It fails only
// for a module the binary format cannot carry (see decoder.Encode).
func (cm *CompiledModule) Encode() ([]byte, error) {
	if cm == nil {
		return nil, errors.New("instance: Encode of a nil CompiledModule")
	}
	return decoder.Encode(cm.mod.Decoded)
}
