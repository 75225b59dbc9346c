package instance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"unsafe"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
	"github.com/wpi-dev/wpi/memory"
)

// InstantiateWasm compiles wasm and instantiates it: Compile followed by
// Instantiate.
func (r *Runtime) InstantiateWasm(ctx context.Context, wasm []byte, mc ModuleConfig) (Instance, error) {
	ctx = background(ctx)
	cm, err := r.Compile(ctx, wasm)
	if err != nil {
		return Instance{}, err
	}
	return r.Instantiate(ctx, cm, mc)
}

// Instantiate creates an instance of cm (spec §4.5.4 "Instantiation"):
//
//  1. each import is resolved by (module name, field) among the instances
//     registered in the runtime (ModuleConfig.Name, Register, host
//     modules) and type-checked, failing with ErrUnknownImport or
//     ErrIncompatibleImport. Imported tables, memories and globals are
//     shared, not copied;
//  2. globals are initialised, tables created, and the defined memory (if
//     any) placed in a pool slot at its minimum size. A minimum larger
//     than a slot fails with ErrMemoryTooLarge; a full pool with the pool's
//     ErrNoSlot;
//  3. active element segments, then active data segments, are copied in
//     order. Each is bounds-checked on its own and a misfit traps ("out of
//     bounds table access" / "out of bounds memory access"); segments
//     before it stay applied, which is visible when the table or memory is
//     imported (Wasm 2.0; see Config.Features for 1.0);
//  4. the start function runs, if any;
//  5. the exports ModuleConfig.WithStartFunctions names are called, in
//     order.
//
// On any failure the slot is reset and returned to the pool, and the error
// is returned (the *TrapError for a trap in step 3, 4 or 5, wrapped;
// the bare *sys.ExitError when a step 5 export exits with a code other
// than 0) with the zero Instance. A host function panicking in the start
// function gives an error too.
//
// For an unnamed instance of a module that imports nothing but functions
// (none of them taking a funcref), an instantiation reuses
// the state of a closed instance of cm and allocates nothing; the
// returned handle is a value (see Instance).
func (r *Runtime) Instantiate(ctx context.Context, cm *CompiledModule, mc ModuleConfig) (Instance, error) {
	if r == nil || r.closed.Load() {
		return Instance{}, fmt.Errorf("instance: runtime %w", ErrClosed)
	}
	if cm == nil {
		return Instance{}, errors.New("instance: Instantiate of a nil CompiledModule")
	}
	return r.instantiate(background(ctx), cm, mc, nil)
}

// instantiate is Instantiate into the engine state st when it is not nil
// (Instance.Reset: st's core is open, and keeps its generation so that
// the open handle stays valid); a closed state from cm gets a new
// generation. On failure the core is left closed.
//
// The steps are in instantiateSteps, which records what a failure must
// undo in u instead of deferring it: a function with defers and many
// returns gets no open-coded defers, and the runtime's deferred calls
// were 8% of an instance of a C snapshot (CPU profile).
func (r *Runtime) instantiate(ctx context.Context, cm *CompiledModule, mc ModuleConfig, st *instState) (Instance, error) {
	var u instUndo
	if st != nil {
		u.core = &st.core
	}
	inst, err := r.instantiateSteps(ctx, cm, mc, st, &u)
	if err != nil {
		u.run()
	}
	return inst, err
}

// instUndo is what a failed instantiation gives back, in this order: the
// memory (when memory is set), the host values (values), and the core is
// closed (core; see closeOnError).
type instUndo struct {
	core           *instCore
	values, memory bool
}

func (u *instUndo) run() {
	if u.memory {
		u.core.releaseMemory()
	}
	if u.values {
		u.core.closeValues()
	}
	if u.core != nil {
		closeOnError(u.core)
	}
}

