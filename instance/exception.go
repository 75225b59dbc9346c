package instance

import (
	"fmt"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
)

// Tag is a tag instance (exception handling, spec 3.0 §4.2.11): a small
// comparable value. Two Tags are == exactly when they are the same tag
// (the module that defines it and every module that imports it share
// it). The zero Tag is no tag.
type Tag struct{ t *engine.Tag }

// IsNil reports whether t is the zero Tag.
func (t Tag) IsNil() bool { return t.t == nil }

// Type returns the tag's signature (the types of an exception's values).
func (t Tag) Type() FuncType {
	if t.t == nil {
		return FuncType{}
	}
	return funcTypeOf(t.t.Type)
}

// ExportedTag returns the exported tag name, or the zero Tag if there is
// none or the instance is closed.
func (i Instance) ExportedTag(name string) Tag {
	idx, ok := i.export(name, decoder.ExternTag)
	if !ok {
		return Tag{}
	}
	return Tag{i.e.Tags[idx]}
}

// Exception is a wasm exception that a call let escape to Go (exception
// handling: thrown with throw or throw_ref and caught by no try_table on
// the way out). The error of such a call is a *TrapError with no Kind
// whose Cause is an *Exception: match it with errors.As. Traps are never
// exceptions, and wasm cannot catch them.
//
// A host function that returns an error wrapping an *Exception (for
// example the error of a call back into wasm that threw) rethrows it in
// its wasm caller, where a try_table may catch it.
type Exception struct {
	// Tag is the tag the exception was thrown with (compare with
	// Instance.ExportedTag).
	Tag Tag
	// Values are the exception's values, encoded as cells as for
	// Function.Call (a v128 takes two).
	Values []uint64
	exn    *engine.Exception
}

// Error returns "uncaught wasm exception" and the tag's signature.
func (e *Exception) Error() string {
	return fmt.Sprintf("uncaught wasm exception (tag %s)", e.Tag.Type())
}

// Unwrap returns the engine's exception, so that a host function's error
// that wraps e rethrows it.
func (e *Exception) Unwrap() error { return e.exn }

// exceptionOf converts the engine's exception.
func exceptionOf(exn *engine.Exception) *Exception {
	return &Exception{Tag: Tag{exn.Tag}, Values: append([]uint64(nil), exn.Values...), exn: exn}
}
