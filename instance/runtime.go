package instance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
	"github.com/wpi-dev/wpi/memory"
)

// Config configures a Runtime. The zero value gives the defaults.
type Config struct {
	// MemorySlots is the number of linear-memory slots in the pool, the
	// most instances with a memory alive at once. Default DefaultSlots.
	// The pool reserves their address space in chunks as instances need
	// them (memory.DefaultInitialSlots at NewRuntime, then doubling; see
	// memory.Config.InitialSlots), so a large MemorySlots costs nothing
	// until it is used.
	MemorySlots int
	// MemoryInitialSlots is the number of slots whose address space
	// NewRuntime reserves up front (memory.Config.InitialSlots): a server
	// that knows how many instances it will hold at once sets it to that,
	// so that no Instantiate ever maps a chunk (one mmap(2) each, at most
	// log2(MemorySlots/MemoryInitialSlots)+1 in the runtime's life).
	// Default memory.DefaultInitialSlots (4); at most MemorySlots. It
	// reserves address space only: nothing is committed until written.
	MemoryInitialSlots int
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
	// stack exhausted" (ErrTrapCallStackExhausted). Zero means
	// DefaultMaxCallDepth.
	MaxCallDepth int
	// MaxStackCells bounds a call's value stack in 64-bit cells, past
	// which a call traps with ErrTrapCallStackExhausted. Zero means
	// DefaultMaxStackCells.
	MaxStackCells int

	// MemoryLimitPages caps every instance's defined memory at this many
	// 64 KiB pages (see ModuleConfig.MemoryLimitPages, which can lower it
	// per instance). Zero means no cap below MemorySlotBytes.
	MemoryLimitPages uint32
	// MemoryMaxIdleResident caps the bytes that free slots keep resident
	// (zeroed pages kept mapped for the next tenant, module images left in
	// place), summed over the pool; past it the least recently used free
	// slots are given back to the kernel whole. Zero means
	// memory.DefaultMaxIdleResident (1 GiB), memory.KeepNone (negative)
	// means no cap. With MemoryLimitPages, the memory the runtime's
	// instances can hold is bounded by
	// MemorySlots × MemoryLimitPages × 64 KiB (open instances) plus
	// MemoryMaxIdleResident (free slots), whatever the guests do.
	MemoryMaxIdleResident int64
	// WaitForSlot makes Instantiate wait for a free slot when all
	// MemorySlots are in use, until one is released or the context given
	// to Instantiate is done (then the error wraps ErrNoSlot and the
	// context's error). Without it, Instantiate fails at once with
	// ErrNoSlot. Either way MemorySlots caps the open instances that hold
	// a memory; instances without one take no slot.
	WaitForSlot bool

	// Module caps (see limits.go and the package doc's "Resource
	// caps"): what one module may make the host allocate at compile and
	// instantiation time. Zero means the default, which accepts every
	// module of the spec suites and of real toolchains; a module past a
	// cap fails Compile (or Instantiate, for tables) with an error
	// matching ErrModuleTooLarge that names the knob.
	Limits ModuleLimits

	// CacheDir, if not empty, is a directory where Compile records that a
	// module passed validation (an empty file named by the binary's
	// SHA-256, the features and wpi's build), so that Compile in a later
	// process skips validation of the same binary: most of what compiling
	// a large module costs. It is created if missing. Like wazero's
	// compilation cache, it must be trusted: whoever can write to it can
	// make wpi run a module that would not validate. WithCompilationCache
	// sets it from a CompilationCache, wazero's shape.
	CacheDir string
}

// WithCompilationCache returns a copy of cfg whose CacheDir is the
// directory of c (wazero's RuntimeConfig.WithCompilationCache). A nil c
// clears CacheDir. Runtimes made with the same cache, in one process or
// in several, share its verdicts.
func (cfg Config) WithCompilationCache(c *CompilationCache) Config {
	cfg.CacheDir = ""
	if c != nil {
		cfg.CacheDir = c.dir
	}
	return cfg
}