// instantiateSteps does instantiate's work; see instUndo.
func (r *Runtime) instantiateSteps(ctx context.Context, cm *CompiledModule, mc ModuleConfig, st *instState, u *instUndo) (Instance, error) {
	m := cm.mod.Decoded
	name := mc.Name
	if name == "" {
		name = m.Names.Module
	}
	if r.closed.Load() {
		return Instance{}, fmt.Errorf("instance: runtime %w", ErrClosed)
	}
	if mc.Name != "" {
		if _, taken := r.lookup(mc.Name); taken {
			return Instance{}, fmt.Errorf("instance: %w: %q", ErrNameTaken, mc.Name)
		}
	}
	for i, tt := range m.Tables { // cm may come from a runtime with a larger cap
		if tt.Limits.Min > uint64(r.cfg.Limits.TableElements) {
			return Instance{}, capError(fmt.Sprintf("table[%d]: minimum elements", int(m.NumImportedTables)+i), tt.Limits.Min, uint64(r.cfg.Limits.TableElements), "TableElements")
		}
	}

	if st == nil {
		st = cm.getState()
		u.core = &st.core
	}
	c := &st.core
	if g := c.gen.Load(); g&1 != 0 {
		c.gen.Store(g + 1) // a new generation: the old handles stay closed
	}
	inst := c.handle()
	c.rt, c.name, c.exports, c.e = r, name, cm.exports, &st.e
	c.slot, c.hasSlot, c.memory, c.shared = slotHandle{}, false, nil, nil
	c.registered, c.prev, c.next, c.liveShard = nil, nil, nil, untracked // seq stays
	c.ecfg, c.fuel = r.ecfg, 0
	c.stop.Reset() // no call uses the state: it was closed and finished
	// Late calls of an old handle may still be counted (see busy).
	c.busy.And(^int64(closingBit | closedBit))
	c.ecfg.Stopper = &c.stop
	c.mod, c.st, c.mc = cm, st, mc
	c.recycle = cm.recyclable && mc.Name == ""
	if mc.Fuel > 0 {
		inst.SetFuel(mc.Fuel)
	}
	e := &st.e
	e.Name, e.Owner = name, c
	if st.name != name {
		for i := range st.funcs {
			st.funcs[i].ModuleName = name
		}
		st.name = name
	}
	importerValues, err := r.resolveImports(cm, e)
	if err != nil {
		return Instance{}, err
	}
	if err := c.openValues(ctx, &mc); err != nil {
		return Instance{}, err
	}
	u.values = true
	if err := c.openImporterValues(ctx, importerValues, mc); err != nil {
		return Instance{}, err
	}

	// Globals, in order: an initialiser may read any earlier global.
	for i := range m.Globals {
		v, err := evalConst(e, m.Globals[i].Init)
		if err != nil {
			return Instance{}, fmt.Errorf("instance: global %d: %w", int(m.NumImportedGlobals)+i, err)
		}
		g := &st.globals[i]
		g.Val, g.Hi, g.Ref = v.lo, v.hi, v.ref
	}

	// Tables, back to their minimum size, all null; a snapshot's, back to
	// the snapshot's elements where written.
	kept := false
	if cm.snap != nil {
		restoreTables(e, st, cm.snap)
	} else if kept = cm.tablesStatic && keepTables(e, st); !kept {
		st.snapImports = nil
		for i := range st.tables {
			resetTable(&st.tables[i])
		}
	}
	for i := range st.tables {
		st.tables[i].Max = r.cfg.Limits.tableMax(st.tables[i].Type)
	}
	// Typed function references: tables whose elements start as their
	// initialiser's value (evaluated once, after the globals). A
	// snapshot's tables hold their elements already.
	for i, init := range m.TableInits {
		if init == nil || cm.snap != nil {
			continue
		}
		v, err := evalConst(e, init)
		if err != nil {
			return Instance{}, fmt.Errorf("instance: table %d: %w", int(m.NumImportedTables)+i, err)
		}
		fillTable(&st.tables[i], v)
	}
	clear(e.DroppedElem) // DroppedData: set by restoreSnapshot or initSegments
	clear(e.Exceptions)
	e.Exceptions = e.Exceptions[:0]

	// Memory. From here on, a failure must give the slot back.
	u.memory = true
	switch {
	case len(m.Memories) > 0 && m.Memories[0].Shared:
		sm, err := r.newShared(ctx, m.Memories[0], mc.MemoryLimitPages, cm.affinity, cm.image)
		if err != nil {
			return Instance{}, err
		}
		c.shared, e.Memory = sm, &sm.mem
	case len(m.Memories) > 0:
		if err := r.initMemory(ctx, &st.mem, &c.slot, m.Memories[0], mc.MemoryLimitPages, cm.affinity, cm.image); err != nil {
			return Instance{}, err
		}
		c.hasSlot, c.memory, e.Memory = true, &st.mem, &st.mem
	case e.Memory != nil && e.Memory.Shared != nil:
		// An imported shared memory: one more user of its slot.
		sm := e.Memory.Shared.Owner.(*sharedMemory)
		if !sm.acquire() {
			return Instance{}, fmt.Errorf("instance: imported shared memory: %w", ErrClosed)
		}
		c.shared = sm
	}

	// With an image, the pool has put the active data segments in place.
	if cm.snap != nil {
		restoreSnapshot(e, cm)
	} else if err := r.initSegments(e, cm, kept); err != nil {
		return Instance{}, err
	} else if cm.tablesStatic && !kept {
		// The tables hold the segments' elements for these imports: the
		// next instance in this state may keep them.
		for i := range st.tables {
			st.tables[i].Written = false
		}
		st.snapImports = append(st.snapImports[:0], e.Funcs[:m.NumImportedFuncs]...)
		if st.snapImports == nil {
			st.snapImports = []*engine.Function{}
		}
	}

	if m.HasStart {
		if err := r.runStart(ctx, e.Funcs[m.Start], &c.ecfg); err != nil {
			return Instance{}, err
		}
	}
	if err := runStartFunctions(ctx, inst, mc.startFuncs); err != nil {
		return Instance{}, err
	}

	r.track(c)
	if r.closed.Load() { // Runtime.Close may have collected the open instances already
		r.untrack(c)
		return Instance{}, fmt.Errorf("instance: runtime %w", ErrClosed)
	}
	if mc.Name != "" {
		r.mu.Lock()
		if _, taken := r.lookup(mc.Name); r.closed.Load() || taken {
			r.untrack(c)
			closed := r.closed.Load()
			r.mu.Unlock()
			if closed {
				return Instance{}, fmt.Errorf("instance: runtime %w", ErrClosed)
			}
			return Instance{}, fmt.Errorf("instance: %w: %q", ErrNameTaken, mc.Name)
		}
		r.setName(mc.Name, inst)
		c.registered = append(c.registered, mc.Name)
		c.named.Store(true)
		r.mu.Unlock()
	}
	return inst, nil
}

