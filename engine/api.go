package engine

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/wpi-dev/wpi/decoder"
)

// Features are the core features the engine runs: Wasm 2.0 and the
// proposals whose instructions it implements. A body that uses an
// instruction of another proposal fails Compile with a *CompileError
// ("unsupported opcode").
const Features = api.CoreFeaturesV2 | experimental.CoreFeaturesExtendedConst |
	experimental.CoreFeaturesTailCall | experimental.CoreFeaturesTypedFunctionReferences |
	experimental.CoreFeaturesExceptionHandling | experimental.CoreFeaturesThreads

// Module is a compiled module: the decoded module plus the interpreter's
// code for each defined function. It is immutable and safe for concurrent
// use by any number of instances.
type Module struct {
	Decoded *decoder.Module
	// Owner is free for the instance layer (its compiled module), to find
	// a function's module from a profile sample.
	Owner any
	// Codes holds the compiled body of each defined function, in funcidx
	// order (imports excluded).
	Codes []*Code
	// TypeIDs holds the interned id (see TypeID) of each typeidx.
	TypeIDs []uint32
}

// Config holds the limits of execution. The zero value means the defaults.
type Config struct {
	// MaxCallDepth is the most nested wasm calls before the trap "call
	// stack exhausted". Default DefaultMaxCallDepth.
	MaxCallDepth int
	// MaxStackCells is the most 64-bit cells of value stack a call may use
	// before the same trap. Default DefaultMaxStackCells (8 MiB).
	MaxStackCells int
	// Fuel, when non-nil, meters the call: each loop back-edge taken and
	// each call costs one unit, and the call traps with ErrFuelExhausted
	// when the budget *Fuel runs out. The remaining budget is written back
	// when the call ends, however it ends, so a caller can refuel and go
	// on. nil (the default) costs nothing.
	Fuel *int64
	// Sampler, when non-nil and running, samples the call's wasm stack
	// (see Sampler); stopped, it costs the call one atomic load.
	Sampler *Sampler
	// Stopper, when non-nil, lets another goroutine stop the calls
	// running with this Config (Stopper.Stop), as a done context does:
	// they end with ErrInterrupted at the next back-edge, call or MiB of a
	// bulk instruction.
	Stopper *Stopper
}

// Stopper stops the calls running with a Config from another goroutine
// (the instance layer's Close during a call). The zero Stopper is ready;
// once stopped it stays stopped until Reset, which must not run while a
// call uses it.
type Stopper struct {
	running atomic.Pointer[machine] // the innermost call's machine
	stopped atomic.Bool
}

// Stop makes the running call (and every later one, until Reset) stop.
// Safe for concurrent use.
func (s *Stopper) Stop() {
	s.stopped.Store(true) // before the load: see enter and leave
	if m := s.running.Load(); m != nil {
		m.stop()
	}
}

// Stopped reports whether Stop ran since the last Reset.
func (s *Stopper) Stopped() bool { return s.stopped.Load() }

// Reset makes the Stopper ready for new calls.
func (s *Stopper) Reset() { s.stopped.Store(false) }

// enter makes m the running call's machine and returns the one it
// replaces (a re-entrant call's caller).
func (s *Stopper) enter(m *machine) (prev *machine) {
	prev = s.running.Swap(m)
	if s.stopped.Load() {
		m.stop()
	}
	return prev
}

// leave restores prev as the running machine. It reports whether Stop
// may still write to m (it ran during the call): then m must not be
// reused. Stop stores stopped before it loads running, so a Stop that
// loaded m is seen here.
func (s *Stopper) leave(prev *machine) (mayTouch bool) {
	s.running.Store(prev)
	if s.stopped.Load() {
		if prev != nil {
			prev.stop()
		}
		return true
	}
	return false
}

// Default limits.
const (
	DefaultMaxCallDepth  = 10000
	DefaultMaxStackCells = 1 << 20
)

var (
	typeIDsMu sync.Mutex
	typeIDs   = map[string]uint32{}
)

// TypeID returns the process-wide interned id of a signature: two
// signatures get the same id exactly when they are equal. Safe for
// concurrent use.
func TypeID(t *decoder.FuncType) uint32 {
	k := t.Key()
	typeIDsMu.Lock()
	id, ok := typeIDs[k]
	if !ok {
		id = uint32(len(typeIDs))
		typeIDs[k] = id
	}
	typeIDsMu.Unlock()
	return id
}

// Call runs f with the parameters in stack and leaves the results there
// (len(stack) >= max(len(params), len(results)); cells encoded as for
// Global). It returns nil, a *TrapError (wrapping one of the Err* trap
// kinds, or the error or panic of a host function), never panics.
//
// Call may be used by many goroutines at once on functions of different
// instances; the calls on one instance must not overlap (an instance is
// single-threaded, like wazero's api.Module).
func Call(ctx context.Context, f *Function, stack []uint64, cfg *Config) error {
	return callFunction(ctx, f, stack, cfg)
}
