package instance

import (
	"errors"

	"github.com/wpi-dev/wpi/engine"
)

// Trap kinds, for errors.Is on the error of a call or of an instantiation
// whose segments or start function trapped. They are the engine's
// sentinels (the same values), so either name compares equal. Their
// messages are the spec suite's.
var (
	ErrTrapUnreachable          = engine.ErrUnreachable
	ErrTrapOutOfBoundsMemory    = engine.ErrOutOfBoundsMemory
	ErrTrapOutOfBoundsTable     = engine.ErrOutOfBoundsTable
	ErrTrapIntegerDivideByZero  = engine.ErrIntegerDivideByZero
	ErrTrapIntegerOverflow      = engine.ErrIntegerOverflow
	ErrTrapInvalidConversion    = engine.ErrInvalidConversion
	ErrTrapIndirectCallType     = engine.ErrIndirectCallType
	ErrTrapUndefinedElement     = engine.ErrUndefinedElement
	ErrTrapUninitializedElement = engine.ErrUninitializedElem
	// ErrTrapCallStackExhausted: more nested calls than
	// Config.MaxCallDepth, or a value stack over Config.MaxStackCells.
	ErrTrapCallStackExhausted = engine.ErrStackExhausted
	// ErrTrapInterrupted: the call's context was cancelled or its deadline
	// passed. The context's cause is wrapped too, so
	// errors.Is(err, context.DeadlineExceeded) holds after a deadline.
	ErrTrapInterrupted = engine.ErrInterrupted
	// ErrTrapFuelExhausted: fuel metering is on and the budget ran out
	// (see Instance.SetFuel).
	ErrTrapFuelExhausted = engine.ErrFuelExhausted
)

// TrapError is the concrete type of a trap: kind, cause (host error or
// panic, context error) and wasm backtrace. Use errors.As to get it.
type TrapError = engine.TrapError

// HostPanicError is the Cause of a TrapError raised by a host function
// that panicked; Value is what it panicked with.
type HostPanicError = engine.HostPanicError

// FrameInfo is one entry of TrapError.Trace, innermost first.
type FrameInfo = engine.FrameInfo

// IsTrap reports whether err is or wraps a trap kind.
func IsTrap(err error) bool { return engine.IsTrap(err) }

// Link and lifecycle errors.
var (
	// ErrUnknownImport: an import names a module that is not registered
	// in the runtime, or a field that module does not export. The spec
	// suite's assert_unlinkable text.
	ErrUnknownImport = errors.New("unknown import")
	// ErrIncompatibleImport: the export an import resolves to has another
	// kind or a type that does not match the import's (function
	// signatures must be equal; table and memory limits must be subtypes;
	// global types and mutability must be equal).
	ErrIncompatibleImport = errors.New("incompatible import type")
	// ErrUnsupportedImport: a module imports an interface wpi does not
	// provide yet (WASI).
	ErrUnsupportedImport = errors.New("unsupported import")
	// ErrSegmentDoesNotFit is the Wasm 1.0 link error for an active
	// element or data segment outside its table or memory, used when the
	// runtime's features exclude bulk memory operations (Wasm 2.0 traps
	// instead: ErrTrapOutOfBoundsTable / ErrTrapOutOfBoundsMemory).
	ErrSegmentDoesNotFit = errors.New("segment does not fit")
	// ErrClosed: the runtime or instance was closed.
	ErrClosed = errors.New("closed")
	// ErrNameTaken: a module name is already registered in the runtime.
	ErrNameTaken = errors.New("module name already registered")
	// ErrMemoryTooLarge: a module's minimum memory does not fit a slot of
	// the runtime's pool.
	ErrMemoryTooLarge = errors.New("memory minimum does not fit a slot")
	// ErrMemoryLimit: a module's minimum memory is larger than the
	// instance's memory limit (Config.MemoryLimitPages,
	// ModuleConfig.MemoryLimitPages).
	ErrMemoryLimit = errors.New("memory minimum exceeds the memory limit")
)

// Trap is the type of the trap kinds (ErrTrapUnreachable, ...).
type Trap = engine.Trap
