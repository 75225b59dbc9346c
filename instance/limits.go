package instance

import (
	"errors"
	"fmt"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
)

// ErrModuleTooLarge: a module passes one of the runtime's module caps
// (Config.Limits). The error names the cap, its value and the module's.
var ErrModuleTooLarge = errors.New("module exceeds a resource cap")

// ModuleLimits caps what one module can make the host allocate when it
// is compiled and instantiated, so that a small hostile module cannot
// make the host allocate without bound (a declared count of 2^32 locals
// is five bytes). The zero value of each field means its default; the
// defaults are the limits of the WebAssembly JS API (which every browser
// engine enforces, so toolchains stay within them) where it has one, and
// accept every module of the spec suites and of real toolchains.
//
// Compile checks the counts right after parsing, before validation and
// translation (parsing allocates in proportion to the module's size);
// Instantiate checks tables. Past a cap the error matches
// ErrModuleTooLarge and names the field.
type ModuleLimits struct {
	// Functions caps the functions of a module, imported and defined.
	// Default 1,000,000 (the JS API's limit).
	Functions uint32
	// FunctionLocals caps the params and declared locals of one
	// function. Default 50,000 (the JS API's limit). The interpreter's
	// own frame limit (engine.MaxFrameCells) applies besides.
	FunctionLocals uint32
	// FunctionBodyBytes caps the size of one function body in bytes.
	// Default 7,654,321 (the JS API's limit).
	FunctionBodyBytes uint32
	// IRBytes caps the interpreter code of a whole module after
	// translation, in bytes (8 per instruction word). Default 1 GiB: the
	// translator emits at most a few words per instruction byte, so the
	// body caps bound it too; this cap bounds the memory a compiled
	// module keeps.
	IRBytes uint64
	// TableElements caps the size of every table an instance defines (and
	// a host module exports): a larger minimum fails Instantiate, and
	// table.grow past it returns -1 as the spec allows. Default
	// 10,000,000 (the JS API's limit); a funcref table holds 8 bytes per
	// element per instance (80 MB at the default, allocated and cleared
	// by every instantiation).
	TableElements uint32
	// ElementSegmentElements caps the elements of all element segments
	// of a module together. Default 10,000,000 (the JS API's limit on
	// one segment). Each element is a decoded constant expression kept
	// by the compiled module.
	ElementSegmentElements uint64
	// DataSegmentBytes caps the bytes of all data segments of a module
	// together. Default 1 GiB (the JS API's limit on a module's size);
	// the compiled module keeps them, and its memory image.
	DataSegmentBytes uint64
}

// Defaults of ModuleLimits.
const (
	DefaultFunctions              = 1_000_000
	DefaultFunctionLocals         = 50_000
	DefaultFunctionBodyBytes      = 7_654_321
	DefaultIRBytes                = 1 << 30
	DefaultTableElements          = 10_000_000
	DefaultElementSegmentElements = 10_000_000
	DefaultDataSegmentBytes       = 1 << 30
)

func (l ModuleLimits) withDefaults() ModuleLimits {
	def := func(v *uint32, d uint32) {
		if *v == 0 {
			*v = d
		}
	}
	def64 := func(v *uint64, d uint64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.Functions, DefaultFunctions)
	def(&l.FunctionLocals, DefaultFunctionLocals)
	def(&l.FunctionBodyBytes, DefaultFunctionBodyBytes)
	def64(&l.IRBytes, DefaultIRBytes)
	def(&l.TableElements, DefaultTableElements)
	def64(&l.ElementSegmentElements, DefaultElementSegmentElements)
	def64(&l.DataSegmentBytes, DefaultDataSegmentBytes)
	return l
}

// capError is the error of a module past the cap field (of Config.Limits).
func capError(what string, got, limit uint64, field string) error {
	return fmt.Errorf("instance: %w: %s %d, more than Config.Limits.%s = %d", ErrModuleTooLarge, what, got, field, limit)
}

// check applies the caps a parsed module's counts must meet.
func (l ModuleLimits) check(m *decoder.Module) error {
	if n := uint64(m.NumImportedFuncs) + uint64(len(m.Funcs)); n > uint64(l.Functions) {
		return capError("functions", n, uint64(l.Functions), "Functions")
	}
	for i := range m.Code {
		c := &m.Code[i]
		var params uint64
		if i < len(m.Funcs) && int(m.Funcs[i]) < len(m.Types) {
			params = uint64(len(m.Types[m.Funcs[i]].Params))
		}
		if n := params + uint64(c.NumLocals); n > uint64(l.FunctionLocals) {
			return capError(fmt.Sprintf("function[%d]: params and locals", m.NumImportedFuncs+uint32(i)), n, uint64(l.FunctionLocals), "FunctionLocals")
		}
		if n := uint64(len(c.Body)); n > uint64(l.FunctionBodyBytes) {
			return capError(fmt.Sprintf("function[%d]: body bytes", m.NumImportedFuncs+uint32(i)), n, uint64(l.FunctionBodyBytes), "FunctionBodyBytes")
		}
	}
	var elems, data uint64
	for i := range m.Elements {
		elems += uint64(len(m.Elements[i].Init))
	}
	if elems > l.ElementSegmentElements {
		return capError("element segment elements", elems, l.ElementSegmentElements, "ElementSegmentElements")
	}
	for i := range m.Data {
		data += uint64(len(m.Data[i].Init))
	}
	if data > l.DataSegmentBytes {
		return capError("data segment bytes", data, l.DataSegmentBytes, "DataSegmentBytes")
	}
	for i, tt := range m.Tables {
		if tt.Limits.Min > uint64(l.TableElements) {
			return capError(fmt.Sprintf("table[%d]: minimum elements", int(m.NumImportedTables)+i), tt.Limits.Min, uint64(l.TableElements), "TableElements")
		}
	}
	return nil
}

// checkIR applies the cap on a compiled module's interpreter code.
func (l ModuleLimits) checkIR(em *engine.Module) error {
	var words uint64
	for _, c := range em.Codes {
		if c != nil {
			words += uint64(len(c.Words))
		}
	}
	if words*8 > l.IRBytes {
		return capError("interpreter code bytes", words*8, l.IRBytes, "IRBytes")
	}
	return nil
}

// tableMax is the effective maximum of a defined table of type tt under
// the cap: table.grow fails past it.
func (l ModuleLimits) tableMax(tt decoder.TableType) uint64 {
	m := uint64(l.TableElements)
	if tt.Limits.HasMax {
		m = min(m, tt.Limits.Max)
	}
	return m
}
