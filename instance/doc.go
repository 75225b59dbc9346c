// Package instance is wpi's public Go API: a Runtime compiles WebAssembly
// binaries into CompiledModules and instantiates them into Instances whose
// linear memories live in slots of a pooled, mmap-backed memory.Pool.
//
// # Shape
//
// The API follows wazero's, so that porting is mostly renaming (see the
// README's "Porting from wazero"):
//
//	rt, err := instance.NewRuntime(ctx, instance.Config{})      // reserves the slot pool
//	defer rt.Close(ctx)
//	cm, err := rt.Compile(ctx, wasm)                             // decode, validate, translate once
//	inst, err := rt.Instantiate(ctx, cm, instance.ModuleConfig{}) // takes a slot; many times, from many goroutines
//	defer inst.Close(ctx)                                        // resets the slot and returns it
//	res, err := inst.ExportedFunction("add").Call(ctx, api.EncodeI32(1), api.EncodeI32(2))
//
// Host modules are built with Runtime.NewHostModuleBuilder from
// GoModuleFunc functions (wazero's stack-based signature plus an error
// result, and the calling Instance instead of api.Module). Values cross
// the API as uint64 cells encoded as wazero's api package does
// (api.EncodeI32, api.DecodeF64, ...; api.ValueType for types); a v128
// value takes two cells, low half first.
//
// # Handles
//
// Instance, Function, Memory, Global and Table are small values, not
// pointers: a pointer to the instance's state and the state's generation
// (like memory.Slot). Runtime.Instantiate of a module that imports only
// functions reuses the state of a closed instance of the same module, so
// instantiate, call and close allocate nothing; Close bumps the
// generation, so a handle, or a copy of one, kept past Close refuses to
// work (calls fail with ErrClosed, memories have size 0) and can never
// reach the state's next tenant. Where wazero returns nil (no such export,
// no memory), these return a nil handle: check it with IsNil. The zero
// Instance is closed (Closed reports it).
//
// # Fast paths
//
// Runtime.Instantiate and Instance.Close (see Handles),
// Function.CallWithStack, a wasm call of a host function, Instance.Memory
// and its accessors, Instance.Value and the typed layer allocate nothing
// in the steady state. The typed layer sits on top: Encode and Decode for
// Go number types, HostFunc0 ... HostFunc6 and HostFunc0R2 ... HostFunc6R3
// to write host functions as ordinary typed Go functions (up to six
// params and three results), HostFunctionBuilder.WithFunc for a Go func
// of any shape as wazero's WithFunc takes it, NewTypedFunc0 ...
// NewTypedFunc3 to call exports with Go values; signatures are checked
// once, not per call, and nothing uses reflection per call (except
// WithFunc for shapes outside its generated set: see there).
//
// Memory accessors (Read, Write, ReadUint32Le, WriteFloat64Le, ...) are
// bounds-checked against the memory's current size and report false
// instead of panicking; writes mark the pages dirty, so that Close resets
// exactly what was written. Offsets and counts are uint32, as wasm32
// addresses are; sizes are uint64 (a 4 GiB memory holds 2^32 bytes).
//
// # Runaway guests
//
// Every call, including the start function run by Instantiate, can be
// stopped:
//   - by its context: cancelled or past its deadline, the call returns an
//     error matching ErrTrapInterrupted and the context's cause
//     (context.DeadlineExceeded, ...). The check runs at every loop
//     back-edge and every call, and every MiB of a memory.fill or
//     memory.copy, and is always on; a context without a Done channel
//     costs nothing more;
//   - by fuel: ModuleConfig.Fuel or Instance.SetFuel meter a budget of
//     back-edges and calls (and, for bulk instructions such as
//     memory.fill, one unit per MiB or per 2^20 table elements),
//     deterministic across runs and machines;
//     exhausting it gives ErrTrapFuelExhausted. Refuel from Go
//     (Instance.AddFuel) and call again. Off by default, and then free;
//   - by depth: Config.MaxCallDepth and Config.MaxStackCells give
//     ErrTrapCallStackExhausted, never a Go stack overflow;
//   - by memory: Config.MemoryLimitPages and ModuleConfig.MemoryLimitPages
//     cap memory.grow (it returns -1, as the spec allows).
//
// After any stop the instance is consistent: call it again or Close it;
// its slot is reset and returned as after a normal call.
//
// # Resource budgets
//
// Config.MemorySlots caps the open instances that hold a memory: past it
// Instantiate fails with ErrNoSlot, or with Config.WaitForSlot waits for
// a Close until its context ends. Config.MemoryMaxIdleResident caps the
// bytes free slots keep resident. With MemoryLimitPages, the memory a
// runtime's guests can hold is bounded by MemorySlots × MemoryLimitPages
// × 64 KiB plus MemoryMaxIdleResident. Runtime.PoolStats reports the pool.
//
// # Resource caps
//
// A module must not make the host allocate without bound when it is
// compiled or instantiated: a few bytes can declare 2^32 locals or a
// table of 2^32 elements. Config.Limits (ModuleLimits) caps functions,
// locals per function, body bytes, interpreter code, table elements
// (also the most table.grow reaches), element segment elements and data
// segment bytes; the defaults are the WebAssembly JS API's limits, which
// every toolchain targets. Past a cap Compile (Instantiate for a table)
// fails with ErrModuleTooLarge, naming the knob. What is left scales
// with the module's size: parsing allocates a few times the module's
// bytes, translation a few words per instruction byte; an instance, its
// globals and tables (8 bytes per table element: a table of 10^7
// elements, the default cap, is 80 MB allocated and cleared per
// instance) and its memory slot.
//
// # Host state per instance
//
// A host module is instantiated once per runtime, but its functions often
// need state per guest (a WASI descriptor table, a request, a tenant's
// quota). ModuleConfig.WithValue attaches a value to the instances made
// with the config, ModuleConfig.WithValueFunc makes a fresh value for each
// and disposes of it on Close; host functions find it with
// caller.Value(key). A host module can also make the value itself, from
// each importing instance's ModuleConfig
// (HostModuleBuilder.WithImporterValueFunc), so that the importer needs
// no wrapper: instance/wasi makes a guest's own WASI process from
// ModuleConfig's Args, Env, Stdin, Stdout, Stderr and FS (wazero's
// WithArgs, WithStdout, WithFS, ...), and runs many guests at once, each
// with its own args, env, stdio and files.
//
// # Concurrency
//
// Runtime and CompiledModule are safe for concurrent use by any number of
// goroutines: compile, instantiate and close from as many goroutines as you
// like. An Instance, and the Functions, Memory, Globals and Tables it
// exports, are not: like wazero's api.Module, one instance runs one call at
// a time. Use one instance per goroutine. A host function may call back
// into its caller (re-entrantly, on the same goroutine).
//
// # Errors
//
// Traps are *TrapError values wrapping one of the trap kinds declared in
// this package (ErrTrapUnreachable, ...); compare with errors.Is, and use
// errors.As with *TrapError for the kind, the cause and the wasm
// backtrace, which %+v prints (%v prints one line). Decoding errors
// match ErrMalformedModule / ErrInvalidModule; link errors match
// ErrUnknownImport or ErrIncompatibleImport. No function of the package
// panics on bad input or a misbehaving guest; a host function that panics
// becomes a TrapError whose Cause is a *HostPanicError.
//
// # Module descriptions
//
// CompiledModule.Imports and CompiledModule.Exports describe a module with
// the package's own types (ImportDescription, ExportDescription,
// ExternType, FuncType, TableType, MemoryType, GlobalType, Limits), whose
// kinds and value types are wazero's (api.ExternTypeFunc,
// api.ValueTypeI32, ...). No exported identifier of the package mentions
// a type of decoder/ or engine/: those packages stay usable on their own,
// and a user of instance/ needs neither.
//
// Misuse gives errors too: a nil context.Context is taken as
// context.Background(); a closed Runtime (and a nil *Runtime) fails
// Compile, Instantiate and host module instantiation with ErrClosed;
// closed or nil handles behave as documented on each type (calls fail
// with ErrClosed or an error naming the nil Function, memories have size
// 0, out-of-range offsets, indexes and grows report false). The
// exceptions follow the Go convention for a nil pointer receiver: the
// methods of a nil *TypedFunc0 ... *TypedFunc3, *HostModuleBuilder and
// *HostFunctionBuilder panic, as do those of any pointer the package did
// not return (the constructors never return a nil pointer without an
// error).
//
// # Implementation limits
//
// Besides the limits a module declares and the Config budgets above, the
// interpreter's instruction format (16-bit cell operands) limits what it
// can compile. A valid module past one of these fails Compile with an
// error that says "implementation limit":
//   - a function's frame holds at most 65536 64-bit cells
//     (engine.MaxFrameCells): params, locals and operand-stack
//     temporaries, a v128 taking two;
//   - a br_table has at most 65534 targets besides its default
//     (engine.MaxBrTableTargets; V8 allows 65,520);
//   - global.get/global.set reach globals 0 ... 65535, call_indirect
//     tables 0 ... 65535.
//
// Defined tables start with at most 2^24 elements (an Instantiate past it
// fails); memories are 32-bit (at most 65536 pages, and at most
// Config.MemorySlotBytes).
//
// # Profiling
//
// Runtime.StartProfiler samples the wasm call stacks of the runtime's
// calls at the interrupt checks the interpreter makes at back-edges and
// calls, and Profiler.Stop returns a pprof profile (go tool pprof reads
// it) with names and, where the module carries DWARF, files and lines.
//
// # Lifetime
//
// Instance.Close resets the instance's memory slot and returns it to the
// pool, and closes every copy of the handle. After Close the instance's memory is detached: any function of the
// instance still reachable (for example through another instance's table)
// traps with "out of bounds memory access" instead of touching the slot's
// next tenant. The same holds for instances that imported the closed
// instance's memory.
package instance
