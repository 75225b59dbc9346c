package decoder

import (
	"errors"
	"fmt"
	"strings"
)

// ErrorKind says why a module was rejected.
type ErrorKind uint8

const (
	// Malformed: the bytes are not a module in the binary format (spec §5):
	// truncated input, bad magic or version, an overlong or too large LEB128
	// integer, invalid UTF-8, sections out of order, count mismatches, ...
	Malformed ErrorKind = iota + 1
	// Invalid: the module is well-formed but does not validate (spec §3).
	// The reason is wazero's, whose validator is the gate (see Decode), or
	// ours for the few validation errors the parser meets first (a
	// constant expression using a non-constant instruction).
	Invalid
	// Unsupported: the module uses a proposal whose constructs the Module
	// description cannot represent (exception-handling tags, typed function
	// references, GC types), even though the feature flag was enabled.
	Unsupported
)

// String returns "malformed", "invalid" or "unsupported".
func (k ErrorKind) String() string {
	switch k {
	case Malformed:
		return "malformed"
	case Invalid:
		return "invalid"
	case Unsupported:
		return "unsupported"
	}
	return "unknown"
}

// Sentinels matched by errors.Is against an *Error of the corresponding
// Kind.
var (
	ErrMalformed   = errors.New("malformed module")
	ErrInvalid     = errors.New("invalid module")
	ErrUnsupported = errors.New("unsupported module")
)

// Error is the error returned by Decode. Use errors.Is with ErrMalformed,
// ErrInvalid or ErrUnsupported to test the kind, or errors.As to get the
// details.
type Error struct {
	Kind ErrorKind
	// Section is the name of the section where the error was found ("type",
	// "code", "custom", ...), or "" if it is not known (the module header,
	// or a validation error reported by wazero).
	Section string
	// FuncIndex is the funcidx (imports counted first) of the function
	// whose code entry holds the error, or -1.
	FuncIndex int
	// Offset is the byte offset of the error in the binary, or -1 if it is
	// not known.
	Offset int
	// Reason says what is wrong, in the spec's words where it has some
	// ("unexpected end", "integer too large", ...).
	Reason string
	// Err is the underlying error, if any (wazero's for Invalid errors).
	Err error
}

// Error returns one line, e.g.
// "malformed module: section code, function[3] at offset 0x1a2: unexpected end".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	b.WriteString(" module")
	where := false
	if e.Section != "" {
		b.WriteString(": section ")
		b.WriteString(e.Section)
		where = true
	}
	if e.FuncIndex >= 0 {
		if where {
			b.WriteString(", ")
		} else {
			b.WriteString(": ")
		}
		fmt.Fprintf(&b, "function[%d]", e.FuncIndex)
		where = true
	}
	if e.Offset >= 0 {
		if where {
			b.WriteString(" ")
		} else {
			b.WriteString(": ")
		}
		fmt.Fprintf(&b, "at offset %#x", e.Offset)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Is reports whether target is the sentinel of e's Kind.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrMalformed:
		return e.Kind == Malformed
	case ErrInvalid:
		return e.Kind == Invalid
	case ErrUnsupported:
		return e.Kind == Unsupported
	}
	return false
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }
