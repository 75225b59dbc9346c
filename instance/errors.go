package instance

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
	"github.com/wpi-dev/wpi/internal/trapfmt"
)

// Trap is a WebAssembly trap kind (spec §4.4.1 "Traps"): the type of the
// ErrTrap... values, whose messages are the spec suite's (assert_trap).
// Compare a call's error with them using errors.Is.
type Trap struct{ msg string }

// Error returns the spec suite's message for the trap, e.g. "unreachable".
func (t *Trap) Error() string { return t.msg }

// Trap kinds, for errors.Is on the error of a call or of an instantiation
// whose segments or start function trapped.
var (
	// ErrTrapUnreachable: the unreachable instruction ran.
	ErrTrapUnreachable = &Trap{"unreachable"}
	// ErrTrapOutOfBoundsMemory: a load, store or bulk memory instruction
	// reached past the memory's current size.
	ErrTrapOutOfBoundsMemory = &Trap{"out of bounds memory access"}
	// ErrTrapOutOfBoundsTable: a table instruction or call_indirect used
	// an index past the table's size.
	ErrTrapOutOfBoundsTable = &Trap{"out of bounds table access"}
	// ErrTrapIntegerDivideByZero: an integer division or remainder by 0.
	ErrTrapIntegerDivideByZero = &Trap{"integer divide by zero"}
	// ErrTrapIntegerOverflow: a signed division of the least integer by
	// -1, or a truncation whose result does not fit.
	ErrTrapIntegerOverflow = &Trap{"integer overflow"}
	// ErrTrapInvalidConversion: a truncation of NaN to an integer.
	ErrTrapInvalidConversion = &Trap{"invalid conversion to integer"}
	// ErrTrapIndirectCallType: call_indirect found a function of another
	// type than the one the instruction names.
	ErrTrapIndirectCallType = &Trap{"indirect call type mismatch"}
	// ErrTrapUndefinedElement: call_indirect with an index past the table.
	ErrTrapUndefinedElement = &Trap{"undefined element"}
	// ErrTrapUninitializedElement: call_indirect found a null element.
	ErrTrapUninitializedElement = &Trap{"uninitialized element"}
	// ErrTrapCallStackExhausted: more nested calls than
	// Config.MaxCallDepth, or a value stack over Config.MaxStackCells.
	ErrTrapCallStackExhausted = &Trap{"call stack exhausted"}
	// ErrTrapInterrupted: the call's context was cancelled or its deadline
	// passed. The context's cause is wrapped too, so
	// errors.Is(err, context.DeadlineExceeded) holds after a deadline.
	ErrTrapInterrupted = &Trap{"interrupted"}
	// ErrTrapFuelExhausted: fuel metering is on and the budget ran out
	// (see Instance.SetFuel).
	ErrTrapFuelExhausted = &Trap{"all fuel consumed"}
	// ErrTrapNullFunctionReference: call_ref or return_call_ref of a null
	// reference (typed function references).
	ErrTrapNullFunctionReference = &Trap{"null function reference"}
	// ErrTrapNullReference: ref.as_non_null of a null reference.
	ErrTrapNullReference = &Trap{"null reference"}
	// ErrTrapNullExceptionReference: throw_ref of a null exnref
	// (exception handling).
	ErrTrapNullExceptionReference = &Trap{"null exception reference"}
	// ErrTrapUnalignedAtomic: an atomic access (threads) whose effective
	// address is not a multiple of its size.
	ErrTrapUnalignedAtomic = &Trap{"unaligned atomic"}
	// ErrTrapExpectedSharedMemory: memory.atomic.wait32/64 on a memory
	// that is not shared (threads).
	ErrTrapExpectedSharedMemory = &Trap{"expected shared memory"}
)

