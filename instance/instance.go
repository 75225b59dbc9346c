package instance

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
)

// ModuleConfig configures one instantiation. The zero value is an
// unnamed instance with the runtime's limits, no fuel metering, no host
// values and no system environment (args, stdio, files). Set the fields
// directly or with the With methods (wazero's names); attach host values
// with WithValue and WithValueFunc, and name exports to call at
// instantiation with WithStartFunctions. Every With method returns a
// modified copy (the original is not changed, so one ModuleConfig can
// serve many instantiations, from many goroutines).
type ModuleConfig struct {
	// Name, if not empty, registers the instance under this module name,
	// so later instantiations can import from it, and names it in
	// backtraces. It must not be registered already (ErrNameTaken).
	Name string
	// MemoryLimitPages caps the instance's defined memory at this many
	// 64 KiB pages: memory.grow past it returns -1, and a module whose
	// minimum is larger fails to instantiate with ErrMemoryLimit. A
	// module's declared maximum above the limit is lowered to it, not
	// rejected. Zero means the runtime's Config.MemoryLimitPages; the
	// lower of the two applies. Imported memories are not affected.
	MemoryLimitPages uint32
	// Fuel, if positive, turns on fuel metering for the instance with
	// this budget, from the start function on (see Instance.SetFuel).
	// Zero leaves metering off, which costs nothing.
	Fuel int64

	// The guest's system environment, as in wazero's ModuleConfig:
	// program arguments (Args[0] is the program name), environment
	// variables ("NAME=value", in the order the guest sees them), stdio
	// and a file system mounted at "/". instance/ does not use them
	// itself; a system host module the guest imports reads them
	// (instance/wasi: see wasi.Instantiate, which also says what nil
	// means). Set them directly or with WithArgs, WithEnv, WithStdin,
	// WithStdout, WithStderr and WithFS.
	Args           []string
	Env            []string
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	FS             fs.FS

	// values are the host values, in the order they were attached.
	values []valueDef
	// startFuncs are the exports Instantiate calls after the start
	// function (WithStartFunctions).
	startFuncs []string
}

// NewModuleConfig returns the ModuleConfig wazero's NewModuleConfig
// does: WithStartFunctions("_start"), so that Instantiate runs a WASI
// command's main as wazero's InstantiateModule does (and returns its
// *sys.ExitError unwrapped when it exits with a code other than 0, see
// WithStartFunctions). Its other fields are the zero ModuleConfig's: the
// instance is unnamed (wazero names it after the binary's name section
// unless WithName("") says otherwise). The zero ModuleConfig runs no
// export at all; wasi.Run then runs _start or _initialize and returns
// the exit as an error.
func NewModuleConfig() ModuleConfig {
	return ModuleConfig{startFuncs: []string{"_start"}}
}

// WithName returns a copy of mc with Name set to name (wazero's
// ModuleConfig.WithName). "" leaves the instance unnamed, which is also
// the default.
func (mc ModuleConfig) WithName(name string) ModuleConfig {
	mc.Name = name
	return mc
}

// WithStartFunctions returns a copy of mc whose instances have the
// exported functions named called, in order, once the module's own start
// function has run, as the last step of Instantiate (and of Reset), like
// wazero's ModuleConfig.WithStartFunctions. Names the module does not
// export as a function are skipped. Each must take no params; its results
// are dropped. A call that fails (a trap, a host error, ctx done) fails
// the instantiation with its error, except a *sys.ExitError of code 0
// (WASI's proc_exit(0)), which counts as success, as in wazero: the
// instance is returned and the names after it are not called. An exit
// with another code fails the instantiation with the guest's
// *sys.ExitError itself, not wrapped (as wazero's InstantiateModule
// returns it), so that err.(*sys.ExitError) matches.
//
// wazero's default is "_start" (NewModuleConfig here); the zero
// ModuleConfig's is none, because a WASI command's _start may be run
// with wasi.Run, which reports its exit code. A TinyGo or
// wasi-libc reactor needs WithStartFunctions("_initialize") (or
// wasi.Run) before its other exports are called.
func (mc ModuleConfig) WithStartFunctions(names ...string) ModuleConfig {
	mc.startFuncs = append([]string(nil), names...)
	return mc
}

// WithArgs returns a copy of mc with Args set to a copy of args
// (wazero's ModuleConfig.WithArgs): the program name, then its
// arguments.
func (mc ModuleConfig) WithArgs(args ...string) ModuleConfig {
	mc.Args = append([]string(nil), args...)
	return mc
}

// WithEnv returns a copy of mc whose Env sets the environment variable
// key to value (wazero's ModuleConfig.WithEnv): an entry "key=..."
// already in Env is replaced in place, otherwise "key=value" is
// appended. key must not be empty nor contain '=' (such a key is
// appended as it is, and the guest cannot look it up).
func (mc ModuleConfig) WithEnv(key, value string) ModuleConfig {
	env := slices.Clone(mc.Env)
	entry := key + "=" + value
	for i, e := range env {
		if strings.HasPrefix(e, key+"=") {
			env[i] = entry
			mc.Env = env
			return mc
		}
	}
	mc.Env = append(env, entry)
	return mc
}

// WithStdin returns a copy of mc with Stdin set to r.
func (mc ModuleConfig) WithStdin(r io.Reader) ModuleConfig {
	mc.Stdin = r
	return mc
}

