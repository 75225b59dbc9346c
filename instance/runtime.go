package instance

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
	"github.com/wpi-dev/wpi/memory"
)

// Config configures a Runtime. The zero value gives the defaults.
type Config struct {
	// MemorySlots is the number of linear-memory slots in the pool, the
	// most instances with a memory alive at once. Default DefaultSlots.
	MemorySlots int
	// MemorySlotBytes is the size of one slot in bytes: the largest a
	// memory may grow to (further grows fail with -1), and a module whose
	// minimum memory is larger cannot be instantiated. Rounded up to a
	// multiple of 64 KiB. Default DefaultSlotBytes (4 GiB, every 32-bit
	// memory fits).
	MemorySlotBytes uint64
	// MemoryKeepResident is the most dirty bytes of a slot reset with
	// memset (pages stay resident, no system call) when an instance
	// closes; dirty bytes past it are given back to the kernel with
	// madvise. Zero means memory.DefaultKeepResident (16 MiB),
	// memory.KeepNone (negative) means madvise only.
	MemoryKeepResident int64
	// Features are the WebAssembly core features modules may use. Zero
	// means api.CoreFeaturesV2. Without CoreFeatureBulkMemoryOperations,
	// active segments follow Wasm 1.0: all are bounds-checked before any
	// is written, and a misfit is a link error (ErrSegmentDoesNotFit).
	Features api.CoreFeatures
	// MaxCallDepth is the most nested wasm calls before the trap "call
	// stack exhausted". Zero means engine.DefaultMaxCallDepth.
	MaxCallDepth int
	// MaxStackCells bounds a call's value stack in 64-bit cells. Zero means
	// engine.DefaultMaxStackCells.
	MaxStackCells int
}

// Defaults for Config.
const (
	DefaultSlots     = 256
	DefaultSlotBytes = memory.DefaultSlotBytes
)

// Runtime owns a memory pool and a namespace of named instances (for
// imports). It is safe for concurrent use.
type Runtime struct {
	cfg  Config
	ecfg engine.Config
	pool *slotPool

	mu        sync.Mutex
	closed    bool
	names     map[string]*Instance
	instances map[*Instance]struct{}
}

// NewRuntime creates a runtime and reserves its memory pool (one mmap of
// MemorySlots × MemorySlotBytes of address space; untouched pages cost no
// RAM). Close it to give the reservation back.
func NewRuntime(ctx context.Context, cfg Config) (*Runtime, error) {
	if cfg.MemorySlots <= 0 {
		cfg.MemorySlots = DefaultSlots
	}
	if cfg.MemorySlotBytes == 0 {
		cfg.MemorySlotBytes = DefaultSlotBytes
	}
	cfg.MemorySlotBytes = (cfg.MemorySlotBytes + engine.PageSize - 1) &^ (engine.PageSize - 1)
	if cfg.Features == 0 {
		cfg.Features = api.CoreFeaturesV2
	}
	p, err := newSlotPool(cfg)
	if err != nil {
		return nil, fmt.Errorf("instance: creating memory pool: %w", err)
	}
	return &Runtime{
		cfg:       cfg,
		ecfg:      engine.Config{MaxCallDepth: cfg.MaxCallDepth, MaxStackCells: cfg.MaxStackCells},
		pool:      p,
		names:     map[string]*Instance{},
		instances: map[*Instance]struct{}{},
	}, nil
}

// Config returns the runtime's configuration with defaults filled in.
func (r *Runtime) Config() Config { return r.cfg }

// Close closes every instance still open (see Instance.Close), then
// releases the memory pool. Further calls on the runtime fail with
// ErrClosed. Close is idempotent.
func (r *Runtime) Close(ctx context.Context) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	insts := make([]*Instance, 0, len(r.instances))
	for i := range r.instances {
		insts = append(insts, i)
	}
	r.mu.Unlock()
	for _, i := range insts {
		_ = i.Close(ctx)
	}
	return r.pool.close()
}

// PoolStats returns the memory pool's statistics.
func (r *Runtime) PoolStats() PoolStats { return r.pool.stats() }

// CompiledModule is a decoded, validated and compiled module, ready to be
// instantiated any number of times. It is immutable and safe for
// concurrent use.
type CompiledModule struct {
	mod     *engine.Module
	exports map[string]decoder.Export
	// affinity is the pool hint: instances of the same module prefer a
	// slot whose last tenant was this module.
	affinity uint64
}

