package instance

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wpi-dev/wpi/decoder"
)

// leb appends v as unsigned LEB128.
func leb(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// section appends a section with id and contents.
func section(b []byte, id byte, contents []byte) []byte {
	b = append(b, id)
	b = leb(b, uint64(len(contents)))
	return append(b, contents...)
}

// oneFunc returns a module of one function () -> () with the local
// declarations locals (already encoded: count of runs, runs) and body
// (without the final end).
func oneFunc(locals, body []byte) []byte {
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = section(m, 1, []byte{1, 0x60, 0, 0})
	m = section(m, 3, []byte{1, 0})
	entry := append(append([]byte(nil), locals...), body...)
	entry = append(entry, 0x0b)
	code := leb([]byte{1}, uint64(len(entry)))
	m = section(m, 10, append(code, entry...))
	return m
}

// brTable returns a function body: block, i32.const 0, br_table with n
// targets (all 0) and default 0, end.
func brTable(n int) []byte {
	b := []byte{0x02, 0x40, 0x41, 0x00, 0x0e}
	b = leb(b, uint64(n))
	for range n + 1 {
		b = append(b, 0)
	}
	return append(b, 0x0b)
}

// TestImplementationLimits: valid modules past the IR format's limits
// fail to compile with an error that names the limit, and modules at the
// limit compile.
func TestImplementationLimits(t *testing.T) {
	rt := newTestRuntime(t, Config{MemorySlots: 1})
	for _, c := range []struct {
		name   string
		wasm   []byte
		reject bool
	}{
		{"br_table at the limit", oneFunc([]byte{0}, brTable(65534)), false},
		{"br_table past the limit", oneFunc([]byte{0}, brTable(65535)), true},
		{"br_table of 999999 targets", oneFunc([]byte{0}, brTable(999999)), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := rt.Compile(ctx, c.wasm)
			switch {
			case !c.reject && err != nil:
				t.Fatalf("Compile: %v", err)
			case c.reject && err == nil:
				t.Fatal("Compile succeeded, want an implementation-limit error")
			case c.reject && !strings.Contains(err.Error(), "implementation limit"):
				t.Fatalf("error %q does not say it is an implementation limit", err)
			case c.reject && (errors.Is(err, decoder.ErrMalformed) || errors.Is(err, decoder.ErrInvalid)):
				t.Fatalf("error %q calls a valid module malformed or invalid", err)
			}
		})
	}
}

// TestModuleLimits: a module past a cap of Config.Limits fails with
// ErrModuleTooLarge naming the knob, quickly and without allocating what
// it declares; at the cap it compiles.
func TestModuleLimits(t *testing.T) {
	// (func (local i32 × 0xffffffff)): five bytes that declare 2^32-1
	// locals; wazero's validator alone would allocate 32 GiB for them.
	hugeLocals := oneFunc([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f}, nil)
	locals := func(n uint64) []byte { return oneFunc(append(leb([]byte{1}, n), 0x7f), nil) }
	for _, c := range []struct {
		name  string
		wasm  []byte
		lim   ModuleLimits
		field string // "": must compile
	}{
		{"2^32-1 locals", hugeLocals, ModuleLimits{}, "FunctionLocals"},
		{"locals at the default", locals(DefaultFunctionLocals), ModuleLimits{}, ""},
		{"locals past the default", locals(DefaultFunctionLocals + 1), ModuleLimits{}, "FunctionLocals"},
		{"locals past a knob", locals(11), ModuleLimits{FunctionLocals: 10}, "FunctionLocals"},
		{"functions", readWasm(t, "tenant"), ModuleLimits{Functions: 3}, "Functions"},
		{"body bytes", oneFunc([]byte{0}, brTable(100)), ModuleLimits{FunctionBodyBytes: 100}, "FunctionBodyBytes"},
		{"data bytes", readWasm(t, "tenant"), ModuleLimits{DataSegmentBytes: 100}, "DataSegmentBytes"},
		{"element elements", readWasm(t, "segments"), ModuleLimits{ElementSegmentElements: 1}, "ElementSegmentElements"},
		{"table minimum", readWasm(t, "tenant"), ModuleLimits{TableElements: 1}, "TableElements"},
		{"IR bytes", readWasm(t, "tenant"), ModuleLimits{IRBytes: 64}, "IRBytes"},
		{"tenant within every default", readWasm(t, "tenant"), ModuleLimits{}, ""},
		{"big table at the default", readWasm(t, "big_table"), ModuleLimits{}, ""},
		{"big table past a knob", readWasm(t, "big_table"), ModuleLimits{TableElements: 9_999_999}, "TableElements"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rt := newTestRuntime(t, Config{MemorySlots: 1, Limits: c.lim})
			_, err := rt.Compile(ctx, c.wasm)
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("Compile: %v", err)
			case c.field == "":
			case !errors.Is(err, ErrModuleTooLarge):
				t.Fatalf("Compile: %v, want ErrModuleTooLarge", err)
			case !strings.Contains(err.Error(), "Config.Limits."+c.field):
				t.Fatalf("error %q does not name Config.Limits.%s", err, c.field)
			}
		})
	}
}