// WithStdout returns a copy of mc with Stdout set to w.
func (mc ModuleConfig) WithStdout(w io.Writer) ModuleConfig {
	mc.Stdout = w
	return mc
}

// WithStderr returns a copy of mc with Stderr set to w.
func (mc ModuleConfig) WithStderr(w io.Writer) ModuleConfig {
	mc.Stderr = w
	return mc
}

// WithFS returns a copy of mc with FS set to fsys, the guest's file
// system at "/" (wazero's ModuleConfig.WithFS).
func (mc ModuleConfig) WithFS(fsys fs.FS) ModuleConfig {
	mc.FS = fsys
	return mc
}

// valueDef is one host value of a ModuleConfig: a fixed value, or a
// constructor run for each instance (open) and its destructor.
type valueDef struct {
	key, val any
	open     func(ctx context.Context) (any, error)
	close    func(val any)
}

// WithValue returns a copy of mc that attaches val under key to every
// instance created with it. Host functions read it from their caller
// with Instance.Value(key). key must be comparable; use an unexported
// type, as for context.WithValue, so that host modules do not collide.
// The same val is shared by all those instances: for state that must be
// per instance, use WithValueFunc.
func (mc ModuleConfig) WithValue(key, val any) ModuleConfig {
	return mc.with(valueDef{key: key, val: val})
}

// WithValueFunc returns a copy of mc that gives every instance created
// with it its own value under key: Instantiate calls newVal once per
// instance, after the imports are resolved and before the start function
// runs, and Instance.Value(key) returns the result. An error from newVal
// fails the instantiation (wrapped). closeVal, if not nil, receives the
// value when the instance is closed, or when a later step of the
// instantiation fails. This is how instance/wasi gives each instance its
// own arguments, environment, stdio and descriptor table.
func (mc ModuleConfig) WithValueFunc(key any, newVal func(ctx context.Context) (any, error), closeVal func(val any)) ModuleConfig {
	return mc.with(valueDef{key: key, open: newVal, close: closeVal})
}

// with returns a copy of mc with d appended to a fresh values slice.
func (mc ModuleConfig) with(d valueDef) ModuleConfig {
	vs := make([]valueDef, len(mc.values), len(mc.values)+1)
	copy(vs, mc.values)
	mc.values = append(vs, d)
	return mc
}

// instValue is a host value of an open instance.
type instValue struct {
	key, val any
	close    func(val any)
}

// Instance is an instantiated module (or host module): its functions,
// tables, memory and globals, and the pool slot holding its memory.
//
// An Instance is a handle: a two-word value (a pointer to the instance's
// state and a generation), passed and copied by value like memory.Slot.
// Instantiating a module allocates nothing for it. The state is recycled:
// once the instance is closed, a later instance of the same module may
// reuse it, and Close bumps its generation, so a copy of a closed handle,
// and every Function, Memory, Global or Table taken from it, refuses to
// work (ErrClosed, size 0, ...) instead of reaching the next tenant.
//
// The zero Instance is a closed instance with no exports (as is the
// result of a failed Instantiate): its methods return zero values and
// nil handles, Close does nothing and Reset fails with ErrClosed. Closed
// reports it.
//
// An Instance is not safe for concurrent use: run one call at a time on
// it (like wazero's api.Module). Close it to return its slot to the pool.
type Instance struct {
	*instCore
	gen uint64 // instCore.gen while this instance is open; always even
}

// instCore is the state of an open instance, and of the closed instances
// that used it before.
type instCore struct {
	rt      *Runtime
	e       *engine.Instance
	name    string
	exports map[string]decoder.Export
	slot    slotHandle // the zero Slot when the instance defines no memory
	hasSlot bool
	// memory is the defined memory, detached on Close.
	memory *engine.Memory
	// shared is the shared memory (threads) the instance defines or
	// imports, released on Close (see sharedMemory).
	shared *sharedMemory
	// ecfg is the runtime's engine configuration with Fuel pointing at
	// fuel while metering is on. Calls into the instance from Go use it.
	ecfg engine.Config
	fuel int64
	// stop is ecfg.Stopper: Close stops a call running on the instance.
	stop engine.Stopper
	// busy counts the calls from Go running on the instance, plus
	// closingBit once Close began and closedBit once the close is
	// finished: the last call to return after a Close during calls
	// finishes it (see Close and callDone). A call counts itself before
	// it checks that its handle is open, so the count can include late
	// calls of a closed handle, even into the next tenancy: the next
	// instantiation clears only the two bits.
	busy atomic.Int64
	// finishRecycle is finishClose's recycle argument for a deferred
	// close, and finishPending the counter the close counts in
	// (Runtime.closeCounter).
	finishRecycle bool
	finishPending *atomic.Int64
	// values are the host values (ModuleConfig.WithValue...).
	values []instValue
	// importerValues are a host module's values for its importers
	// (HostModuleBuilder.WithImporterValueFunc).
	importerValues []importerValue
	// startStack is the stack of the calls of runStartFunctions.
	startStack [2]uint64
	// mod, st and mc are what the instance was made from and with, for
	// Reset (st is the engine state holding this core). recycle is set
	// when st goes back to mod's free states on Close, to serve a later
	// instance.
	mod     *CompiledModule
	st      *instState
	mc      ModuleConfig
	recycle bool

	// gen is even while an instance is open in the core and odd once it
	// is closed (Close adds 1, the next instantiation 1 more): a handle is
	// open while gen equals its own.
	gen atomic.Uint64
	// registered is guarded by rt.mu; named is set for good once the
	// instance had a name (its parts may have been imported).
	registered []string
	named      atomic.Bool

	// prev, next and liveShard link the core into rt's open lists; seq
	// picks the list of an instance without a slot.
	prev, next *instCore
	liveShard  int32
	seq        uint64
}

