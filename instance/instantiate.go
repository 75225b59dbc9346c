package instance

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
)

// maxTableElements bounds the initial size of a defined table, so that a
// module cannot make instantiation allocate gigabytes of table.
const maxTableElements = 1 << 24

// InstantiateWasm compiles wasm and instantiates it: Compile followed by
// Instantiate.
func (r *Runtime) InstantiateWasm(ctx context.Context, wasm []byte, mc ModuleConfig) (*Instance, error) {
	cm, err := r.Compile(ctx, wasm)
	if err != nil {
		return nil, err
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
//  4. the start function runs, if any.
//
// On any failure the slot is reset and returned to the pool, and the error
// is returned (the *TrapError for a trap in step 3 or 4). A host function
// panicking in the start function gives an error too.
func (r *Runtime) Instantiate(ctx context.Context, cm *CompiledModule, mc ModuleConfig) (_ *Instance, err error) {
	m := cm.mod.Decoded
	name := mc.Name
	if name == "" {
		name = m.Names.Module
	}
	r.mu.Lock()
	closed := r.closed
	_, taken := r.names[mc.Name]
	r.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("instance: runtime %w", ErrClosed)
	}
	if mc.Name != "" && taken {
		return nil, fmt.Errorf("instance: %w: %q", ErrNameTaken, mc.Name)
	}

	inst := &Instance{rt: r, name: name, exports: cm.exports}
	e := &inst.e
	e.Module, e.Name, e.Owner = cm.mod, name, inst
	e.Funcs = make([]*engine.Function, int(m.NumImportedFuncs)+len(m.Funcs))
	e.Tables = make([]*engine.Table, int(m.NumImportedTables)+len(m.Tables))
	e.Globals = make([]*engine.Global, int(m.NumImportedGlobals)+len(m.Globals))
	if err := r.resolveImports(cm, e); err != nil {
		return nil, err
	}

	// Defined functions, in one allocation.
	fns := make([]engine.Function, len(m.Funcs))
	for i, typeidx := range m.Funcs {
		idx := m.NumImportedFuncs + uint32(i)
		f := &fns[i]
		f.Type = &m.Types[typeidx]
		f.TypeID = cm.mod.TypeIDs[typeidx]
		f.Instance = e
		if i < len(cm.mod.Codes) {
			f.Code = cm.mod.Codes[i]
		}
		f.Index = idx
		f.ModuleName = name
		f.Name = m.Names.Funcs[idx]
		e.Funcs[idx] = f
	}

	// Globals, in order: an initialiser may read any earlier global.
	gs := make([]engine.Global, len(m.Globals))
	for i := range m.Globals {
		v, err := evalConst(e, m.Globals[i].Init)
		if err != nil {
			return nil, fmt.Errorf("instance: global %d: %w", int(m.NumImportedGlobals)+i, err)
		}
		g := &gs[i]
		g.Type = m.Globals[i].Type
		g.Val, g.Hi, g.Ref = v.lo, v.hi, v.ref
		e.Globals[int(m.NumImportedGlobals)+i] = g
	}

	// Tables.
	for i, tt := range m.Tables {
		if tt.Limits.Min > maxTableElements {
			return nil, fmt.Errorf("instance: table %d: minimum of %d elements exceeds the limit of %d",
				int(m.NumImportedTables)+i, tt.Limits.Min, maxTableElements)
		}
		e.Tables[int(m.NumImportedTables)+i] = newTable(tt)
	}

	// Memory. From here on, a failure must give the slot back.
	defer func() {
		if err != nil {
			inst.releaseMemory()
		}
	}()
	if len(m.Memories) > 0 {
		mem, slot, err := r.newMemory(m.Memories[0], cm.affinity)
		if err != nil {
			return nil, err
		}
		inst.slot, inst.hasSlot, inst.memory, e.Memory = slot, true, mem, mem
	}

	if err := r.initSegments(e); err != nil {
		return nil, err
	}

	if m.HasStart {
		if err := r.runStart(ctx, e.Funcs[m.Start]); err != nil {
			return nil, err
		}
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, fmt.Errorf("instance: runtime %w", ErrClosed)
	}
	if mc.Name != "" {
		if _, ok := r.names[mc.Name]; ok {
			return nil, fmt.Errorf("instance: %w: %q", ErrNameTaken, mc.Name)
		}
		r.names[mc.Name] = inst
		inst.registered = append(inst.registered, mc.Name)
	}
	r.instances[inst] = struct{}{}
	return inst, nil
}

func newTable(tt decoder.TableType) *engine.Table {
	t := &engine.Table{Type: tt, Max: maxTableLimit}
	if tt.Limits.HasMax {
		t.Max = tt.Limits.Max
	}
	if tt.Elem == decoder.ExternRef {
		t.Externs = make([]uint64, tt.Limits.Min)
	} else {
		t.Funcs = make([]*engine.Function, tt.Limits.Min)
	}
	return t
}

// newMemory acquires a slot and builds a memory of type mt in it.
func (r *Runtime) newMemory(mt decoder.MemoryType, affinity uint64) (*engine.Memory, slotHandle, error) {
	if mt.Limits.Min > engine.MaxPages || mt.Limits.Min*engine.PageSize > r.cfg.MemorySlotBytes {
		return nil, slotHandle{}, fmt.Errorf("instance: %w: %d pages (%d bytes) asked, a slot holds %d bytes",
			ErrMemoryTooLarge, mt.Limits.Min, mt.Limits.Min*engine.PageSize, r.cfg.MemorySlotBytes)
	}
	slot, err := r.pool.acquire(affinity)
	if err != nil {
		return nil, slotHandle{}, fmt.Errorf("instance: acquiring a memory slot: %w", err)
	}
	maxPages := min(uint64(len(slot.Bytes()))/engine.PageSize, engine.MaxPages)
	if mt.Limits.HasMax {
		maxPages = min(maxPages, mt.Limits.Max)
	}
	return &engine.Memory{
		Buf:      slot.Bytes(),
		Cards:    slot.Cards(),
		Size:     mt.Limits.Min * engine.PageSize,
		MaxPages: maxPages,
		Type:     mt,
	}, slot, nil
}

// resolveImports fills the imported entries of e's index spaces.
func (r *Runtime) resolveImports(cm *CompiledModule, e *engine.Instance) error {
	m := cm.mod.Decoded
	var nf, nt, ng int
	for i := range m.Imports {
		imp := &m.Imports[i]
		r.mu.Lock()
		from := r.names[imp.Module]
		r.mu.Unlock()
		if from == nil {
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
		fe := &from.e
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
			if actual.Elem != imp.Table.Elem || !limitsMatch(actual.Limits, imp.Table.Limits) {
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
			if g.Type != imp.Global {
				return mismatch(globalTypeString(imp.Global), globalTypeString(g.Type))
			}
			e.Globals[ng] = g
			ng++
		}
	}
	return nil
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

// initSegments copies the active element and data segments and marks
// active and declarative segments dropped.
func (r *Runtime) initSegments(e *engine.Instance) error {
	m := e.Module.Decoded
	if len(m.Elements) > 0 {
		e.DroppedElem = make([]bool, len(m.Elements))
	}
	if len(m.Data) > 0 {
		e.DroppedData = make([]bool, len(m.Data))
	}
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
			if size := e.Memory.Size; uint64(uint32(off.lo))+uint64(len(seg.Init)) > size {
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
		off, err := evalConst(e, seg.Offset)
		if err != nil {
			return fmt.Errorf("instance: element segment %d: %w", i, err)
		}
		t := e.Tables[seg.Table]
		start := uint64(uint32(off.lo))
		if start+uint64(len(seg.Init)) > t.Size() {
			return fmt.Errorf("instance: element segment %d: %w", i, &engine.TrapError{Kind: engine.ErrOutOfBoundsTable})
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
			return fmt.Errorf("instance: data segment %d: %w", i, &engine.TrapError{Kind: engine.ErrOutOfBoundsMemory})
		}
		e.DroppedData[i] = true
	}
	return nil
}

// runStart calls the start function, turning a panic that escapes the
// engine into an error.
func (r *Runtime) runStart(ctx context.Context, f *engine.Function) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("instance: start function panicked: %v", p)
		}
	}()
	var stack [2]uint64
	if err := engine.Call(ctx, f, stack[:max(cells(f.Type.Params), cells(f.Type.Results))], &r.ecfg); err != nil {
		return fmt.Errorf("instance: start function: %w", err)
	}
	return nil
}