// trapOf maps the engine's trap kinds to the package's, which are the
// documented ones; the engine's stay internal to the call path. The two
// lists are kept on purpose (the public one is API, its messages shown by
// go doc; the engine's may gain kinds first): TestEveryEngineTrapHasAName
// fails when an engine kind has no public one with the same message, and
// kindOf covers the gap at run time.
var trapOf = map[*engine.Trap]*Trap{
	engine.ErrUnreachable:            ErrTrapUnreachable,
	engine.ErrOutOfBoundsMemory:      ErrTrapOutOfBoundsMemory,
	engine.ErrOutOfBoundsTable:       ErrTrapOutOfBoundsTable,
	engine.ErrIntegerDivideByZero:    ErrTrapIntegerDivideByZero,
	engine.ErrIntegerOverflow:        ErrTrapIntegerOverflow,
	engine.ErrInvalidConversion:      ErrTrapInvalidConversion,
	engine.ErrIndirectCallType:       ErrTrapIndirectCallType,
	engine.ErrUndefinedElement:       ErrTrapUndefinedElement,
	engine.ErrUninitializedElem:      ErrTrapUninitializedElement,
	engine.ErrStackExhausted:         ErrTrapCallStackExhausted,
	engine.ErrInterrupted:            ErrTrapInterrupted,
	engine.ErrFuelExhausted:          ErrTrapFuelExhausted,
	engine.ErrNullFunctionReference:  ErrTrapNullFunctionReference,
	engine.ErrNullReference:          ErrTrapNullReference,
	engine.ErrNullExceptionReference: ErrTrapNullExceptionReference,
	engine.ErrUnalignedAtomic:        ErrTrapUnalignedAtomic,
	engine.ErrExpectedSharedMemory:   ErrTrapExpectedSharedMemory,
}

var (
	extraTrapsMu sync.Mutex
	extraTraps   = map[*engine.Trap]*Trap{}
)

// kindOf returns the package's trap for an engine trap. A kind the table
// does not list yet (a proposal's new trap) gets a Trap of its own with
// the engine's message, made once, so that errors.Is still works.
func kindOf(k *engine.Trap) *Trap {
	if k == nil {
		return nil
	}
	if t, ok := trapOf[k]; ok {
		return t
	}
	extraTrapsMu.Lock()
	defer extraTrapsMu.Unlock()
	t, ok := extraTraps[k]
	if !ok {
		t = &Trap{k.Error()}
		extraTraps[k] = t
	}
	return t
}

// TrapError is the error of a call (or instantiation) that trapped: the
// trap kind, the cause for host failures and interruptions, and the wasm
// backtrace. Get it with errors.As; errors.Is matches the kind
// (ErrTrapUnreachable, ...) and reaches the cause.
//
// It is converted from the engine's error on the error path (a call that
// returns nil pays nothing); both read the same, from one definition
// (internal/trapfmt).
//
// Formatted with %v (or Error) it is one line, "unreachable" or
// "interrupted: context deadline exceeded"; with %+v the line is followed
// by the backtrace, one frame per line, innermost first (see Backtrace).
type TrapError struct {
	// Kind is the trap kind, or nil when a host function failed (returned
	// an error or panicked) and Cause says how.
	Kind *Trap
	// Cause is the host function's error or *HostPanicError, or the
	// context's cause for ErrTrapInterrupted; nil otherwise.
	Cause error
	// Trace is the wasm backtrace, innermost frame first.
	Trace []FrameInfo
}

// Error returns the kind and the cause on one line.
func (e *TrapError) Error() string { return trapfmt.Message(e.Kind, e.Cause) }

// Format implements fmt.Formatter: %+v adds the backtrace to Error's
// line; every other verb prints Error's line as %v and %s do.
func (e *TrapError) Format(s fmt.State, verb rune) {
	switch {
	case verb == 'v' && s.Flag('+'):
		io.WriteString(s, e.Error())
		if len(e.Trace) > 0 {
			io.WriteString(s, "\nwasm backtrace:\n")
			io.WriteString(s, e.Backtrace())
		}
	case verb == 'q':
		fmt.Fprintf(s, "%q", e.Error())
	default:
		io.WriteString(s, e.Error())
	}
}

// Unwrap returns the trap kind and the cause, for errors.Is and errors.As.
func (e *TrapError) Unwrap() []error { return trapfmt.Unwrap(e.Kind, e.Cause) }

// Backtrace renders Trace one frame per line, innermost first:
// "  0: module.func (@0x1234)\n".
func (e *TrapError) Backtrace() string {
	var b strings.Builder
	for i, f := range e.Trace {
		fmt.Fprintf(&b, "  %d: %s\n", i, f)
	}
	return b.String()
}

