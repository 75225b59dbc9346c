package instance

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/internal/fuzzwatch"
)

// Bounds of the fuzz targets, in CPU time of the process (at most 10x
// that in wall time; see internal/fuzzwatch). Each input gets a
// watchdog: past its bound the process panics with "stall", which the
// fuzzer records as a crasher (with the input saved under testdata/fuzz).
const (
	// compileBound is the most one Compile may take: decoding,
	// validation and translation are linear in the input.
	compileBound = 10 * time.Second
	// runBound is the most one FuzzRun input may take: a compile, an
	// instantiation and a call of every export, each call stopped by
	// runFuel and runDeadline.
	runBound    = 10 * time.Second
	runFuel     = 1_000_000
	runDeadline = 50 * time.Millisecond
)

// fuzzSeeds adds the repository's test modules to f's corpus (the
// spec-suite seeds are committed under testdata/fuzz).
func fuzzSeeds(f *testing.F) {
	for _, name := range []string{"tenant", "bulk", "globals", "segments", "stores", "runaway", "data_oob", "image"} {
		if b, err := os.ReadFile("testdata/" + name + ".wasm"); err == nil {
			f.Add(b)
		}
	}
}

// fuzzRuntime is the Runtime shared by every input of a fuzz target in
// one process, as a long-lived host's is: state left by one input (warm
// slots, images, recycled instance states) meets the next one. Its
// "spectest" host module is what the spec suite's modules import.
var fuzzRuntime = sync.OnceValues(func() (*Runtime, error) {
	rt, err := NewRuntime(context.Background(), Config{MemorySlots: 4, MemorySlotBytes: 64 << 20, MaxCallDepth: 2000})
	if err != nil {
		return nil, err
	}
	nop := func(context.Context, Instance, []uint64) error { return nil }
	i32, i64, f32, f64 := api.ValueTypeI32, api.ValueTypeI64, api.ValueTypeF32, api.ValueTypeF64
	b := rt.NewHostModuleBuilder("spectest")
	for name, params := range map[string][]api.ValueType{
		"print": nil, "print_i32": {i32}, "print_i64": {i64}, "print_f32": {f32}, "print_f64": {f64},
		"print_i32_f32": {i32, f32}, "print_f64_f64": {f64, f64},
	} {
		b = b.NewFunctionBuilder().WithGoModuleFunction(nop, params, nil).Export(name)
	}
	_, err = b.ExportGlobal("global_i32", i32, false, 666).ExportGlobal("global_i64", i64, false, 666).
		ExportGlobal("global_f32", f32, false, uint64(api.EncodeF32(666.6))).
		ExportGlobal("global_f64", f64, false, api.EncodeF64(666.6)).
		ExportTable("table", decoder.FuncRef, Limits{Min: 10, Max: 20, HasMax: true}).
		ExportMemory("memory", Limits{Min: 1, Max: 2, HasMax: true}).
		Instantiate(context.Background())
	return rt, err
})

// FuzzCompile: Runtime.Compile of arbitrary bytes returns a module or an
// error matching decoder.ErrMalformed, ErrInvalid or ErrUnsupported (or
// a compile error: an implementation limit, a module cap), never panics,
// and takes at most compileBound.
func FuzzCompile(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, wasm []byte) {
		rt, err := fuzzRuntime()
		if err != nil {
			t.Fatal(err)
		}
		defer fuzzwatch.Start("FuzzCompile", compileBound, wasm)()
		cm, err := rt.Compile(ctx, wasm)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		_ = cm.Exports()
		_ = cm.Imports()
	})
}

// FuzzRun compiles an input, instantiates it (fuel runFuel, deadline
// runDeadline, against the shared runtime's "spectest" module) and calls
// every exported function with zero arguments, each under its own
// deadline, then closes it. Nothing may panic; every call ends within
// its bound (a trap, an interrupt, fuel exhaustion or results); the
// whole input takes at most runBound; the instance's slot goes back to
// the pool.
func FuzzRun(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, wasm []byte) {
		rt, err := fuzzRuntime()
		if err != nil {
			t.Fatal(err)
		}
		defer fuzzwatch.Start("FuzzRun", runBound, wasm)()
		fuzzRunOne(t, rt, wasm)
		if st := rt.PoolStats(); st.InUse != 1 { // the spectest memory
			t.Fatalf("%d slots in use after the input, want 1", st.InUse)
		}
	})
}

func fuzzRunOne(t *testing.T, rt *Runtime, wasm []byte) {
	cm, err := rt.Compile(ctx, wasm)
	if err != nil {
		return
	}
	ictx, cancel := context.WithTimeout(ctx, runDeadline)
	inst, err := rt.Instantiate(ictx, cm, ModuleConfig{Fuel: runFuel})
	cancel()
	if err != nil {
		if errors.Is(err, ErrClosed) {
			t.Fatal(err)
		}
		return
	}
	defer inst.Close(ctx)
	for _, e := range cm.Exports() {
		if e.Kind != api.ExternTypeFunc {
			continue
		}
		f := inst.ExportedFunction(e.Name)
		stack := make([]uint64, max(cells(f.f.Type.Params), cells(f.f.Type.Results)))
		cctx, cancel := context.WithTimeout(ctx, runDeadline)
		start := time.Now()
		err := f.CallWithStack(cctx, stack)
		cancel()
		if el := time.Since(start); el > runBound/2 {
			t.Fatalf("call of %q took %v (err %v)", e.Name, el, err)
		}
		if errors.Is(err, ErrTrapFuelExhausted) {
			inst.SetFuel(runFuel)
		}
	}
}