// closeOnError closes the instance open in c (makes its generation odd),
// so that a handle a start function's host call may have kept stays
// closed after a failed instantiation or Reset.
func closeOnError(c *instCore) {
	if g := c.gen.Load(); g&1 == 0 {
		c.gen.Store(g + 1)
	}
}

// instState is the engine side of an instance: its index spaces and the
// objects they point to, allocated together. For a recyclable module a
// closed instance's state goes back to the compiled module and serves the
// next instance, so that instantiating allocates nothing.
type instState struct {
	core    instCore
	e       engine.Instance
	funcs   []engine.Function // defined functions
	globals []engine.Global   // defined globals
	tables  []engine.Table    // defined tables
	tags    []engine.Tag      // defined tags
	mem     engine.Memory     // the defined memory, if any
	name    string            // ModuleName in funcs
	// snapImports are the imported functions the state's tables were
	// last restored (a snapshot's, see restoreTables) or initialised
	// (tablesStatic, see keepTables) with; nil until they are.
	snapImports []*engine.Function

	// States of instances on different cores are often neighbours on the
	// heap; a cache line of padding keeps the fields every instantiation
	// writes off the next state's line.
	_ [64]byte
}

// getState returns a free state of cm, or a new one.
func (cm *CompiledModule) getState() *instState {
	if cm.recyclable {
		if st, ok := cm.states.Get().(*instState); ok {
			return st
		}
	}
	return cm.newState()
}

// putState gives st back for a later instance. The caller guarantees that
// nothing outside st points into it any more except handles that check
// their instance's closed flag (see recyclable).
func (cm *CompiledModule) putState(st *instState) {
	st.e.Owner = nil
	cm.states.Put(st)
}

// newState allocates the engine state of an instance of cm. Imports,
// global values, table contents and the memory are filled in by
// Instantiate.
func (cm *CompiledModule) newState() *instState {
	m := cm.mod.Decoded
	st := &instState{
		core:    instCore{seq: coreSeq.Add(1)},
		funcs:   make([]engine.Function, len(m.Funcs)),
		globals: ownLines[engine.Global](len(m.Globals)),
		tables:  ownLines[engine.Table](len(m.Tables)),
	}
	e := &st.e
	e.Module = cm.mod
	e.Funcs = ownLines[*engine.Function](int(m.NumImportedFuncs) + len(m.Funcs))
	e.Tables = ownLines[*engine.Table](int(m.NumImportedTables) + len(m.Tables))
	e.Globals = ownLines[*engine.Global](int(m.NumImportedGlobals) + len(m.Globals))
	// A snapshot's segments past its module's own (its memory and
	// tables) are never referred to by code: they need no flag.
	nelem, ndata := len(m.Elements), len(m.Data)
	if cm.snap != nil {
		nelem, ndata = len(cm.snap.droppedElem), cm.snap.numData
	}
	if nelem > 0 {
		e.DroppedElem = ownLines[bool](nelem)
	}
	if ndata > 0 {
		e.DataOwn = ownLines[bool](ndata)
		e.DroppedData = e.DataOwn
	}
	for i, typeidx := range m.Funcs {
		idx := m.NumImportedFuncs + uint32(i)
		f := &st.funcs[i]
		f.Type = &m.Types[typeidx]
		f.TypeID = cm.mod.TypeIDs[typeidx]
		f.Instance = e
		if i < len(cm.mod.Codes) {
			f.Code = cm.mod.Codes[i]
		}
		f.Index = idx
		f.Name = m.Names.Funcs[idx]
		e.Funcs[idx] = f
	}
	for i := range m.Globals {
		st.globals[i].Type = m.Globals[i].Type
		e.Globals[int(m.NumImportedGlobals)+i] = &st.globals[i]
	}
	for i, tt := range m.Tables {
		st.tables[i] = *newTable(tt)
		e.Tables[int(m.NumImportedTables)+i] = &st.tables[i]
	}
	if n := int(m.NumImportedTags) + len(m.Tags); n > 0 {
		st.tags = make([]engine.Tag, len(m.Tags))
		e.Tags = make([]*engine.Tag, n)
		for i, typeidx := range m.Tags {
			st.tags[i] = engine.Tag{Type: &m.Types[typeidx], TypeID: cm.mod.TypeIDs[typeidx]}
			e.Tags[int(m.NumImportedTags)+i] = &st.tags[i]
		}
	}
	return st
}