// Module is the part of an instance's method set that code written
// against wazero's api.Module (an interface there) uses, so that such
// code ports by renaming api.Module to instance.Module: a function may
// return nil for one, and a slice of them may hold instances of different
// origins. Instance implements it, and is what the rest of the API takes
// and returns. Prefer Instance where speed counts: an Instance stored in a
// Module is boxed (one 16-byte allocation), and WithFunc calls a host
// function whose caller param is a Module through reflection. The
// methods' docs are Instance's; the concurrency rule is the same (one
// call at a time per instance).
type Module interface {
	// Name and String: see Instance.Name, Instance.String.
	Name() string
	String() string
	// Memory, ExportedFunction, ExportedMemory, ExportedGlobal,
	// ExportedTable: see Instance's; missing ones are nil handles
	// (IsNil).
	Memory() Memory
	ExportedFunction(name string) Function
	ExportedMemory(name string) Memory
	ExportedGlobal(name string) Global
	ExportedTable(name string) Table
	// Close and Closed: see Instance.Close, Instance.Closed.
	Close(ctx context.Context) error
	Closed() bool
}

var _ Module = Instance{}

// closedNow reports whether the instance i was closed (or is the zero
// Instance).
func (i Instance) closedNow() bool {
	return i.instCore == nil || i.gen&1 != 0 || i.instCore.gen.Load() != i.gen
}

// Closed reports whether the instance is closed: Close (or Runtime.Close)
// ran on it or a copy of it, a Reset failed, or i is the zero Instance.
func (i Instance) Closed() bool { return i.closedNow() }

// coreSeq numbers the instance cores as they are made (not per
// instantiation: cores are recycled).
var coreSeq atomic.Uint64

// handle returns the handle of the instance open in c, or a closed handle
// if there is none.
func (c *instCore) handle() Instance { return Instance{instCore: c, gen: c.gen.Load()} }

// Name returns the instance's module name ("" if none, or if the
// instance is closed: its state may serve another instance by now).
func (i Instance) Name() string {
	if i.closedNow() {
		return ""
	}
	return i.name
}

// String returns "module[name]" (see Name).
func (i Instance) String() string { return fmt.Sprintf("module[%s]", i.Name()) }

// Close resets the instance's memory slot and returns it to the pool,
// detaches the memory (see the package doc), and removes the instance's
// names from the runtime's namespace. Close is idempotent and always
// returns nil.
//
// Close may run during a call on the instance, from another goroutine or
// from a host function the call made: the handles close at once, the
// call is stopped (at its next loop back-edge, call, or MiB of a bulk
// instruction; a host function blocked in Go is not interrupted) and
// returns an error matching both ErrClosed and ErrTrapInterrupted, and
// the slot is reset and returned when the call has returned, not before.
//
// Close takes no runtime-wide lock unless the instance is registered under
// a name.
func (i Instance) Close(ctx context.Context) error {
	if i.closedNow() || !i.instCore.gen.CompareAndSwap(i.gen, i.gen+1) {
		return nil
	}
	r := i.rt
	// Counted before untrack: a Runtime.Close that no longer finds the
	// instance sees the count, and waits.
	pending := r.closeCounter(i.instCore)
	pending.Add(1)
	r.untrack(i.instCore)
	recycle := i.recycle
	if len(i.registered) > 0 || i.named.Load() { // named is only ever set before Close, under r.mu
		r.mu.Lock()
		for _, n := range i.registered {
			if cur, _ := r.lookup(n); cur == i {
				r.setName(n, Instance{})
			}
		}
		i.registered = nil
		recycle = false
		r.mu.Unlock()
	}
	c := i.instCore
	// Set before the closing bit: the call that sees the bit reads them.
	c.finishRecycle, c.finishPending = recycle, pending
	if c.busy.Or(closingBit)&^closingBit != 0 {
		// A call is running: stop it; the last call to return finishes.
		c.stop.Stop()
		return nil
	}
	// No call was running. One that passed its closed check before Close
	// began may have counted itself since: then it finishes, when it
	// sees the bit.
	if c.busy.CompareAndSwap(closingBit, closingBit|closedBit) {
		c.finishClose(recycle)
		pending.Add(-1)
	}
	return nil
}

// closingBit marks instCore.busy once Close began, closedBit once the
// close is finished (by Close or the last call to return).
const (
	closingBit = 1 << 62
	closedBit  = 1 << 61
)

// finishClose gives back what the closed instance held: its slot (reset),
// its host values, and its engine state when recycle is set.
func (c *instCore) finishClose(recycle bool) {
	c.releaseMemory()
	c.closeValues()
	if recycle {
		c.mod.putState(c.st)
	}
}

// callDone ends a call from Go on c, begun by a busy increment; the last
// call to end after a Close during it finishes the close.
func (c *instCore) callDone() {
	// The bit alone: Close ran and no call is left. Of the calls that
	// see it (a late one may count itself in between), the one whose
	// compare-and-swap sets closedBit finishes, once.
	if c.busy.Add(-1) == closingBit && c.busy.CompareAndSwap(closingBit, closingBit|closedBit) {
		recycle, pending := c.finishRecycle, c.finishPending
		c.finishClose(recycle) // c may serve another instance from here on
		pending.Add(-1)
	}
}