// Defaults for Config.
const (
	DefaultSlots     = 256
	DefaultSlotBytes = memory.DefaultSlotBytes
	// DefaultMaxCallDepth is the default Config.MaxCallDepth (10000).
	DefaultMaxCallDepth = engine.DefaultMaxCallDepth
	// DefaultMaxStackCells is the default Config.MaxStackCells (1<<20
	// cells, 8 MiB).
	DefaultMaxStackCells = engine.DefaultMaxStackCells
)

// Runtime owns a memory pool and a namespace of named instances (for
// imports). It is safe for concurrent use.
//
// Instantiating and closing an unnamed instance takes no runtime-wide
// lock: the namespace is read through an atomic pointer to an immutable
// map (copied on every Register, named Instantiate and Close of a named
// instance), and open instances are tracked in sharded lists.
type Runtime struct {
	cfg  Config
	ecfg engine.Config
	pool *slotPool

	closed atomic.Bool
	// mu serialises changes of the namespace and Close.
	mu sync.Mutex
	// profiling is set while a Profiler runs (under mu).
	profiling bool
	names     atomic.Pointer[map[string]Instance] // copy on write under mu
	// The open instances, for Close: those holding a slot by slot index,
	// the others in lists.
	owners []slotOwner
	live   [liveShards]liveShard
	// pending counts the closes under way of instances without a slot
	// (those of instances with one count in their slotOwner), those
	// closed during a call until the call returns: Close waits for them
	// before it unmaps the pool.
	pending atomic.Int64
}

// slotOwner is the open instance holding one slot and the closes under
// way of instances in that slot, on a cache line of their own
// (neighbouring slots serve goroutines on different cores; a counter for
// the whole runtime would move between the cores at every Close).
type slotOwner struct {
	c       atomic.Pointer[instCore]
	closing atomic.Int64
	_       [64 - 16]byte
}

// closeCounter returns the counter of closes under way that the close of
// inst, still tracked, counts in (see Runtime.Close).
func (r *Runtime) closeCounter(inst *instCore) *atomic.Int64 {
	if inst.liveShard == trackedSlot {
		return &r.owners[inst.slot.Index()].closing
	}
	return &r.pending
}

// closesPending reports whether any instance close is under way.
func (r *Runtime) closesPending() bool {
	if r.pending.Load() != 0 {
		return true
	}
	for k := range r.owners {
		if r.owners[k].closing.Load() != 0 {
			return true
		}
	}
	return false
}

// Values of instCore.liveShard besides a list index.
const (
	untracked   = -1 // not open, or not tracked yet
	trackedSlot = -2 // in owners, at its slot's index
)

// liveShards is the number of lists of open instances without a slot.
const liveShards = 16

// liveShard is one list of open instances, on its own cache lines.
type liveShard struct {
	mu   sync.Mutex
	head *instCore // intrusive list through instCore.prev/next
	_    [128 - 16]byte
}

// track records inst as open: in its slot's entry of owners (one atomic
// store, no lock), or without a slot in a list.
func (r *Runtime) track(inst *instCore) {
	if inst.hasSlot {
		inst.liveShard = trackedSlot
		r.owners[inst.slot.Index()].c.Store(inst)
		return
	}
	k := int(inst.seq % liveShards)
	ls := &r.live[k]
	inst.liveShard = int32(k)
	ls.mu.Lock()
	inst.next = ls.head
	if ls.head != nil {
		ls.head.prev = inst
	}
	ls.head = inst
	ls.mu.Unlock()
}

// untrack forgets inst as open.
func (r *Runtime) untrack(inst *instCore) {
	switch inst.liveShard {
	case untracked:
		return
	case trackedSlot:
		r.owners[inst.slot.Index()].c.CompareAndSwap(inst, nil)
		inst.liveShard = untracked
		return
	}
	ls := &r.live[inst.liveShard]
	ls.mu.Lock()
	if inst.prev != nil {
		inst.prev.next = inst.next
	} else {
		ls.head = inst.next
	}
	if inst.next != nil {
		inst.next.prev = inst.prev
	}
	inst.prev, inst.next, inst.liveShard = nil, nil, untracked
	ls.mu.Unlock()
}