// FrameInfo is one entry of TrapError.Trace.
type FrameInfo struct {
	// Module is the name of the module defining the function ("" if none).
	Module string
	// Func is the funcidx within that module; Name its name from the name
	// section (or the host function's name), "" if it has none.
	Func uint32
	Name string
	// Offset is the byte offset in the module binary of the instruction
	// executing in this frame, or -1 if unknown (host functions).
	Offset int
	// File, Line and Column are the source position of that instruction,
	// from the module's DWARF line table (.debug_line), when the module
	// carries DWARF; "" and 0 otherwise. Column is 0 when unknown. Name
	// comes from DWARF too when the name section has none.
	File         string
	Line, Column int
}

// String renders the frame as "module.name (@0x1234)", with "$funcidx"
// for a function without a name and no offset when it is unknown, then
// " at file:line:column" when the position is known.
func (f FrameInfo) String() string {
	name := trapfmt.Frame(f.Module, f.Func, f.Name, f.Offset)
	switch {
	case f.Line > 0 && f.Column > 0:
		name = fmt.Sprintf("%s at %s:%d:%d", name, f.File, f.Line, f.Column)
	case f.Line > 0:
		name = fmt.Sprintf("%s at %s:%d", name, f.File, f.Line)
	}
	return name
}

// HostPanicError is the Cause of a TrapError raised by a host function
// that panicked: Func names it ("module.name"), Value is what it panicked
// with.
type HostPanicError struct {
	Func  string
	Value any
}

// Error returns "host function module.name panicked: " and the value.
func (e *HostPanicError) Error() string {
	return fmt.Sprintf("host function %s panicked: %v", e.Func, e.Value)
}

// Unwrap returns the panic value if it is an error (so errors.As finds,
// e.g., a sys.ExitError a host function panicked with).
func (e *HostPanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// IsTrap reports whether err is or wraps a trap kind (ErrTrap...).
func IsTrap(err error) bool {
	var t *Trap
	return errors.As(err, &t)
}

// publicError turns the engine's errors into the package's: a
// *engine.TrapError becomes a *TrapError (its HostPanicError cause a
// *HostPanicError), anything else is returned as is. Only the error path
// pays for it.
func publicError(err error) error {
	te, ok := err.(*engine.TrapError)
	if !ok {
		return err
	}
	out := &TrapError{Kind: kindOf(te.Kind), Cause: te.Cause}
	if hp, ok := te.Cause.(*engine.HostPanicError); ok {
		out.Cause = &HostPanicError{Func: hp.Func, Value: hp.Value}
	}
	if exn, ok := te.Cause.(*engine.Exception); ok {
		out.Cause = exceptionOf(exn)
	}
	if len(te.Trace) > 0 {
		out.Trace = make([]FrameInfo, len(te.Trace))
		for i, f := range te.Trace {
			out.Trace[i] = FrameInfo{Module: f.Module, Func: f.Func, Name: f.Name, Offset: f.Offset}
			if f.Fn != nil && f.Fn.Instance != nil {
				if c, ok := f.Fn.Instance.Owner.(*instCore); ok && c.mod != nil {
					c.mod.resolve(&out.Trace[i])
				}
			}
		}
	}
	return out
}

// Decoding errors: Runtime.Compile's error matches one of them with
// errors.Is, and says which rule failed where (section, byte offset).
var (
	// ErrMalformedModule: the binary does not follow the binary format
	// (spec §5), e.g. "magic header not detected" or a truncated section.
	ErrMalformedModule = errors.New("malformed module")
	// ErrInvalidModule: the module decodes but fails validation (spec
	// §3), e.g. "type mismatch", or uses a feature Config.Features
	// excludes.
	ErrInvalidModule = errors.New("invalid module")
)

// compileError is Compile's error: the decoder's, also matching the
// package's sentinels.
type compileError struct{ err error }

func (e *compileError) Error() string { return e.err.Error() }
func (e *compileError) Unwrap() error { return e.err }

// Is matches ErrMalformedModule and ErrInvalidModule by the decoder's kind.
func (e *compileError) Is(target error) bool {
	switch target {
	case ErrMalformedModule:
		return errors.Is(e.err, decoder.ErrMalformed)
	case ErrInvalidModule:
		return errors.Is(e.err, decoder.ErrInvalid)
	}
	return false
}

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