// Reset makes the instance a fresh instance of the same compiled module,
// created with the same ModuleConfig, in place: as Close followed by
// Runtime.Instantiate, except that the handle stays valid (and so do its
// copies and the Function, Memory, Global and Table handles taken from
// it, which see the fresh state) and nothing is allocated. The memory
// slot is reset and returned to the pool and a slot is acquired again,
// the warm one whenever it is free, so Reset costs what the last tenancy
// dirtied, like Close and Instantiate do; globals, tables and segments
// are initialised again and the start function (and the
// WithStartFunctions exports) run again.
//
// Reset serves one request per tenancy from a goroutine that owns its
// instance and its handles. It returns ErrClosed for a closed instance
// and an error for an instance registered under a name (its exports may
// be imported by others) or of a host module. If the new instantiation
// fails (a start
// function trap, no free slot, ...), the instance is left closed and the
// error is returned. Like Close, it must not run during a call on the
// instance.
func (i Instance) Reset(ctx context.Context) error {
	if i.closedNow() {
		return fmt.Errorf("instance: reset: %w", ErrClosed)
	}
	if len(i.registered) > 0 || i.named.Load() {
		return fmt.Errorf("instance: reset: %s is registered under a name", i)
	}
	if i.busy.Load() != 0 {
		return fmt.Errorf("instance: reset: %s is running a call", i)
	}
	if i.mod == nil {
		return fmt.Errorf("instance: reset: %s is a host module", i)
	}
	ctx = background(ctx)
	r, cm, st, mc := i.rt, i.mod, i.st, i.mc
	r.untrack(i.instCore)
	i.releaseMemory()
	i.closeValues()
	// The engine state stays with this handle (its generation too):
	// handles taken from the instance may point into it, and must see
	// this instance only. A failure closes it.
	_, err := r.instantiate(ctx, cm, mc, st)
	return err
}

// closeValues hands the per-instance host values to their closers, last
// attached first, and forgets them all.
func (c *instCore) closeValues() {
	for k := len(c.values) - 1; k >= 0; k-- {
		if v := &c.values[k]; v.close != nil {
			v.close(v.val)
		}
	}
	clear(c.values)
	c.values = c.values[:0]
}

// openValues attaches mc's host values to c, making the per-instance
// ones. On error, the ones made so far are closed.
func (c *instCore) openValues(ctx context.Context, mc *ModuleConfig) error {
	for _, d := range mc.values {
		v := instValue{key: d.key, val: d.val}
		if d.open != nil {
			val, err := d.open(ctx)
			if err != nil {
				c.closeValues()
				return fmt.Errorf("instance: host value %v: %w", d.key, err)
			}
			v.val, v.close = val, d.close
		}
		c.addValue(v)
	}
	return nil
}

// addValue appends v to c's values, whose backing array (kept across
// recycled instances) is on cache lines of its own: every instantiation
// and close writes it, and arrays of a few values of states used on
// different cores would otherwise share lines.
func (c *instCore) addValue(v instValue) {
	if cap(c.values) == 0 {
		c.values = ownLines[instValue](4)[:0]
	}
	c.values = append(c.values, v)
}

// openImporterValues attaches the values the host modules imported from
// make for c (HostModuleBuilder.WithImporterValueFunc), except those
// whose key c has already. On error the caller closes c's values.
func (c *instCore) openImporterValues(ctx context.Context, ivs []importerValue, mc ModuleConfig) error {
	for _, iv := range ivs {
		if _, ok := c.value(iv.key); ok {
			continue
		}
		val, err := iv.open(ctx, mc)
		if err != nil {
			return fmt.Errorf("instance: importer value %v: %w", iv.key, err)
		}
		if val != nil {
			c.addValue(instValue{key: iv.key, val: val, close: iv.close})
		}
	}
	return nil
}

// value returns c's host value under key, and whether it has one.
func (c *instCore) value(key any) (any, bool) {
	for k := range c.values {
		if c.values[k].key == key {
			return c.values[k].val, true
		}
	}
	return nil, false
}

// Value returns the host value attached under key by the ModuleConfig the
// instance was created with (WithValue, WithValueFunc) or by a host
// module it imports from (HostModuleBuilder.WithImporterValueFunc), or
// nil. Host
// functions call it on their caller to reach per-instance state. The
// lookup compares key with each attached key in turn and allocates
// nothing.
func (i Instance) Value(key any) any {
	if i.closedNow() {
		return nil
	}
	v, _ := i.value(key)
	return v
}

// SetFuel turns fuel metering on with a budget of n units, or off when n
// is negative. A metered call costs one unit per loop back-edge taken and
// per function call (wasm or host), counted in the instance the call from
// Go entered; when the budget runs out the call stops with an error
// matching ErrTrapFuelExhausted (a *TrapError) and the budget is 0. The
// count is deterministic: the same guest code with the same inputs
// consumes the same fuel on every run and machine.
//
// Like every method of Instance, SetFuel must not race with a call on
// the instance; the exception is a host function called by the
// instance's own code, which may read and change the budget (Fuel,
// SetFuel, AddFuel) of the running call, for example to charge for
// expensive host work or to refuel.
func (i Instance) SetFuel(n int64) {
	if i.closedNow() {
		return
	}
	if n < 0 {
		i.fuel, i.ecfg.Fuel = 0, nil
		return
	}
	i.fuel, i.ecfg.Fuel = n, &i.fuel
}