// ownLines returns a slice of n zero Ts whose backing array shares no
// cache line with another object: its capacity is rounded up to a
// multiple of 64 bytes and to at least 128 (the Go allocator places such
// sizes on 64-byte boundaries). The state an instantiation writes (global
// values, table elements and headers, dropped-segment flags) is a handful
// of bytes; in arrays of their own size, the arrays of states used by
// different cores would share lines, and every instantiation would pull
// the line from the other core.
func ownLines[T any](n int) []T {
	var zero T
	size := unsafe.Sizeof(zero) // a size: no pointer is made from it
	if size == 0 || uintptr(n) > (1<<20)/size {
		return make([]T, n) // large arrays own their lines anyway
	}
	bytes := max(uintptr(n)*size, 128)
	bytes = (bytes + 63) &^ 63
	return make([]T, n, bytes/size)
}

// tableKeepElements is the capacity up to which a recycled table keeps
// its element array (grown by table.grow) instead of dropping it.
const tableKeepElements = 1 << 16

// resetTable sets t back to its minimum size with every element null.
func resetTable(t *engine.Table) {
	n := t.Type.Limits.Min
	if t.Type.Elem == decoder.ExternRef {
		if uint64(cap(t.Externs)) < n || cap(t.Externs) > tableKeepElements {
			t.Externs = ownLines[uint64](int(n))
			return
		}
		t.Externs = t.Externs[:n]
		clear(t.Externs)
		return
	}
	if uint64(cap(t.Funcs)) < n || cap(t.Funcs) > tableKeepElements {
		t.Funcs = ownLines[*engine.Function](int(n))
		return
	}
	t.Funcs = t.Funcs[:n]
	clear(t.Funcs)
}

// fillTable sets every element of t to v.
func fillTable(t *engine.Table, v constVal) {
	for j := range t.Funcs {
		t.Funcs[j] = v.ref
	}
	for j := range t.Externs {
		t.Externs[j] = v.lo
	}
}

// recyclable reports whether the engine state of a closed, unnamed
// instance of m can serve the next instance. Its functions, tables,
// globals and memory must then be unreachable from outside the instance,
// which holds when m imports nothing but functions that take no funcref:
// no imported table or global can receive one of its functions, and no
// other instance can import from it (a named instance is never recycled).
// Handles given to Go (Function, Memory, Global, Table) check that their
// instance is open before every use.
func recyclable(m *decoder.Module) bool {
	for i := range m.Imports {
		imp := &m.Imports[i]
		if imp.Kind != decoder.ExternFunc {
			return false
		}
		for _, t := range m.Types[imp.Func].Params {
			if t == decoder.FuncRef {
				return false
			}
		}
	}
	return true
}

// moduleImage flattens m's active data segments into one memory.Image, or
// returns nil when instances must copy them themselves: m imports its
// memory or has none, a segment's offset is not an i32.const, a segment
// does not fit the initial memory (instantiation traps, and which bytes
// were written depends on the order), or the segments are so sparse
// that the image would be mostly zeros (past 4 MiB).
func moduleImage(m *decoder.Module) *memory.Image {
	if len(m.Memories) != 1 || m.NumImportedMemories != 0 {
		return nil
	}
	size := m.Memories[0].Limits.Min * engine.PageSize
	lo, hi, total := uint64(1<<63), uint64(0), uint64(0)
	for i := range m.Data {
		d := &m.Data[i]
		if d.Mode != decoder.SegmentActive {
			continue
		}
		if len(d.Offset) != 1 || d.Offset[0].Op != decoder.OpI32Const {
			return nil
		}
		off := uint64(uint32(d.Offset[0].Value))
		end := off + uint64(len(d.Init))
		if end > size {
			return nil
		}
		if len(d.Init) == 0 {
			continue
		}
		lo, hi, total = min(lo, off), max(hi, end), total+uint64(len(d.Init))
	}
	// Slots take only an image's non-zero pages (memory.Image), so a
	// sparse one costs its range in the Go heap only: up to 4 MiB, or 16
	// times its bytes.
	if total == 0 || (hi-lo > 16*total+engine.PageSize && hi-lo > 4<<20) {
		return nil
	}
	buf := make([]byte, hi-lo)
	for i := range m.Data {
		d := &m.Data[i]
		if d.Mode == decoder.SegmentActive && len(d.Init) > 0 {
			copy(buf[uint64(uint32(d.Offset[0].Value))-lo:], d.Init)
		}
	}
	img, err := memory.NewImage(lo, buf)
	if err != nil {
		return nil
	}
	return img
}

func newTable(tt decoder.TableType) *engine.Table {
	t := &engine.Table{Type: tt, Max: maxTableLimit}
	if tt.Limits.HasMax {
		t.Max = tt.Limits.Max
	}
	if tt.Elem == decoder.ExternRef {
		t.Externs = ownLines[uint64](int(tt.Limits.Min))
	} else {
		t.Funcs = ownLines[*engine.Function](int(tt.Limits.Min))
	}
	return t
}

// newMemory acquires a slot into *slot and builds a memory of type mt in
// it.
func (r *Runtime) newMemory(ctx context.Context, slot *slotHandle, mt decoder.MemoryType) (*engine.Memory, error) {
	mem := new(engine.Memory)
	if err := r.initMemory(ctx, mem, slot, mt, 0, 0, nil); err != nil {
		return nil, err
	}
	return mem, nil
}