// lookup returns the instance registered under name, and whether there
// is one. It takes no lock.
func (r *Runtime) lookup(name string) (Instance, bool) {
	inst, ok := (*r.names.Load())[name]
	return inst, ok
}

// setName binds name to inst (the zero Instance: unbinds it) with a copy
// of the namespace. r.mu must be held.
func (r *Runtime) setName(name string, inst Instance) {
	old := *r.names.Load()
	m := make(map[string]Instance, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	if inst.instCore == nil {
		delete(m, name)
	} else {
		m[name] = inst
	}
	r.names.Store(&m)
}

// NewRuntime creates a runtime and its memory pool, reserving the address
// space of the pool's first few slots (memory.DefaultInitialSlots × MemorySlotBytes, one mmap; untouched pages cost no
// RAM). The pool reserves more slots in chunks as instances need them
// (doubling what it holds, up to MemorySlots; one mmap per chunk, once in
// the runtime's life), so an idle runtime holds 16 GiB of address space
// by default, not MemorySlots × 4 GiB. Close it to give the reservations
// back.
//
// When the kernel refuses the first reservation (too little address
// space, e.g. under ulimit -v or after very many Runtimes in one process,
// or vm.overcommit_memory=2, which ignores MAP_NORESERVE and charges the
// whole reservation), NewRuntime retries with slots half as large, down
// to 64 MiB, if MemorySlotBytes was left zero; the runtime then has a
// lower memory ceiling (memory.grow fails sooner). A chunk refused later
// is asked for again smaller, down to one slot; if even that is refused,
// Instantiate fails with ErrNoSlot wrapping the kernel's error (or waits,
// with WaitForSlot). An explicit MemorySlotBytes is never changed, nor is
// MemorySlots. It fails, with an error naming both knobs, if even the
// smallest first reservation is refused, or if the configuration is
// invalid. ctx is not used.
func NewRuntime(ctx context.Context, cfg Config) (*Runtime, error) {
	if cfg.MemorySlotBytes > maxSlotBytes {
		return nil, fmt.Errorf("instance: MemorySlotBytes %d exceeds %d (a memory of 65536 pages)", cfg.MemorySlotBytes, uint64(maxSlotBytes))
	}
	defaultBytes := cfg.MemorySlotBytes == 0
	if cfg.MemorySlots <= 0 {
		cfg.MemorySlots = DefaultSlots
	}
	if defaultBytes {
		cfg.MemorySlotBytes = DefaultSlotBytes
	}
	if cfg.MemoryInitialSlots <= 0 {
		cfg.MemoryInitialSlots = memory.DefaultInitialSlots
	}
	cfg.MemoryInitialSlots = min(cfg.MemoryInitialSlots, cfg.MemorySlots)
	cfg.MemorySlotBytes = (cfg.MemorySlotBytes + engine.PageSize - 1) &^ (engine.PageSize - 1)
	if cfg.Features == 0 {
		cfg.Features = api.CoreFeaturesV2
	}
	cfg.Limits = cfg.Limits.withDefaults()
	p, err := newSlotPool(cfg)
	// A first reservation the kernel refuses (RLIMIT_AS,
	// vm.overcommit_memory=2, or a process whose other pools hold most of
	// the 47-bit address space) is retried with smaller slots (down to
	// minRetrySlotBytes) if the caller left their size to the default.
	// Fewer slots would not help: MemorySlots is a cap, reserved in chunks.
	for err != nil && defaultBytes && cfg.MemorySlotBytes > minRetrySlotBytes {
		cfg.MemorySlotBytes /= 2
		p, err = newSlotPool(cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("instance: creating memory pool of %d slots x %d bytes (reserving the first %d): %w (lower Config.MemorySlotBytes, or Config.MemoryInitialSlots, which Config.MemorySlots caps)", cfg.MemorySlots, cfg.MemorySlotBytes, cfg.MemoryInitialSlots, err)
	}
	r := &Runtime{
		cfg:    cfg,
		ecfg:   engine.Config{MaxCallDepth: cfg.MaxCallDepth, MaxStackCells: cfg.MaxStackCells, Sampler: new(engine.Sampler)},
		pool:   p,
		owners: make([]slotOwner, cfg.MemorySlots),
	}
	r.names.Store(&map[string]Instance{})
	return r, nil
}

// MustNewRuntime is NewRuntime for program initialisation: it panics
// with NewRuntime's error instead of returning it, as regexp.MustCompile
// does, so that a program that cannot run without a runtime (wazero's
// NewRuntime, which cannot fail, is used that way) reads the same here.
// NewRuntime fails when the configuration is invalid or the kernel
// refuses even the smallest first reservation of the pool (see
// NewRuntime); a host that must survive that, for example one creating
// runtimes per tenant, calls NewRuntime and handles the error.
func MustNewRuntime(ctx context.Context, cfg Config) *Runtime {
	r, err := NewRuntime(ctx, cfg)
	if err != nil {
		panic(err)
	}
	return r
}

// minRetrySlotBytes is the smallest slot NewRuntime retries with when the
// first reservation of a default-sized pool is refused: 64 MiB (1,024
// pages).
const minRetrySlotBytes = 64 << 20

// maxSlotBytes is the largest Config.MemorySlotBytes: a 32-bit memory
// of 65536 pages.
const maxSlotBytes = engine.MaxPages * engine.PageSize

// background returns ctx, or context.Background() for a nil ctx: every
// function of the package taking a context accepts nil as the standard
// library's http.NewRequest does not, so that a nil context is never a
// panic in the middle of a call.
func background(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// Config returns the runtime's configuration with defaults filled in
// (the zero Config for a nil Runtime).
func (r *Runtime) Config() Config {
	if r == nil {
		return Config{}
	}
	return r.cfg
}

// Close closes every instance still open (see Instance.Close: calls
// running on them are stopped), waits for the calls to return (until ctx
// is done: then it fails and leaves the pool mapped), then releases the
// memory pool. Further calls on the runtime fail with
// ErrClosed. Close is idempotent.
func (r *Runtime) Close(ctx context.Context) error {
	if r == nil {
		return nil
	}
	ctx = background(ctx)
	r.mu.Lock()
	if r.closed.Load() {
		r.mu.Unlock()
		return nil
	}
	r.closed.Store(true)
	profiling := r.profiling
	r.mu.Unlock()
	if profiling {
		r.ecfg.Sampler.Stop() // a running Profiler's samples are dropped
	}
	// An Instantiate that tracks its instance after this point sees closed
	// and fails on its own.
	var insts []Instance
	for k := range r.owners {
		if c := r.owners[k].c.Load(); c != nil {
			insts = append(insts, c.handle())
		}
	}
	for k := range r.live {
		ls := &r.live[k]
		ls.mu.Lock()
		for c := ls.head; c != nil; c = c.next {
			insts = append(insts, c.handle())
		}
		ls.mu.Unlock()
	}
	for _, i := range insts {
		_ = i.Close(ctx)
	}
	// Calls still running were stopped by their instance's Close: wait
	// for them to return before the pool's memory goes away. A call
	// blocked in a host function may outlast ctx: then the pool stays
	// mapped (leaked, never unmapped under a running call).
	for r.closesPending() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("instance: Runtime.Close: calls still running when the context ended, memory pool left mapped: %w", context.Cause(ctx))
		case <-time.After(time.Millisecond):
		}
	}
	return r.pool.close()
}

// PoolStats returns the memory pool's statistics (zero for a nil
// Runtime).
func (r *Runtime) PoolStats() PoolStats {
	if r == nil {
		return PoolStats{}
	}
	return r.pool.stats()
}

// CompiledModule is a decoded, validated and compiled module, ready to be
// instantiated any number of times. It is immutable and safe for
// concurrent use.
type CompiledModule struct {
	mod     *engine.Module
	exports map[string]decoder.Export
	// dbg is the DWARF debug information, read on the first trap.
	dbg debugInfo
	// image is the flattened active data segments, left in place in warm
	// slots (see memory.Image); nil when they cannot be (see moduleImage).
	image *memory.Image
	// recyclable says that a closed instance's engine state (functions,
	// globals, tables, memory object) can serve the next instance: nothing
	// outside the instance can hold a pointer into it (see recyclable).
	recyclable bool
	states     sync.Pool // of *instState, when recyclable
	// affinity is the pool hint: instances of the same module prefer a
	// slot whose last tenant was this module.
	affinity uint64
	// elemFuncs and dataDropped are what instantiation applies of the
	// segments (see segmentPlans). dataDropped is also every instance's
	// DroppedData after instantiation, shared read-only (see
	// engine.Instance.DropData); a snapshot's is all false over its
	// module's own segments (restoreSnapshot).
	elemFuncs   [][]uint32
	dataDropped []bool
	// tablesStatic says that the defined tables' contents after
	// instantiation depend only on the imported functions (see
	// segmentPlans), so a recycled state whose tables no instruction
	// wrote keeps them (see keepTables).
	tablesStatic bool
	// snap is set for a snapshot (Runtime.Snapshot): its tables and
	// dropped segments are restored from it, not from the segments.
	snap *snapState
	// imports is the last resolution of the imports (resolveImports),
	// valid while the runtime's namespace is the one it was made from.
	imports atomic.Pointer[resolvedImports]
}

// Compile decodes, validates (with the runtime's features) and compiles a
// WebAssembly binary. Errors match ErrMalformedModule or ErrInvalidModule
// for bad input; after Close (or on a nil Runtime) Compile fails with
// ErrClosed.
func (r *Runtime) Compile(ctx context.Context, wasm []byte) (*CompiledModule, error) {
	if r == nil || r.closed.Load() {
		return nil, fmt.Errorf("instance: compile: runtime %w", ErrClosed)
	}
	dm, err := decoder.Parse(wasm, r.cfg.Features)
	if err != nil {
		return nil, &compileError{err}
	}
	// Before validation and translation, which allocate per declared
	// local, function and instruction.
	if err := r.cfg.Limits.check(dm); err != nil {
		return nil, err
	}
	// Validation (wazero's, about as long as wazero's whole interpreter
	// compile) runs beside the translation; the result is used only once
	// both accept the module.
	verdict := make(chan error, 1)
	cached := r.cfg.CacheDir != "" && cachedVerdict(r.cfg.CacheDir, dm.Hash, r.cfg.Features)
	if cached {
		verdict <- nil
	} else {
		validations.Add(1)
		go func() { verdict <- decoder.Validate(wasm, dm, r.cfg.Features) }()
	}
	em, cerr := engine.Compile(dm)
	if err := <-verdict; err != nil {
		return nil, &compileError{err}
	}
	if !cached && r.cfg.CacheDir != "" {
		recordVerdict(r.cfg.CacheDir, dm.Hash, r.cfg.Features)
	}
	if cerr != nil {
		return nil, &compileError{cerr}
	}
	if err := r.cfg.Limits.checkIR(em); err != nil {
		return nil, err
	}
	cm := &CompiledModule{mod: em, exports: make(map[string]decoder.Export, len(dm.Exports))}
	em.Owner = cm
	for _, e := range dm.Exports {
		cm.exports[e.Name] = e
	}
	for i := 0; i < 8; i++ {
		cm.affinity |= uint64(dm.Hash[i]) << (8 * i)
	}
	cm.image = moduleImage(dm)
	cm.elemFuncs, cm.dataDropped, cm.tablesStatic = segmentPlans(dm)
	cm.recyclable = recyclable(dm)
	return cm, nil
}

// Name returns the module name from the name section, or "".
func (cm *CompiledModule) Name() string { return cm.mod.Decoded.Names.Module }

// externTypeOf describes the entity of kind k and index idx of m.
func externTypeOf(m *decoder.Module, k decoder.ExternKind, idx uint32) ExternType {
	t := ExternType{Kind: api.ExternType(k)}
	switch k {
	case decoder.ExternFunc:
		t.Func = funcTypeOf(m.FuncTypeOf(idx))
	case decoder.ExternTable:
		tt := m.TableTypeOf(idx)
		t.Table = TableType{Elem: tt.Elem, Limits: limitsOf(tt.Limits)}
	case decoder.ExternMemory:
		mt := m.MemoryTypeOf(idx)
		t.Memory = MemoryType{Limits: limitsOf(mt.Limits), Shared: mt.Shared}
	case decoder.ExternGlobal:
		gt := m.GlobalTypeOf(idx)
		t.Global = GlobalType{Type: gt.Type, Mutable: gt.Mutable}
	}
	return t
}

// Imports lists the module's imports in order. The result is the
// caller's to keep or modify.
func (cm *CompiledModule) Imports() []ImportDescription {
	m := cm.mod.Decoded
	out := make([]ImportDescription, len(m.Imports))
	for i, imp := range m.Imports {
		t := ExternType{Kind: api.ExternType(imp.Kind)}
		switch imp.Kind {
		case decoder.ExternFunc:
			t.Func = funcTypeOf(&m.Types[imp.Func])
		case decoder.ExternTable:
			t.Table = TableType{Elem: imp.Table.Elem, Limits: limitsOf(imp.Table.Limits)}
		case decoder.ExternMemory:
			t.Memory = MemoryType{Limits: limitsOf(imp.Memory.Limits), Shared: imp.Memory.Shared}
		case decoder.ExternGlobal:
			t.Global = GlobalType{Type: imp.Global.Type, Mutable: imp.Global.Mutable}
		}
		out[i] = ImportDescription{Module: imp.Module, Name: imp.Name, ExternType: t}
	}
	return out
}

// Exports lists the module's exports in order. The result is the
// caller's to keep or modify.
func (cm *CompiledModule) Exports() []ExportDescription {
	m := cm.mod.Decoded
	out := make([]ExportDescription, len(m.Exports))
	for i, e := range m.Exports {
		out[i] = ExportDescription{Name: e.Name, Index: e.Index, ExternType: externTypeOf(m, e.Kind, e.Index)}
	}
	return out
}

// ExportedFunctionType returns the signature of the exported function
// name, and false if the module exports no function of that name.
func (cm *CompiledModule) ExportedFunctionType(name string) (FuncType, bool) {
	e, ok := cm.exports[name]
	if !ok || e.Kind != decoder.ExternFunc {
		return FuncType{}, false
	}
	return funcTypeOf(cm.mod.Decoded.FuncTypeOf(e.Index)), true
}

// register binds name to inst in the namespace.
func (r *Runtime) register(name string, inst Instance) error {
	if r == nil {
		return fmt.Errorf("instance: runtime %w", ErrClosed)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return fmt.Errorf("instance: runtime %w", ErrClosed)
	}
	if inst.closedNow() {
		return fmt.Errorf("instance: module %w", ErrClosed)
	}
	if _, taken := r.lookup(name); taken {
		return fmt.Errorf("instance: %w: %q", ErrNameTaken, name)
	}
	r.setName(name, inst)
	inst.registered = append(inst.registered, name)
	inst.named.Store(true) // its functions, memory, ... may now be imported: never recycle its state
	return nil
}

// Register makes inst importable under the module name name (the spec
// suite's "register"). An instance may be registered under several names;
// Instance.Close removes them all. It fails with ErrNameTaken if the name
// is bound.
func (r *Runtime) Register(name string, inst Instance) error {
	if inst.closedNow() {
		return fmt.Errorf("instance: Register: module %w", ErrClosed)
	}
	if inst.rt != r {
		return errors.New("instance: Register: instance belongs to another runtime")
	}
	return r.register(name, inst)
}

// Unregister removes the binding of name, if any. The instance stays open.
func (r *Runtime) Unregister(name string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	inst, ok := r.lookup(name)
	if !ok {
		return
	}
	r.setName(name, Instance{})
	for i, n := range inst.registered {
		if n == name {
			inst.registered = append(inst.registered[:i], inst.registered[i+1:]...)
			break
		}
	}
}

// Lookup returns the instance registered under name, or the zero
// Instance (Closed) if there is none.
func (r *Runtime) Lookup(name string) Instance {
	if r == nil {
		return Instance{}
	}
	inst, _ := r.lookup(name)
	return inst
}