// AddFuel adds n units (n may be negative, to charge) to the budget and
// turns metering on if it was off (from a budget of 0). The budget does
// not go below 0 and saturates at math.MaxInt64.
func (i Instance) AddFuel(n int64) {
	if i.closedNow() {
		return
	}
	f := i.fuel
	switch {
	case n > 0 && f > math.MaxInt64-n:
		f = math.MaxInt64
	default:
		f = max(f+n, 0)
	}
	i.fuel, i.ecfg.Fuel = f, &i.fuel
}

// Fuel returns the remaining budget and whether metering is on. Between
// calls it is what the last call left; from a host function, what the
// running call has left.
func (i Instance) Fuel() (remaining int64, metered bool) {
	if i.closedNow() {
		return 0, false
	}
	return i.fuel, i.ecfg.Fuel != nil
}

// releaseMemory detaches the defined memory and gives its slot back.
func (c *instCore) releaseMemory() {
	if c.shared != nil {
		c.shared.release()
		c.shared = nil
	}
	var highWater uint64
	if c.memory != nil {
		highWater = c.memory.Size // a memory never shrinks: its largest size
		c.memory.Buf, c.memory.Cards, c.memory.Commit = nil, nil, nil
		c.memory.Size, c.memory.MaxPages = 0, 0
	}
	if c.hasSlot {
		c.rt.pool.release(c.slot, highWater)
		c.slot, c.hasSlot = slotHandle{}, false
	}
}

// stale reports whether a handle taken from i must refuse to work: i is
// closed (and its state may already serve another instance).
func (i Instance) stale() bool { return i.instCore != nil && i.closedNow() }

func (i Instance) export(name string, kind decoder.ExternKind) (uint32, bool) {
	if i.closedNow() { // the core may serve another instance now
		return 0, false
	}
	e, ok := i.exports[name]
	if !ok || e.Kind != kind {
		return 0, false
	}
	return e.Index, true
}

// ExportNames returns the names of the instance's exports of kind k, in
// no particular order (nil for a closed instance).
func (i Instance) ExportNames(k api.ExternType) []string {
	if i.closedNow() {
		return nil
	}
	var names []string
	for n, e := range i.exports {
		if api.ExternType(e.Kind) == k {
			names = append(names, n)
		}
	}
	return names
}

// ExportedFunction returns the exported function name, or a nil Function
// (IsNil; its calls fail) if the instance exports no function of that
// name or is closed. It allocates nothing.
func (i Instance) ExportedFunction(name string) Function {
	idx, ok := i.export(name, decoder.ExternFunc)
	if !ok {
		return Function{inst: i}
	}
	return Function{f: i.e.Funcs[idx], inst: i, rt: i.rt}
}

// ExportedMemory returns the exported memory name, or a nil Memory
// (IsNil; size 0) if there is none or the instance is closed.
func (i Instance) ExportedMemory(name string) Memory {
	if _, ok := i.export(name, decoder.ExternMemory); !ok {
		return Memory{inst: i}
	}
	return Memory{m: i.e.Memory, inst: i}
}

// Memory returns the instance's memory (memidx 0, defined or imported),
// or a nil Memory (IsNil; size 0) if it has none or is closed. Host
// functions use it on their caller; it allocates nothing.
func (i Instance) Memory() Memory {
	if i.closedNow() {
		return Memory{inst: i}
	}
	return Memory{m: i.e.Memory, inst: i}
}

// ExportedGlobal returns the exported global name, or a nil Global
// (IsNil) if there is none or the instance is closed.
func (i Instance) ExportedGlobal(name string) Global {
	idx, ok := i.export(name, decoder.ExternGlobal)
	if !ok {
		return Global{inst: i}
	}
	return Global{g: i.e.Globals[idx], inst: i}
}

// ExportedTable returns the exported table name, or a nil Table (IsNil)
// if there is none or the instance is closed.
func (i Instance) ExportedTable(name string) Table {
	idx, ok := i.export(name, decoder.ExternTable)
	if !ok {
		return Table{inst: i}
	}
	return Table{t: i.e.Tables[idx], rt: i.rt, inst: i}
}

// Function is a function of an instance (or host module) callable from
// Go: a small value, like Instance, valid while that instance is open.
// The nil Function (IsNil), which ExportedFunction returns for a missing
// export, has no type and its calls fail. It is not safe for concurrent
// use (see Instance).
type Function struct {
	f *engine.Function
	// inst is the owning instance, the zero Instance for a host function
	// reached through a table.
	inst Instance
	rt   *Runtime
}

// IsNil reports whether f is the nil Function: no such export (wazero's
// api.Function nil).
func (f Function) IsNil() bool { return f.f == nil }

// FunctionDefinition describes a function.
type FunctionDefinition struct {
	// ModuleName is the defining module's name; Name the function's name
	// from the name section (or the host function's name), "" if none.
	ModuleName, Name string
	// Index is the funcidx in the defining module.
	Index uint32
	// ParamTypes and ResultTypes are the signature (api.ValueTypeI32,
	// ...); a v128 value takes two cells in a call's stack.
	ParamTypes  []api.ValueType
	ResultTypes []api.ValueType // see ParamTypes
}

