package instance

import (
	"context"
	"fmt"
	"slices"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
)

// GoModuleFunc is a host function (wazero's stack-based api.GoModuleFunc,
// plus an error result). stack holds the parameter cells on entry and
// must hold the result cells on return; len(stack) is max(param cells,
// result cells). caller is the instance whose code made the call, the zero
// Instance when the function is called directly from Go; use caller.Memory() to reach
// its memory.
//
// Returning a non-nil error, or panicking, ends the whole call with a
// *TrapError whose Cause is the error (or the panic, wrapped); the process
// and the runtime keep working.
type GoModuleFunc func(ctx context.Context, caller Instance, stack []uint64) error

// HostModuleBuilder defines a module written in Go: functions, globals, a
// memory and tables, exported under names. Build with the With/Export
// methods, then Instantiate. A builder is not safe for concurrent use.
type HostModuleBuilder struct {
	rt      *Runtime
	name    string
	funcs   []hostFunc
	globals []hostGlobal
	tables  []hostTable
	memory  *hostMemory
	// importerValues are made for the instances importing from the
	// module (WithImporterValueFunc).
	importerValues []importerValue
	err            error
}

// importerValue is one WithImporterValueFunc of a host module.
type importerValue struct {
	key   any
	open  func(ctx context.Context, mc ModuleConfig) (any, error)
	close func(val any)
}

// WithImporterValueFunc makes every instance of a module that imports
// from this host module get a host value under key, made from that
// instance's ModuleConfig: Instantiate calls newVal(ctx, mc) once per
// such instance, after the instance's own values (ModuleConfig.WithValue,
// WithValueFunc) are attached, and attaches the result, which the host
// functions read with caller.Value(key). It is not called when the
// ModuleConfig attached key already (its value wins), and a nil result
// attaches nothing. An error from newVal fails the instantiation
// (wrapped); closeVal, if not nil, receives the value when the instance
// is closed or a later step of its instantiation fails. newVal may run
// on many goroutines at once.
//
// This is the door for a system module that reads ModuleConfig's Args,
// Env, Stdin, Stdout, Stderr and FS, as instance/wasi does: the importer
// needs no wrapper around its ModuleConfig. The values of a module that
// imports from several such host modules are made in import order, each
// host module's once.
func (b *HostModuleBuilder) WithImporterValueFunc(key any, newVal func(ctx context.Context, mc ModuleConfig) (any, error), closeVal func(val any)) *HostModuleBuilder {
	if newVal == nil {
		b.fail(fmt.Errorf("importer value %v: nil newVal", key))
		return b
	}
	b.importerValues = append(b.importerValues, importerValue{key: key, open: newVal, close: closeVal})
	return b
}

type hostFunc struct {
	export string
	name   string
	fn     GoModuleFunc
	typ    decoder.FuncType
}

type hostGlobal struct {
	export string
	typ    decoder.GlobalType
	val    uint64
}

type hostTable struct {
	export string
	typ    decoder.TableType
}

type hostMemory struct {
	export string
	typ    decoder.MemoryType
}

// NewHostModuleBuilder starts a host module that Instantiate registers
// under moduleName (so wasm modules import from it by that name).
func (r *Runtime) NewHostModuleBuilder(moduleName string) *HostModuleBuilder {
	return &HostModuleBuilder{rt: r, name: moduleName}
}

// HostFunctionBuilder defines one host function; Export adds it to the
// module.
type HostFunctionBuilder struct {
	b   *HostModuleBuilder
	f   hostFunc
	set bool
}

// NewFunctionBuilder starts a host function.
func (b *HostModuleBuilder) NewFunctionBuilder() *HostFunctionBuilder {
	return &HostFunctionBuilder{b: b}
}

// WithGoModuleFunction sets the function's code and signature.
func (fb *HostFunctionBuilder) WithGoModuleFunction(fn GoModuleFunc, params, results []api.ValueType) *HostFunctionBuilder {
	fb.f.fn = fn
	fb.f.typ = decoder.FuncType{Params: append([]api.ValueType(nil), params...), Results: append([]api.ValueType(nil), results...)}
	fb.set = true
	return fb
}

// WithName sets the name used in backtraces (default: the export name).
func (fb *HostFunctionBuilder) WithName(name string) *HostFunctionBuilder {
	fb.f.name = name
	return fb
}

// Export adds the function to the module under name and returns the
// module builder.
func (fb *HostFunctionBuilder) Export(name string) *HostModuleBuilder {
	if !fb.set || fb.f.fn == nil {
		fb.b.fail(fmt.Errorf("host function %q: no WithGoModuleFunction", name))
		return fb.b
	}
	fb.f.export = name
	if fb.f.name == "" {
		fb.f.name = name
	}
	fb.b.funcs = append(fb.b.funcs, fb.f)
	return fb.b
}

