package engine

import "github.com/wpi-dev/wpi/internal/trapfmt"

// Trap is a WebAssembly trap kind (spec §4.4.1 "Traps"). The trap kinds are
// the sentinel values below; compare with errors.Is. Their messages are the
// ones the spec test suite expects (assert_trap).
type Trap struct{ msg string }

// Error returns the spec suite's message for the trap, e.g. "unreachable".
func (t *Trap) Error() string { return t.msg }

// Trap kinds.
var (
	ErrUnreachable         = &Trap{"unreachable"}
	ErrOutOfBoundsMemory   = &Trap{"out of bounds memory access"}
	ErrOutOfBoundsTable    = &Trap{"out of bounds table access"}
	ErrIntegerDivideByZero = &Trap{"integer divide by zero"}
	ErrIntegerOverflow     = &Trap{"integer overflow"}
	ErrInvalidConversion   = &Trap{"invalid conversion to integer"}
	ErrIndirectCallType    = &Trap{"indirect call type mismatch"}
	ErrUndefinedElement    = &Trap{"undefined element"}
	ErrUninitializedElem   = &Trap{"uninitialized element"}
	ErrStackExhausted      = &Trap{"call stack exhausted"}
	// ErrNullFunctionReference: call_ref or return_call_ref of a null
	// reference (typed function references).
	ErrNullFunctionReference = &Trap{"null function reference"}
	// ErrNullReference: ref.as_non_null of a null reference.
	ErrNullReference = &Trap{"null reference"}
	// ErrNullExceptionReference: throw_ref of a null exnref.
	ErrNullExceptionReference = &Trap{"null exception reference"}
	// ErrUnalignedAtomic: an atomic access (threads) whose effective
	// address is not a multiple of its size.
	ErrUnalignedAtomic = &Trap{"unaligned atomic"}
	// ErrExpectedSharedMemory: memory.atomic.wait32/64 on a memory that
	// is not shared.
	ErrExpectedSharedMemory = &Trap{"expected shared memory"}
	// ErrInterrupted is returned when a running call is stopped because its
	// context was cancelled or its deadline passed. The context's error is
	// wrapped too: errors.Is(err, context.DeadlineExceeded) holds for a
	// deadline.
	ErrInterrupted = &Trap{"interrupted"}
	// ErrFuelExhausted is returned when a call's fuel budget runs out.
	ErrFuelExhausted = &Trap{"all fuel consumed"}
)

// trapCode numbers the trap kinds inside the interpreter loop, which
// returns a small integer rather than an interface value.
type trapCode uint8

const (
	trapNone trapCode = iota
	trapUnreachable
	trapOOBMemory
	trapOOBTable
	trapDivByZero
	trapOverflow
	trapInvalidConversion
	trapIndirectType
	trapUndefinedElement
	trapUninitializedElement
	trapStackExhausted
	trapInterrupted
	trapFuel
	trapNullFuncRef
	trapNullRef
	trapNullExnRef
	trapUnalignedAtomic
	trapExpectedShared
	trapHost // a host function returned an error or panicked; see machine.hostErr
)

var trapErrors = [...]*Trap{
	trapUnreachable:          ErrUnreachable,
	trapOOBMemory:            ErrOutOfBoundsMemory,
	trapOOBTable:             ErrOutOfBoundsTable,
	trapDivByZero:            ErrIntegerDivideByZero,
	trapOverflow:             ErrIntegerOverflow,
	trapInvalidConversion:    ErrInvalidConversion,
	trapIndirectType:         ErrIndirectCallType,
	trapUndefinedElement:     ErrUndefinedElement,
	trapUninitializedElement: ErrUninitializedElem,
	trapStackExhausted:       ErrStackExhausted,
	trapInterrupted:          ErrInterrupted,
	trapFuel:                 ErrFuelExhausted,
	trapNullFuncRef:          ErrNullFunctionReference,
	trapNullRef:              ErrNullReference,
	trapNullExnRef:           ErrNullExceptionReference,
	trapUnalignedAtomic:      ErrUnalignedAtomic,
	trapExpectedShared:       ErrExpectedSharedMemory,
}

// FrameInfo is one entry of a trap's wasm backtrace, innermost first.
type FrameInfo struct {
	// Module is the name of the module defining the function ("" if none).
	Module string
	// Func is the funcidx within that module; Name its name from the name
	// section, or "" if it has none.
	Func uint32
	Name string
	// Offset is the byte offset in the module binary of the instruction
	// executing in this frame, or -1 if unknown.
	Offset int
	// Fn is the function, for the instance layer to find its module's
	// debug information (DWARF).
	Fn *Function
}

// String renders the frame as "module.name (@0x1234)" (see
// trapfmt.Frame).
func (f FrameInfo) String() string { return trapfmt.Frame(f.Module, f.Func, f.Name, f.Offset) }

// TrapError is the error a call returns when it traps: the trap kind, the
// cause for host failures and interruptions, and the wasm backtrace.
// errors.Is(err, ErrUnreachable) etc. match on the kind; errors.Is/As also
// reach the cause. It is the call path's error: instance converts it to
// its public instance.TrapError (which adds DWARF positions and the %+v
// backtrace); both read the same through internal/trapfmt.
type TrapError struct {
	Kind  *Trap
	Cause error // host function error or panic, context error; may be nil
	Trace []FrameInfo
}

// Error returns the kind and the cause on one line.
func (e *TrapError) Error() string { return trapfmt.Message(e.Kind, e.Cause) }

// Unwrap returns the trap kind and the cause, for errors.Is and errors.As.
func (e *TrapError) Unwrap() []error { return trapfmt.Unwrap(e.Kind, e.Cause) }