// Definition describes f (the zero value for the nil Function). The
// slices must not be modified.
func (f Function) Definition() FunctionDefinition {
	if f.f == nil {
		return FunctionDefinition{}
	}
	return FunctionDefinition{
		ModuleName:  f.f.ModuleName,
		Name:        f.f.Name,
		Index:       f.f.Index,
		ParamTypes:  f.f.Type.Params,
		ResultTypes: f.f.Type.Results,
	}
}

// ParamTypes returns the parameter types. The slice must not be modified.
func (f Function) ParamTypes() []api.ValueType {
	if f.f == nil {
		return nil
	}
	return f.f.Type.Params
}

// ResultTypes returns the result types. The slice must not be modified.
func (f Function) ResultTypes() []api.ValueType {
	if f.f == nil {
		return nil
	}
	return f.f.Type.Results
}

// Call calls f with params (one cell per value, two for a v128, encoded
// as by api.EncodeI32 etc.) and returns the results, encoded the same
// way. It allocates the result slice; CallWithStack does not allocate.
// Errors are those of CallWithStack, and a wrong number of params.
func (f Function) Call(ctx context.Context, params ...uint64) ([]uint64, error) {
	if err := f.nilErr(); err != nil {
		return nil, err
	}
	np, nr := cells(f.f.Type.Params), cells(f.f.Type.Results)
	if len(params) != np {
		return nil, fmt.Errorf("instance: %s expects %d params, got %d", f.describe(), np, len(params))
	}
	stack := make([]uint64, max(np, nr))
	copy(stack, params)
	if err := f.CallWithStack(ctx, stack); err != nil {
		return nil, err
	}
	return stack[:nr], nil
}

// CallWithStack calls f without allocating (wazero's convention): stack
// holds the param cells on entry and the result cells on return, so
// len(stack) must be at least max(param cells, result cells).
//
// The call stops early, with an error (a *TrapError) for errors.Is:
//   - a trap: ErrTrapUnreachable, ErrTrapOutOfBoundsMemory, ...;
//   - ctx cancelled or past its deadline: ErrTrapInterrupted, together
//     with the context's cause (context.Canceled, context.DeadlineExceeded
//     or the cause given to context.WithCancelCause). The check runs at
//     every loop back-edge and call, so a guest spinning in a loop without
//     calls stops too; it costs nothing measurable when ctx has no Done
//     channel (context.Background), and one context.AfterFunc
//     registration (one allocation) per call when it has one;
//   - fuel metering on and the budget spent: ErrTrapFuelExhausted (see
//     Instance.SetFuel);
//   - more nested calls than Config.MaxCallDepth, or a value stack over
//     Config.MaxStackCells: ErrTrapCallStackExhausted;
//   - a host function returning an error or panicking: the error (or a
//     *HostPanicError) is the TrapError's Cause.
//
// The instance stays usable after any of these: call it again, or Close
// it to return its slot. It fails without running if the instance is
// closed (ErrClosed), f is nil, or stack is too short.
func (f Function) CallWithStack(ctx context.Context, stack []uint64) error {
	if err := f.nilErr(); err != nil {
		return err
	}
	if n := max(cells(f.f.Type.Params), cells(f.f.Type.Results)); len(stack) < n {
		return fmt.Errorf("instance: %s needs a stack of %d cells, got %d", f.describe(), n, len(stack))
	}
	c := f.inst.instCore
	if c == nil { // a host function reached through a table
		if err := engine.Call(background(ctx), f.f, stack, &f.rt.ecfg); err != nil {
			return publicError(err)
		}
		return nil
	}
	if f.inst.closedNow() {
		return fmt.Errorf("instance: %s: module %w", f.describe(), ErrClosed)
	}
	// Count the call, then look again: a Close (and a new tenant of the
	// recycled state) may have come in between.
	if c.busy.Add(1)&closingBit != 0 || f.inst.closedNow() {
		c.callDone()
		return fmt.Errorf("instance: %s: module %w", f.describe(), ErrClosed)
	}
	err := engine.Call(background(ctx), f.f, stack, &c.ecfg)
	if err != nil {
		err = publicError(err)
		if c.busy.Load()&closingBit != 0 {
			err = fmt.Errorf("instance: %s: module closed during the call: %w (%w)", f.describe(), ErrClosed, err)
		}
	}
	c.callDone()
	return err
}

// nilErr returns the error of a call of the nil Function.
func (f Function) nilErr() error {
	if f.f != nil {
		return nil
	}
	if f.inst.stale() {
		return fmt.Errorf("instance: call of a function of a closed module: %w", ErrClosed)
	}
	return errors.New("instance: call of the nil Function (no such export)")
}

func (f Function) describe() string {
	name := f.f.Name
	if name == "" {
		name = fmt.Sprintf("$%d", f.f.Index)
	}
	return fmt.Sprintf("function %s.%s", f.f.ModuleName, name)
}

