// Package engine translates validated WebAssembly function bodies into
// wpi's register IR and runs them.
//
// # Shape
//
// Compile turns a decoder.Module into a Module: one Code per defined
// function, an immutable stream of 64-bit instruction words over the
// function's frame cells (parameters, declared locals, a zero cell, then
// the temporaries of the operand stack; a v128 takes two cells). See
// isa.go for the instruction formats and Code.Disassemble (or `wpi disasm`)
// to read what the translator produced.
//
// The instance layer builds the runtime objects (Instance, Function,
// Memory, Table, Global) and calls Call. Call runs on a pooled machine: one
// value stack holding every frame (a callee's frame starts at its
// caller's argument cells, so arguments are never copied) and an explicit
// frame stack, so wasm-to-wasm calls never recurse in Go and exhausting
// the stack is the trap "call stack exhausted", not a Go stack overflow.
//
// # Errors
//
// A trap ends the call with a *TrapError whose Kind is one of the Err*
// sentinels (spec test suite messages), comparable with errors.Is, and
// whose Trace is the wasm backtrace. A host function's error or panic is
// the Cause of a TrapError with no Kind. Call never panics.
//
// # Interruption and fuel
//
// A call whose context has a Done channel is stopped (ErrInterrupted,
// wrapping the context's cause) at the next loop back-edge or call after
// the context ends. With Config.Fuel the call is metered: one unit per
// taken back-edge and per call, ErrFuelExhausted when it runs out.
// Neither costs more than an atomic load on those edges when unused.
//
// # Concurrency
//
// Compile and TypeID are safe for concurrent use; a Module may back any
// number of instances on any number of goroutines. Calls into one
// Instance must not overlap: an instance is single-threaded, like a
// wazero api.Module.
package engine