// initMemory acquires a slot holding img (if not nil) into *slot and makes
// mem a memory of type mt in it, limited to limitPages (0: the runtime's
// limit only). *slot must outlive the memory's use: on the backends that
// commit as memories grow, mem.Commit points at it.
func (r *Runtime) initMemory(ctx context.Context, mem *engine.Memory, slot *slotHandle, mt decoder.MemoryType, limitPages uint32, affinity uint64, img *memory.Image) error {
	if mt.Limits.Min > engine.MaxPages || mt.Limits.Min*engine.PageSize > r.cfg.MemorySlotBytes {
		return fmt.Errorf("instance: %w: %d pages (%d bytes) asked, a slot holds %d bytes",
			ErrMemoryTooLarge, mt.Limits.Min, mt.Limits.Min*engine.PageSize, r.cfg.MemorySlotBytes)
	}
	limit := uint64(r.cfg.MemoryLimitPages)
	if limitPages > 0 && (limit == 0 || uint64(limitPages) < limit) {
		limit = uint64(limitPages)
	}
	if limit > 0 && mt.Limits.Min > limit {
		return fmt.Errorf("instance: %w: the minimum is %d pages, the limit %d", ErrMemoryLimit, mt.Limits.Min, limit)
	}
	s, err := r.pool.acquire(ctx, affinity, img)
	if err != nil {
		return err
	}
	size := mt.Limits.Min * engine.PageSize
	// Where the slot is not accessible in full from the start (Windows,
	// the Go-heap backend), make the minimum accessible now and let Grow
	// commit the rest; elsewhere Commit only returns the slot.
	buf, cards, err := s.Commit(size)
	if err != nil {
		r.pool.release(s, 0)
		return fmt.Errorf("instance: memory of %d pages: %w", mt.Limits.Min, err)
	}
	maxPages := min(r.pool.p.SlotBytes()/engine.PageSize, engine.MaxPages)
	if mt.Limits.HasMax {
		maxPages = min(maxPages, mt.Limits.Max)
	}
	if limit > 0 {
		maxPages = min(maxPages, limit)
	}
	*mem = engine.Memory{
		Buf:      buf,
		Cards:    cards,
		Size:     size,
		MaxPages: maxPages,
		Type:     mt,
	}
	*slot = s
	if uint64(len(buf)) < maxPages*engine.PageSize {
		mem.Commit = slot // a pointer: no allocation
	}
	return nil
}

// resolveImports fills the imported entries of e's index spaces, and
// returns the importer values of the host modules cm imports from
// (HostModuleBuilder.WithImporterValueFunc).
func (r *Runtime) resolveImports(cm *CompiledModule, e *engine.Instance) ([]importerValue, error) {
	names := r.names.Load()
	if c := cm.imports.Load(); c != nil && c.rt == r && c.names == names {
		copy(e.Funcs, c.funcs)
		copy(e.Tables, c.tables)
		copy(e.Globals, c.globals)
		copy(e.Tags, c.tags)
		if c.memory != nil {
			e.Memory = c.memory
		}
		return c.importerValues, nil
	}
	if err := r.resolveImportsByName(cm, e, *names); err != nil {
		return nil, err
	}
	m := cm.mod.Decoded
	c := &resolvedImports{
		rt: r, names: names,
		funcs:          slices.Clone(e.Funcs[:m.NumImportedFuncs]),
		tables:         slices.Clone(e.Tables[:m.NumImportedTables]),
		globals:        slices.Clone(e.Globals[:m.NumImportedGlobals]),
		tags:           slices.Clone(e.Tags[:m.NumImportedTags]),
		memory:         importedMemory(m, e),
		importerValues: importerValuesOf(m, *names),
	}
	cm.imports.Store(c)
	return c.importerValues, nil
}

// importerValuesOf returns the importer values of the modules m imports
// from, in import order, each module's once.
func importerValuesOf(m *decoder.Module, names map[string]Instance) []importerValue {
	var seen []*instCore
	var vs []importerValue
	for i := range m.Imports {
		from := names[m.Imports[i].Module].instCore
		if from == nil || len(from.importerValues) == 0 || slices.Contains(seen, from) {
			continue
		}
		seen = append(seen, from)
		vs = append(vs, from.importerValues...)
	}
	return vs
}

// resolvedImports is what a module's imports resolved to in a runtime's
// namespace: the exporters' functions, tables, globals, tags and memory,
// in import order. While the namespace is the same map (it is copied on
// every change, see setName), every import resolves to the same objects
// and still matches: a table or memory only grows, which keeps an
// import's minimum satisfied and its maximum unchanged. So instances
// after the first reuse it, skipping the lookups by name (a quarter of a
// WASI reactor's instantiate -> call -> close).
type resolvedImports struct {
	rt      *Runtime
	names   *map[string]Instance
	funcs   []*engine.Function
	tables  []*engine.Table
	globals []*engine.Global
	tags    []*engine.Tag
	memory  *engine.Memory
	// importerValues are those of the modules imported from.
	importerValues []importerValue
}

// importedMemory is e's memory if m imports it, else nil.
func importedMemory(m *decoder.Module, e *engine.Instance) *engine.Memory {
	if m.NumImportedMemories > 0 {
		return e.Memory
	}
	return nil
}