func (b *HostModuleBuilder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// ExportGlobal exports a global of type t (numeric or externref) with the
// initial value v, encoded as a cell.
func (b *HostModuleBuilder) ExportGlobal(name string, t api.ValueType, mutable bool, v uint64) *HostModuleBuilder {
	switch t {
	case decoder.I32, decoder.I64, decoder.F32, decoder.F64, decoder.ExternRef:
	default:
		b.fail(fmt.Errorf("host global %q: unsupported type %s", name, decoder.ValTypeName(t)))
	}
	if t == decoder.I32 || t == decoder.F32 {
		v = uint64(uint32(v))
	}
	b.globals = append(b.globals, hostGlobal{export: name, typ: decoder.GlobalType{Type: t, Mutable: mutable}, val: v})
	return b
}

// ExportTable exports a table of elem (ValueTypeFuncref or
// api.ValueTypeExternref) with the given limits in elements, filled with
// nulls.
func (b *HostModuleBuilder) ExportTable(name string, elem api.ValueType, l Limits) *HostModuleBuilder {
	if elem != decoder.FuncRef && elem != decoder.ExternRef {
		b.fail(fmt.Errorf("host table %q: element type %s is not a reference type", name, decoder.ValTypeName(elem)))
	}
	if b.rt != nil && l.Min > uint64(b.rt.cfg.Limits.TableElements) {
		b.fail(capError(fmt.Sprintf("host table %q: minimum elements", name), l.Min, uint64(b.rt.cfg.Limits.TableElements), "TableElements"))
	}
	if l.HasMax && l.Max < l.Min {
		b.fail(fmt.Errorf("host table %q: bad limits %s", name, l))
	}
	b.tables = append(b.tables, hostTable{export: name, typ: decoder.TableType{Elem: elem, Limits: l.decoded()}})
	return b
}

// ExportMemory exports a memory with the given limits in 64 KiB pages. It
// takes a pool slot when the module is instantiated. At most one.
func (b *HostModuleBuilder) ExportMemory(name string, l Limits) *HostModuleBuilder {
	if b.memory != nil {
		b.fail(fmt.Errorf("host memory %q: a host module has at most one memory", name))
	}
	if l.Min > engine.MaxPages || (l.HasMax && (l.Max < l.Min || l.Max > engine.MaxPages)) {
		b.fail(fmt.Errorf("host memory %q: bad limits %s", name, l))
	}
	b.memory = &hostMemory{export: name, typ: decoder.MemoryType{Limits: l.decoded()}}
	return b
}

// Instantiate creates the host module's instance and registers it under
// the builder's module name (if not empty). Errors: a builder error, a
// duplicate export name, ErrNameTaken, or a memory that cannot get a slot.
func (b *HostModuleBuilder) Instantiate(ctx context.Context) (_ Instance, err error) {
	if b.rt == nil || b.rt.closed.Load() {
		return Instance{}, fmt.Errorf("instance: host module %q: runtime %w", b.name, ErrClosed)
	}
	ctx = background(ctx)
	if b.err != nil {
		return Instance{}, fmt.Errorf("instance: host module %q: %w", b.name, b.err)
	}
	r := b.rt
	c := &instCore{rt: r, name: b.name, exports: map[string]decoder.Export{}, e: &engine.Instance{}, liveShard: untracked, ecfg: r.ecfg, seq: coreSeq.Add(1),
		importerValues: slices.Clone(b.importerValues)}
	c.ecfg.Stopper = &c.stop
	inst := c.handle()
	e := c.e
	e.Name, e.Owner = b.name, c
	add := func(name string, kind decoder.ExternKind, idx int) error {
		if _, dup := inst.exports[name]; dup {
			return fmt.Errorf("instance: host module %q: duplicate export %q", b.name, name)
		}
		inst.exports[name] = decoder.Export{Name: name, Kind: kind, Index: uint32(idx)}
		return nil
	}
	fns := make([]engine.Function, len(b.funcs))
	types := make([]decoder.FuncType, len(b.funcs)) // owned copies: the builder may be reused
	for i := range b.funcs {
		hf := &b.funcs[i]
		fn := hf.fn
		f := &fns[i]
		types[i] = hf.typ
		f.Type = &types[i]
		f.TypeID = engine.TypeID(f.Type)
		f.Host = func(ctx context.Context, caller *engine.Instance, stack []uint64) error {
			return fn(ctx, ownerOf(caller), stack)
		}
		f.Index = uint32(i)
		f.ModuleName = b.name
		f.Name = hf.name
		e.Funcs = append(e.Funcs, f)
		if err := add(hf.export, decoder.ExternFunc, i); err != nil {
			return Instance{}, err
		}
	}
	for i, hg := range b.globals {
		e.Globals = append(e.Globals, &engine.Global{Val: hg.val, Type: hg.typ})
		if err := add(hg.export, decoder.ExternGlobal, i); err != nil {
			return Instance{}, err
		}
	}
	for i, ht := range b.tables {
		t := newTable(ht.typ)
		t.Max = r.cfg.Limits.tableMax(ht.typ)
		e.Tables = append(e.Tables, t)
		if err := add(ht.export, decoder.ExternTable, i); err != nil {
			return Instance{}, err
		}
	}
	if b.memory != nil {
		if err := add(b.memory.export, decoder.ExternMemory, 0); err != nil {
			return Instance{}, err
		}
		mem, err := r.newMemory(ctx, &c.slot, b.memory.typ)
		if err != nil {
			return Instance{}, err
		}
		c.hasSlot, c.memory, e.Memory = true, mem, mem
	}
	defer func() {
		if err != nil {
			c.releaseMemory()
		}
	}()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return Instance{}, fmt.Errorf("instance: runtime %w", ErrClosed)
	}
	if b.name != "" {
		if _, taken := r.lookup(b.name); taken {
			return Instance{}, fmt.Errorf("instance: %w: %q", ErrNameTaken, b.name)
		}
		r.setName(b.name, inst)
		c.registered = append(c.registered, b.name)
		c.named.Store(true)
	}
	r.track(c)
	return inst, nil
}