// Memory is a linear memory, seen from Go: offsets and sizes are in
// bytes, integers and floats are little-endian as in wasm. Offsets and
// byte counts are uint32, as wasm32 addresses are (and as in wazero's
// api.Memory): the last byte of a memory of 65536 pages is at 2^32-1.
// Sizes (Size, Pages, MaxPages) are uint64, since a 4 GiB memory's size
// in bytes, 2^32, does not fit a uint32. Every
// accessor is bounds-checked against the current size and reports
// false (reading nothing, writing nothing) when the range does not fit;
// none panics. Like Instance, a Memory is a small value, valid while its
// instance is open. Writes through the methods mark the written pages dirty,
// so the slot reset on Close restores them; writes through the slice
// that Read returns are not tracked (use Write).
//
// A Memory is not safe for concurrent use: use it from the goroutine
// calling into the instance, or from host functions it calls. A Memory
// taken from an instance works like a memory of size 0 once that
// instance is closed: reads and writes fail, Grow fails. So does the nil
// Memory (IsNil).
type Memory struct {
	m    *engine.Memory
	inst Instance // where the handle came from
}

// IsNil reports whether m is the nil Memory: the instance has no memory
// or no such export (wazero's api.Memory nil).
func (m Memory) IsNil() bool { return m.m == nil }

// mem returns the memory, or an empty one if the handle is nil or stale.
func (m Memory) mem() *engine.Memory {
	if m.m == nil || m.inst.stale() {
		return &engine.Memory{} // size 0, no growth
	}
	return m.m
}

// Size returns the current size in bytes: a multiple of 65536, at most
// 4 GiB (2^32, one more than a uint32 holds, hence uint64).
func (m Memory) Size() uint64 { return m.mem().Len() }

// Pages returns the current size in 64 KiB pages.
func (m Memory) Pages() uint64 { return m.mem().Pages() }

// MaxPages returns the most pages the memory can grow to: the least of
// its declared maximum, the slot size, the memory limit
// (Config.MemoryLimitPages, ModuleConfig.MemoryLimitPages) and 65536.
func (m Memory) MaxPages() uint64 { return m.mem().MaxPages }

// Grow adds delta pages and returns the previous size in pages, or false
// (size unchanged) if that would exceed MaxPages (or, on Windows and the
// Go-heap slot backend, if the pages cannot be committed). On Unix it
// never calls the kernel: the slot is mapped already.
func (m Memory) Grow(delta uint64) (uint64, bool) { return m.mem().Grow(delta) }

// Read returns a view of n bytes at off, or false if out of range. The
// view aliases the memory: it is valid until the instance closes, sees
// later writes, and writes through it are not tracked for the slot reset,
// so use Write to modify memory. Where slots live on the Go heap (wasip1,
// js, plan9; see the README's platform table) a grow moves the memory
// and a view taken before it no longer sees the memory: as with wazero's
// api.Memory.Read, take the view again after anything that may grow the
// memory (Grow, a call into the guest). n is at most 2^32-1, one byte
// short of a 4 GiB memory: read such a memory whole in two views.
func (m Memory) Read(off, n uint32) ([]byte, bool) { return m.mem().Read(uint64(off), uint64(n)) }

// Write copies p to off; false (nothing written) if out of range.
func (m Memory) Write(off uint32, p []byte) bool { return m.mem().Write(uint64(off), p) }

// WriteString copies s to off; false (nothing written) if out of range.
// It does not allocate.
func (m Memory) WriteString(off uint32, s string) bool {
	mm := m.mem()
	if size := mm.Len(); uint64(off) > size || uint64(len(s)) > size-uint64(off) {
		return false
	}
	copy(mm.Buf[off:], s)
	mm.MarkDirty(uint64(off), uint64(len(s)))
	return true
}

// ReadUint8 reads the byte at off (wazero's ReadByte).
func (m Memory) ReadUint8(off uint32) (byte, bool) {
	b, ok := m.mem().Read(uint64(off), 1)
	if !ok {
		return 0, false
	}
	return b[0], true
}

// WriteUint8 writes the byte v at off (wazero's WriteByte).
func (m Memory) WriteUint8(off uint32, v byte) bool {
	b, ok := m.view(off, 1)
	if ok {
		b[0] = v
	}
	return ok
}

// view returns the n bytes at off for writing, marked dirty, or false.
func (m Memory) view(off uint32, n uint64) ([]byte, bool) {
	mm := m.mem()
	b, ok := mm.Read(uint64(off), n)
	if ok {
		mm.MarkDirty(uint64(off), n)
	}
	return b, ok
}

// ReadUint16Le reads a little-endian uint16 at off.
func (m Memory) ReadUint16Le(off uint32) (uint16, bool) {
	b, ok := m.mem().Read(uint64(off), 2)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint16(b), true
}

// WriteUint16Le writes a little-endian uint16 at off.
func (m Memory) WriteUint16Le(off uint32, v uint16) bool {
	b, ok := m.view(off, 2)
	if ok {
		binary.LittleEndian.PutUint16(b, v)
	}
	return ok
}

// ReadUint32Le reads a little-endian uint32 at off.
func (m Memory) ReadUint32Le(off uint32) (uint32, bool) {
	b, ok := m.mem().Read(uint64(off), 4)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b), true
}

// WriteUint32Le writes a little-endian uint32 at off.
func (m Memory) WriteUint32Le(off uint32, v uint32) bool {
	b, ok := m.view(off, 4)
	if ok {
		binary.LittleEndian.PutUint32(b, v)
	}
	return ok
}

// ReadUint64Le reads a little-endian uint64 at off.
func (m Memory) ReadUint64Le(off uint32) (uint64, bool) {
	b, ok := m.mem().Read(uint64(off), 8)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b), true
}