// resolveImportsByName resolves cm's imports in the namespace names into
// e's index spaces, checking each against its export.
func (r *Runtime) resolveImportsByName(cm *CompiledModule, e *engine.Instance, names map[string]Instance) error {
	m := cm.mod.Decoded
	var nf, nt, ng, ntag int
	for i := range m.Imports {
		imp := &m.Imports[i]
		from, ok := names[imp.Module]
		if !ok {
			return fmt.Errorf("%w: %q.%q: no module %q is registered", ErrUnknownImport, imp.Module, imp.Name, imp.Module)
		}
		exp, ok := from.exports[imp.Name]
		if !ok {
			return fmt.Errorf("%w: %q.%q: module %q exports no %q", ErrUnknownImport, imp.Module, imp.Name, imp.Module, imp.Name)
		}
		if exp.Kind != imp.Kind {
			return fmt.Errorf("%w: %q.%q: imported as a %s, exported as a %s",
				ErrIncompatibleImport, imp.Module, imp.Name, imp.Kind, exp.Kind)
		}
		mismatch := func(want, got string) error {
			return fmt.Errorf("%w: %q.%q: imported as %s, exported as %s",
				ErrIncompatibleImport, imp.Module, imp.Name, want, got)
		}
		fe := from.e
		switch imp.Kind {
		case decoder.ExternFunc:
			f := fe.Funcs[exp.Index]
			if f.TypeID != cm.mod.TypeIDs[imp.Func] {
				return mismatch(funcTypeString(&m.Types[imp.Func]), funcTypeString(f.Type))
			}
			e.Funcs[nf] = f
			nf++
		case decoder.ExternTable:
			t := fe.Tables[exp.Index]
			actual := t.Type
			actual.Limits.Min = t.Size() // the current size (spec: tables grow their type)
			if actual.Elem != imp.Table.Elem || actual.Ref != imp.Table.Ref || !limitsMatch(actual.Limits, imp.Table.Limits) {
				return mismatch(tableTypeString(imp.Table), tableTypeString(actual))
			}
			e.Tables[nt] = t
			nt++
		case decoder.ExternMemory:
			mem := fe.Memory
			if mem == nil {
				return mismatch(memoryTypeString(imp.Memory), "nothing")
			}
			actual := mem.Type
			actual.Limits.Min = mem.Pages()
			if actual.Shared != imp.Memory.Shared || !limitsMatch(actual.Limits, imp.Memory.Limits) {
				return mismatch(memoryTypeString(imp.Memory), memoryTypeString(actual))
			}
			e.Memory = mem
		case decoder.ExternGlobal:
			g := fe.Globals[exp.Index]
			if !globalMatches(g.Type, imp.Global) {
				return mismatch(globalTypeString(imp.Global), globalTypeString(g.Type))
			}
			e.Globals[ng] = g
			ng++
		case decoder.ExternTag:
			tag := fe.Tags[exp.Index]
			if tag.TypeID != cm.mod.TypeIDs[imp.Tag] {
				return mismatch("tag "+funcTypeString(&m.Types[imp.Tag]), "tag "+funcTypeString(tag.Type))
			}
			e.Tags[ntag] = tag
			ntag++
		}
	}
	return nil
}

// globalMatches reports whether a global of type got may be imported as
// want (spec 3.0 §4.5.3): a mutable global's type must be equal, an
// immutable one's a subtype (a typed reference where a less precise one
// is wanted).
func globalMatches(got, want decoder.GlobalType) bool {
	if want.Mutable || got.Mutable {
		return got == want
	}
	return got.Type == want.Type && got.Ref.Matches(want.Ref)
}

// constVal is the value of a constant expression.
type constVal struct {
	lo, hi uint64
	ref    *engine.Function // for funcref values
}

