// Package trapfmt is the one definition of how a trap error reads, for
// the two TrapError types: the engine's, which the call path returns,
// and instance's, the public one that instance converts it to on the
// error path (so that no exported identifier of instance mentions an
// engine type). Both print, unwrap and name frames through these
// functions, so the text a user sees cannot drift from the engine's.
package trapfmt

import "fmt"

// Kind is a trap kind: a pointer to a struct whose Error is the spec
// suite's message (engine.Trap, instance.Trap).
type Kind[T any] interface {
	*T
	error
}

// Message returns a trap error's one line: the kind's message, then
// ": " and the cause's message; either may be nil.
func Message[K Kind[T], T any](kind K, cause error) string {
	switch {
	case kind != nil && cause != nil:
		return kind.Error() + ": " + cause.Error()
	case kind != nil:
		return kind.Error()
	case cause != nil:
		return cause.Error()
	}
	return ""
}

// Unwrap returns those of kind and cause that are not nil, for a
// TrapError's Unwrap() []error (errors.Is matches the kind and reaches
// the cause).
func Unwrap[K Kind[T], T any](kind K, cause error) []error {
	var errs []error
	if kind != nil {
		errs = append(errs, kind)
	}
	if cause != nil {
		errs = append(errs, cause)
	}
	return errs
}

// Frame names a backtrace frame "module.name (@0x1234)": "$funcidx" for a
// function without a name, no "module." without a module name, no offset
// when it is negative (unknown).
func Frame(module string, funcidx uint32, name string, offset int) string {
	if name == "" {
		name = fmt.Sprintf("$%d", funcidx)
	}
	if module != "" {
		name = module + "." + name
	}
	if offset >= 0 {
		return fmt.Sprintf("%s (@%#x)", name, offset)
	}
	return name
}