// WriteUint64Le writes a little-endian uint64 at off.
func (m Memory) WriteUint64Le(off uint32, v uint64) bool {
	b, ok := m.view(off, 8)
	if ok {
		binary.LittleEndian.PutUint64(b, v)
	}
	return ok
}

// ReadFloat32Le reads a little-endian IEEE 754 float32 at off.
func (m Memory) ReadFloat32Le(off uint32) (float32, bool) {
	v, ok := m.ReadUint32Le(off)
	return math.Float32frombits(v), ok
}

// WriteFloat32Le writes v as a little-endian IEEE 754 float32 at off.
func (m Memory) WriteFloat32Le(off uint32, v float32) bool {
	return m.WriteUint32Le(off, math.Float32bits(v))
}

// ReadFloat64Le reads a little-endian IEEE 754 float64 at off.
func (m Memory) ReadFloat64Le(off uint32) (float64, bool) {
	v, ok := m.ReadUint64Le(off)
	return math.Float64frombits(v), ok
}

// WriteFloat64Le writes v as a little-endian IEEE 754 float64 at off.
func (m Memory) WriteFloat64Le(off uint32, v float64) bool {
	return m.WriteUint64Le(off, math.Float64bits(v))
}

// Global is a global variable. It is not safe for concurrent use.
//
// A Global is a small value, like Instance. A Global taken from an
// instance reads 0 and refuses Set once that instance is closed (its
// engine state may be recycled); so does the nil Global (IsNil).
type Global struct {
	g    *engine.Global
	inst Instance
}

// IsNil reports whether g is the nil Global (no such export).
func (g Global) IsNil() bool { return g.g == nil }

// glob returns the global, or a detached copy of its type if the handle
// is stale (an i32 const for the nil Global).
func (g Global) glob() *engine.Global {
	if g.g == nil {
		return &engine.Global{}
	}
	if g.inst.stale() {
		return &engine.Global{Type: g.g.Type}
	}
	return g.g
}

// Type returns the value type.
func (g Global) Type() api.ValueType { return g.glob().Type.Type }

// Mutable reports whether the global is mutable.
func (g Global) Mutable() bool { return g.glob().Type.Mutable }

// Get returns the value as a cell (for v128, the low half; see Get128).
func (g Global) Get() uint64 { return g.glob().Val }

// Get128 returns a v128 global's low and high halves.
func (g Global) Get128() (lo, hi uint64) {
	gl := g.glob()
	return gl.Val, gl.Hi
}

// Set sets a mutable global of a numeric or externref type. It fails for
// an immutable global or a funcref global.
func (g Global) Set(v uint64) error {
	if g.g == nil {
		return errors.New("instance: Set on the nil Global")
	}
	if g.inst.stale() {
		return fmt.Errorf("instance: global of a closed module: %w", ErrClosed)
	}
	if !g.g.Type.Mutable {
		return fmt.Errorf("instance: global is immutable")
	}
	if g.g.Type.Type == decoder.FuncRef {
		return fmt.Errorf("instance: cannot set a funcref global from Go")
	}
	g.g.Val = v
	return nil
}

// Table is a table. It is not safe for concurrent use.
//
// A Table is a small value, like Instance. A Table taken from an
// instance has size 0 once that instance is closed (its engine state may
// be recycled); so does the nil Table (IsNil).
type Table struct {
	t    *engine.Table
	rt   *Runtime
	inst Instance
}

// IsNil reports whether t is the nil Table (no such export).
func (t Table) IsNil() bool { return t.t == nil }

// tab returns the table, or an empty one if the handle is nil or stale.
func (t Table) tab() *engine.Table {
	if t.t == nil {
		return &engine.Table{Type: decoder.TableType{Elem: decoder.FuncRef}}
	}
	if t.inst.stale() {
		return &engine.Table{Type: t.t.Type}
	}
	return t.t
}

// Size returns the number of elements.
func (t Table) Size() uint64 { return t.tab().Size() }

// ElemType returns ValueTypeFuncref or api.ValueTypeExternref.
func (t Table) ElemType() api.ValueType { return t.tab().Type.Elem }

// Function returns the element i of a funcref table: the nil Function
// for a null element, and false if i is out of range or the table holds
// externrefs.
func (t Table) Function(i uint64) (Function, bool) {
	tt := t.tab()
	if tt.Type.Elem != decoder.FuncRef || i >= uint64(len(tt.Funcs)) {
		return Function{}, false
	}
	f := tt.Funcs[i]
	if f == nil {
		return Function{}, true
	}
	return Function{f: f, inst: ownerOf(f.Instance), rt: t.rt}, true
}

// ownerOf returns the handle of the instance whose engine instance is e
// (the zero Instance for nil or a host module's functions without one).
func ownerOf(e *engine.Instance) Instance {
	if e != nil {
		if c, ok := e.Owner.(*instCore); ok {
			return c.handle()
		}
	}
	return Instance{}
}

// Externref returns the element i of an externref table (0 for null), and
// false if i is out of range or the table holds funcrefs.
func (t Table) Externref(i uint64) (uint64, bool) {
	tt := t.tab()
	if tt.Type.Elem != decoder.ExternRef || i >= uint64(len(tt.Externs)) {
		return 0, false
	}
	return tt.Externs[i], true
}

// maxTableLimit is the largest table maximum (uint32 range).
const maxTableLimit = math.MaxUint32