// evalConst evaluates a constant expression (spec §3.3.10, plus the
// extended-const proposal's i32/i64 add, sub and mul) in instance e, whose
// functions and the globals it reads must be set.
func evalConst(e *engine.Instance, expr decoder.ConstExpr) (constVal, error) {
	var buf [4]constVal
	stack := buf[:0]
	pop2 := func() (a, b constVal, err error) {
		if len(stack) < 2 {
			return a, b, errors.New("constant expression: stack underflow")
		}
		a, b = stack[len(stack)-2], stack[len(stack)-1]
		stack = stack[:len(stack)-2]
		return a, b, nil
	}
	for _, in := range expr {
		var v constVal
		switch in.Op {
		case decoder.OpI32Const, decoder.OpI64Const, decoder.OpF32Const, decoder.OpF64Const:
			v.lo = in.Value
		case decoder.OpV128Const:
			v.lo, v.hi = in.Value, in.Value2
		case decoder.OpGlobalGet:
			if in.Value >= uint64(len(e.Globals)) || e.Globals[in.Value] == nil {
				return v, fmt.Errorf("constant expression: global %d is not initialised", in.Value)
			}
			g := e.Globals[in.Value]
			v.lo, v.hi, v.ref = g.Val, g.Hi, g.Ref
		case decoder.OpRefNull:
		case decoder.OpRefFunc:
			if in.Value >= uint64(len(e.Funcs)) {
				return v, fmt.Errorf("constant expression: function %d out of range", in.Value)
			}
			v.ref = e.Funcs[in.Value]
			v.lo = engine.FuncRefValue(v.ref)
		case decoder.OpI32Add, decoder.OpI32Sub, decoder.OpI32Mul:
			a, b, err := pop2()
			if err != nil {
				return v, err
			}
			x, y := api.DecodeI32(a.lo), api.DecodeI32(b.lo)
			switch in.Op {
			case decoder.OpI32Add:
				v.lo = api.EncodeI32(x + y)
			case decoder.OpI32Sub:
				v.lo = api.EncodeI32(x - y)
			default:
				v.lo = api.EncodeI32(x * y)
			}
		case decoder.OpI64Add, decoder.OpI64Sub, decoder.OpI64Mul:
			a, b, err := pop2()
			if err != nil {
				return v, err
			}
			switch in.Op {
			case decoder.OpI64Add:
				v.lo = a.lo + b.lo
			case decoder.OpI64Sub:
				v.lo = a.lo - b.lo
			default:
				v.lo = a.lo * b.lo
			}
		default:
			return v, fmt.Errorf("constant expression: unsupported opcode %#x", in.Op)
		}
		stack = append(stack, v)
	}
	if len(stack) != 1 {
		return constVal{}, fmt.Errorf("constant expression leaves %d values", len(stack))
	}
	return stack[0], nil
}

// keepTables reports whether st's defined tables still hold what the
// active element segments put there for the imported functions e has now:
// they were initialised with the same imports and no instruction wrote
// them since (engine.Table.Written). A Go or TinyGo module's table has
// thousands of elements; an instance that only calls through it should
// not pay for them (the snapshot path does the same, restoreTables).
func keepTables(e *engine.Instance, st *instState) bool {
	if st.snapImports == nil || !slices.Equal(st.snapImports, e.Funcs[:e.Module.Decoded.NumImportedFuncs]) {
		return false
	}
	for i := range st.tables {
		if st.tables[i].Written {
			return false
		}
	}
	return true
}

// initSegments copies the active element and data segments and marks
// active and declarative segments dropped; e.DroppedElem must be all
// false. With keptTables, the defined tables already hold the active
// element segments' elements (keepTables): those segments are only marked
// dropped. With an image (cm.image), the active data segments are in
// memory already (they all fit) and e.DroppedData becomes the compiled
// module's flags, shared by its instances until a data.drop (O(1), not
// O(segments)); without one, e's own flags are cleared and set.
func (r *Runtime) initSegments(e *engine.Instance, cm *CompiledModule, keptTables bool) error {
	m := e.Module.Decoded
	// Offsets first: Wasm 1.0 checks every segment before writing any.
	wasm1 := r.cfg.Features&api.CoreFeatureBulkMemoryOperations == 0
	if wasm1 {
		for i := range m.Elements {
			seg := &m.Elements[i]
			if seg.Mode != decoder.SegmentActive {
				continue
			}
			off, err := evalConst(e, seg.Offset)
			if err != nil {
				return fmt.Errorf("instance: element segment %d: %w", i, err)
			}
			if size := e.Tables[seg.Table].Size(); uint64(uint32(off.lo))+uint64(len(seg.Init)) > size {
				return fmt.Errorf("instance: %w: elements segment does not fit (segment %d: offset %d + %d elements > table size %d)",
					ErrSegmentDoesNotFit, i, uint32(off.lo), len(seg.Init), size)
			}
		}
		for i := range m.Data {
			seg := &m.Data[i]
			if seg.Mode != decoder.SegmentActive {
				continue
			}
			off, err := evalConst(e, seg.Offset)
			if err != nil {
				return fmt.Errorf("instance: data segment %d: %w", i, err)
			}
			if size := e.Memory.Len(); uint64(uint32(off.lo))+uint64(len(seg.Init)) > size {
				return fmt.Errorf("instance: %w: data segment does not fit (segment %d: offset %d + %d bytes > memory size %d)",
					ErrSegmentDoesNotFit, i, uint32(off.lo), len(seg.Init), size)
			}
		}
	}
	for i := range m.Elements {
		seg := &m.Elements[i]
		switch seg.Mode {
		case decoder.SegmentDeclarative:
			e.DroppedElem[i] = true
			continue
		case decoder.SegmentPassive:
			continue
		}
		if keptTables {
			e.DroppedElem[i] = true
			continue
		}
		off, err := evalConst(e, seg.Offset)
		if err != nil {
			return fmt.Errorf("instance: element segment %d: %w", i, err)
		}
		t := e.Tables[seg.Table]
		start := uint64(uint32(off.lo))
		if start+uint64(len(seg.Init)) > t.Size() {
			return fmt.Errorf("instance: element segment %d: %w", i, &TrapError{Kind: ErrTrapOutOfBoundsTable})
		}
		if idx := cm.elemFuncs[i]; idx != nil { // all ref.func: no constant expression to evaluate
			for j, k := range idx {
				t.Funcs[start+uint64(j)] = e.Funcs[k]
			}
			e.DroppedElem[i] = true
			continue
		}
		for j, init := range seg.Init {
			v, err := evalConst(e, init)
			if err != nil {
				return fmt.Errorf("instance: element segment %d: %w", i, err)
			}
			if t.Type.Elem == decoder.ExternRef {
				t.Externs[start+uint64(j)] = v.lo
			} else {
				t.Funcs[start+uint64(j)] = v.ref
			}
		}
		e.DroppedElem[i] = true
	}
	if cm.image != nil { // the active segments are in place: they are only dropped
		e.DroppedData = cm.dataDropped // shared: see engine.Instance.DropData
		return nil
	}
	clearDroppedData(e)
	for i := range m.Data {
		seg := &m.Data[i]
		if seg.Mode != decoder.SegmentActive {
			continue
		}
		off, err := evalConst(e, seg.Offset)
		if err != nil {
			return fmt.Errorf("instance: data segment %d: %w", i, err)
		}
		if e.Memory == nil || !e.Memory.Write(uint64(uint32(off.lo)), seg.Init) {
			return fmt.Errorf("instance: data segment %d: %w", i, &TrapError{Kind: ErrTrapOutOfBoundsMemory})
		}
		e.DroppedData[i] = true
	}
	return nil
}

