// Package instance is wpi's public Go API: a Runtime compiles WebAssembly
// binaries into CompiledModules and instantiates them into Instances whose
// linear memories live in slots of a pooled, mmap-backed memory.Pool.
//
// The shape follows wazero's: Runtime.Compile, Runtime.Instantiate,
// Instance.ExportedFunction, Function.Call / Function.CallWithStack, host
// modules built with Runtime.NewHostModuleBuilder. Values cross the API as
// uint64 cells encoded as wazero's api package does (api.EncodeI32,
// api.DecodeF64, ...); a v128 value takes two cells, low half first.
//
// # Concurrency
//
// Runtime and CompiledModule are safe for concurrent use by any number of
// goroutines: compile, instantiate and close from as many goroutines as you
// like. An Instance, and the Functions, Memory, Globals and Tables it
// exports, are not: like wazero's api.Module, one instance runs one call at a
// time. Use one instance per goroutine.
//
// # Errors
//
// Traps are errors wrapping one of the trap kinds re-exported below
// (ErrTrapUnreachable, ...), which are the engine's sentinels; compare with
// errors.Is. Decoding errors match decoder.ErrMalformed / decoder.ErrInvalid;
// link errors match ErrUnknownImport or ErrIncompatibleImport.
//
// # Lifetime
//
// Instance.Close resets the instance's memory slot and returns it to the
// pool. After Close the instance's memory is detached: any function of the
// instance still reachable (for example through another instance's table)
// traps with "out of bounds memory access" instead of touching the slot's
// next tenant. The same holds for instances that imported the closed
// instance's memory.
package instance