// TestBulkBounded: bulk instructions, whose length the guest picks, are
// bounded like loops: they cost fuel by the MiB (charged before anything
// is written), stop when the context is done, and table.grow stops at
// Config.Limits.TableElements.
func TestBulkBounded(t *testing.T) {
	var cancel context.CancelFunc
	rt := newTestRuntime(t, Config{MemorySlots: 2, MemorySlotBytes: 64 << 20, Limits: ModuleLimits{TableElements: 1000}})
	_, err := rt.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithGoModuleFunction(func(context.Context, Instance, []uint64) error {
			cancel()
			time.Sleep(100 * time.Millisecond) // let the context's AfterFunc reach the machine
			return nil
		}, nil, nil).Export("cancel").Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := rt.Compile(ctx, readWasm(t, "bulk_bound"))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	call := func(name string, args ...uint64) ([]uint64, error) {
		return inst.ExportedFunction(name).Call(ctx, args...)
	}
	const mib = 1 << 20
	if res, err := call("grow", 1023); err != nil || res[0] != 1 {
		t.Fatalf("grow to 64 MiB: %v %v", res, err)
	}
	mem := inst.Memory()

	// Fuel: a 48 MiB fill costs 48 units; with 47 left it does nothing.
	inst.SetFuel(47)
	if _, err := call("fill", 0, 0x5a, 48*mib); !errors.Is(err, ErrTrapFuelExhausted) {
		t.Fatalf("fill with too little fuel: %v, want ErrTrapFuelExhausted", err)
	}
	if b, _ := mem.ReadUint8(0); b != 0 {
		t.Fatalf("a fill without the fuel for it wrote %#x", b)
	}
	inst.SetFuel(100)
	if _, err := call("fill", 0, 0x5a, 48*mib); err != nil {
		t.Fatal(err)
	}
	if n, _ := inst.Fuel(); n != 100-48 { // the fill; the entry from Go is free
		t.Fatalf("fuel left %d, want %d", n, 100-48)
	}
	inst.SetFuel(100)
	if _, err := call("copy", 16*mib, 0, 48*mib); err != nil { // overlapping, backwards
		t.Fatal(err)
	}
	if b, _ := mem.Read(0, 64*mib); bytes.Count(b, []byte{0x5a}) != 64*mib {
		t.Fatal("overlapping chunked copy lost bytes")
	}
	inst.SetFuel(-1)

	// The context: cancelled by a host call just before a 32 MiB fill.
	var cctx context.Context
	cctx, cancel = context.WithCancel(ctx)
	defer cancel()
	_, err = inst.ExportedFunction("cancel_fill").Call(cctx, 32*mib)
	if !errors.Is(err, ErrTrapInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("fill after a cancel: %v, want ErrTrapInterrupted", err)
	}
	if b, _ := mem.ReadUint8(0); b != 0x5a {
		t.Fatalf("an interrupted fill wrote %#x", b)
	}

	// table.grow stops at the cap.
	if res, err := call("tgrow", 1000); err != nil || res[0] != 0 {
		t.Fatalf("tgrow to the cap: %v %v", res, err)
	}
	if res, err := call("tgrow", 1); err != nil || int32(res[0]) != -1 {
		t.Fatalf("tgrow past the cap: %v %v, want -1", res, err)
	}
}

// BenchmarkBigTable measures an instance of a module whose table has
// 10^7 funcref elements, the default Config.Limits.TableElements: each
// instantiation allocates and clears 80 MB.
func BenchmarkBigTable(b *testing.B) {
	rt := newTestRuntime(b, Config{MemorySlots: 1})
	cm, err := rt.Compile(ctx, readWasm(b, "big_table"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			b.Fatal(err)
		}
		inst.Close(ctx)
	}
}