// runStart calls the start function, turning a panic that escapes the
// engine into an error.
func (r *Runtime) runStart(ctx context.Context, f *engine.Function, cfg *engine.Config) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("instance: start function panicked: %v", p)
		}
	}()
	var stack [2]uint64
	if err := engine.Call(ctx, f, stack[:max(cells(f.Type.Params), cells(f.Type.Results))], cfg); err != nil {
		return fmt.Errorf("instance: start function: %w", publicError(err))
	}
	return nil
}

// runStartFunctions calls the exports ModuleConfig.WithStartFunctions
// names, in order, skipping those inst does not export as functions. An
// exit of code 0 ends the list without an error, another exit ends it
// with the bare *sys.ExitError.
func runStartFunctions(ctx context.Context, inst Instance, names []string) error {
	for _, name := range names {
		f := inst.ExportedFunction(name)
		if f.IsNil() {
			continue
		}
		if len(f.f.Type.Params) != 0 {
			return fmt.Errorf("instance: start function %q takes params (%s)", name, funcTypeString(f.f.Type))
		}
		// The core's cells, not a local array: the call makes its stack
		// escape, and Instantiate and Reset allocate nothing.
		stack0 := inst.startStack[:]
		if n := cells(f.f.Type.Results); n > len(stack0) {
			stack0 = make([]uint64, n)
		}
		if err := f.CallWithStack(ctx, stack0); err != nil {
			if exit := (*sys.ExitError)(nil); errors.As(err, &exit) {
				if exit.ExitCode() == 0 {
					return nil
				}
				// Not wrapped, as wazero's InstantiateModule returns it: the
				// guest exited, it did not fail, and hosts written for
				// wazero test err.(*sys.ExitError).
				return exit
			}
			return fmt.Errorf("instance: start function %q: %w", name, err)
		}
	}
	return nil
}

// segmentPlans returns, per element segment of m, the funcidx of each
// element when the segment is active and every element is one ref.func
// (nil otherwise), so that instantiation stores functions without
// evaluating constant expressions; per data segment, whether it is
// active (dropped once instantiated), the flags an image's instances
// start with; and whether the defined tables' contents after the
// segments depend only on the imported functions (tablesStatic): m
// defines a table, has no table initialisers, and every active element
// segment is such a list of ref.func into a defined table at an i32.const
// offset.
func segmentPlans(m *decoder.Module) (elemFuncs [][]uint32, dataDropped []bool, tablesStatic bool) {
	tablesStatic = len(m.Tables) > 0
	for _, init := range m.TableInits {
		if init != nil {
			tablesStatic = false
		}
	}
	elemFuncs = make([][]uint32, len(m.Elements))
	for i, seg := range m.Elements {
		if seg.Mode != decoder.SegmentActive || seg.Type != decoder.FuncRef {
			continue
		}
		idx := make([]uint32, len(seg.Init))
		for j, in := range seg.Init {
			if len(in) != 1 || in[0].Op != decoder.OpRefFunc {
				idx = nil
				break
			}
			idx[j] = uint32(in[0].Value)
		}
		elemFuncs[i] = idx
	}
	for i, seg := range m.Elements {
		if seg.Mode == decoder.SegmentActive && (elemFuncs[i] == nil || seg.Table < m.NumImportedTables ||
			len(seg.Offset) != 1 || seg.Offset[0].Op != decoder.OpI32Const) {
			tablesStatic = false
		}
	}
	dataDropped = make([]bool, len(m.Data))
	for i, d := range m.Data {
		dataDropped[i] = d.Mode == decoder.SegmentActive
	}
	return elemFuncs, dataDropped, tablesStatic
}

// clearDroppedData makes e's data-segment flags its own buffer, all false
// (no segment dropped), for an instantiation that sets them one by one.
func clearDroppedData(e *engine.Instance) {
	clear(e.DataOwn)
	e.DroppedData = e.DataOwn
}