// Compile decodes, validates (with the runtime's features) and compiles a
// WebAssembly binary. Errors match decoder.ErrMalformed or
// decoder.ErrInvalid for bad input.
func (r *Runtime) Compile(ctx context.Context, wasm []byte) (*CompiledModule, error) {
	dm, err := decoder.Decode(wasm, r.cfg.Features)
	if err != nil {
		return nil, err
	}
	em, err := engine.Compile(dm)
	if err != nil {
		return nil, err
	}
	cm := &CompiledModule{mod: em, exports: make(map[string]decoder.Export, len(dm.Exports))}
	for _, e := range dm.Exports {
		cm.exports[e.Name] = e
	}
	for i := 0; i < 8; i++ {
		cm.affinity |= uint64(dm.Hash[i]) << (8 * i)
	}
	return cm, nil
}

// Module returns the decoded module description (imports, exports, types,
// ...). It must not be modified.
func (cm *CompiledModule) Module() *decoder.Module { return cm.mod.Decoded }

// Name returns the module name from the name section, or "".
func (cm *CompiledModule) Name() string { return cm.mod.Decoded.Names.Module }

// ImportDescription is one import of a module.
type ImportDescription struct {
	Module, Name string
	Kind         decoder.ExternKind
	// Type describes the imported entity: "func(i32, i64) -> (f32)",
	// "memory{1, 2}", "table{10, funcref}", "global(mut i32)".
	Type string
}

// ExportDescription is one export of a module.
type ExportDescription struct {
	Name string
	Kind decoder.ExternKind
	Type string
}

// Imports lists the module's imports in order.
func (cm *CompiledModule) Imports() []ImportDescription {
	m := cm.mod.Decoded
	out := make([]ImportDescription, len(m.Imports))
	for i, imp := range m.Imports {
		d := ImportDescription{Module: imp.Module, Name: imp.Name, Kind: imp.Kind}
		switch imp.Kind {
		case decoder.ExternFunc:
			d.Type = funcTypeString(&m.Types[imp.Func])
		case decoder.ExternTable:
			d.Type = tableTypeString(imp.Table)
		case decoder.ExternMemory:
			d.Type = memoryTypeString(imp.Memory)
		case decoder.ExternGlobal:
			d.Type = globalTypeString(imp.Global)
		}
		out[i] = d
	}
	return out
}

// Exports lists the module's exports in order.
func (cm *CompiledModule) Exports() []ExportDescription {
	m := cm.mod.Decoded
	out := make([]ExportDescription, len(m.Exports))
	for i, e := range m.Exports {
		d := ExportDescription{Name: e.Name, Kind: e.Kind}
		switch e.Kind {
		case decoder.ExternFunc:
			d.Type = funcTypeString(m.FuncTypeOf(e.Index))
		case decoder.ExternTable:
			d.Type = tableTypeString(m.TableTypeOf(e.Index))
		case decoder.ExternMemory:
			d.Type = memoryTypeString(m.MemoryTypeOf(e.Index))
		case decoder.ExternGlobal:
			d.Type = globalTypeString(m.GlobalTypeOf(e.Index))
		}
		out[i] = d
	}
	return out
}

// ExportedFunctionType returns the signature of the exported function
// name, or nil if there is none.
func (cm *CompiledModule) ExportedFunctionType(name string) *decoder.FuncType {
	e, ok := cm.exports[name]
	if !ok || e.Kind != decoder.ExternFunc {
		return nil
	}
	return cm.mod.Decoded.FuncTypeOf(e.Index)
}

// register binds name to inst in the namespace.
func (r *Runtime) register(name string, inst *Instance) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return fmt.Errorf("instance: runtime %w", ErrClosed)
	}
	if inst.closed {
		return fmt.Errorf("instance: module %q %w", inst.name, ErrClosed)
	}
	if _, ok := r.names[name]; ok {
		return fmt.Errorf("instance: %w: %q", ErrNameTaken, name)
	}
	r.names[name] = inst
	inst.registered = append(inst.registered, name)
	return nil
}

// Register makes inst importable under the module name name (the spec
// suite's "register"). An instance may be registered under several names;
// Instance.Close removes them all. It fails with ErrNameTaken if the name
// is bound.
func (r *Runtime) Register(name string, inst *Instance) error {
	if inst.rt != r {
		return errors.New("instance: Register: instance belongs to another runtime")
	}
	return r.register(name, inst)
}

// Unregister removes the binding of name, if any. The instance stays open.
func (r *Runtime) Unregister(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	inst, ok := r.names[name]
	if !ok {
		return
	}
	delete(r.names, name)
	for i, n := range inst.registered {
		if n == name {
			inst.registered = append(inst.registered[:i], inst.registered[i+1:]...)
			break
		}
	}
}

// Lookup returns the instance registered under name, or nil.
func (r *Runtime) Lookup(name string) *Instance {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.names[name]
}
