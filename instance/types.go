package instance

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tetratelabs/wazero/api"
	"github.com/wpi-dev/wpi/decoder"
)

// Limits are memory limits in 64 KiB pages or table limits in elements
// (spec §2.3.7 "Limits"). Max is meaningful only when HasMax is set.
type Limits struct {
	Min    uint64
	Max    uint64
	HasMax bool
}

// String renders the limits as "1" (no maximum) or "1, 2".
func (l Limits) String() string { return limitsString(l.decoded()) }

func (l Limits) decoded() decoder.Limits {
	return decoder.Limits{Min: l.Min, Max: l.Max, HasMax: l.HasMax}
}

func limitsOf(l decoder.Limits) Limits { return Limits{Min: l.Min, Max: l.Max, HasMax: l.HasMax} }

// FuncType is a function signature (spec §2.3.6): parameter and result
// value types (api.ValueTypeI32, ...). A v128 value takes two cells in a
// call's stack.
type FuncType struct {
	Params  []api.ValueType
	Results []api.ValueType
}

// String renders the signature as "func(i32, i64) -> (f32)".
func (t FuncType) String() string {
	return funcTypeString(&decoder.FuncType{Params: t.Params, Results: t.Results})
}

// funcTypeOf copies t, so that a user cannot change the module's types.
func funcTypeOf(t *decoder.FuncType) FuncType {
	return FuncType{Params: slices.Clone(t.Params), Results: slices.Clone(t.Results)}
}

// TableType is a table's element type (api.ValueTypeFuncref or
// api.ValueTypeExternref) and its limits in elements (spec §2.3.9).
type TableType struct {
	Elem   api.ValueType
	Limits Limits
}

// String renders the type as "table{10, funcref}".
func (t TableType) String() string {
	return tableTypeString(decoder.TableType{Elem: t.Elem, Limits: t.Limits.decoded()})
}

// MemoryType is a memory's limits in 64 KiB pages (spec §2.3.8); Shared
// is the threads proposal's flag.
type MemoryType struct {
	Limits Limits
	Shared bool
}

// String renders the type as "memory{1, 2}" or "memory{1, 2, shared}".
func (t MemoryType) String() string {
	return memoryTypeString(decoder.MemoryType{Limits: t.Limits.decoded(), Shared: t.Shared})
}

// GlobalType is a global's value type and mutability (spec §2.3.10).
type GlobalType struct {
	Type    api.ValueType
	Mutable bool
}

// String renders the type as "global(i32)" or "global(mut i32)".
func (t GlobalType) String() string {
	return globalTypeString(decoder.GlobalType{Type: t.Type, Mutable: t.Mutable})
}

// ExternType describes what an import or export is: Kind says which of
// the other fields is meaningful (api.ExternTypeFunc: Func, and so on).
type ExternType struct {
	Kind   api.ExternType
	Func   FuncType   // when Kind is api.ExternTypeFunc
	Table  TableType  // when Kind is api.ExternTypeTable
	Memory MemoryType // when Kind is api.ExternTypeMemory
	Global GlobalType // when Kind is api.ExternTypeGlobal
}

// String renders the type: "func(i32, i64) -> (f32)", "table{10,
// funcref}", "memory{1, 2}" or "global(mut i32)".
func (t ExternType) String() string {
	switch t.Kind {
	case api.ExternTypeFunc:
		return t.Func.String()
	case api.ExternTypeTable:
		return t.Table.String()
	case api.ExternTypeMemory:
		return t.Memory.String()
	case api.ExternTypeGlobal:
		return t.Global.String()
	}
	return fmt.Sprintf("extern(%d)", t.Kind)
}

// ImportDescription is one import of a module (spec §2.5.11).
type ImportDescription struct {
	// Module and Name are the two-level import name.
	Module, Name string
	// ExternType is the kind and type the import asks for.
	ExternType
}

// ExportDescription is one export of a module (spec §2.5.10).
type ExportDescription struct {
	// Name is the export name.
	Name string
	// Index is the entity's index in its index space of the module
	// (funcidx, tableidx, memidx or globalidx), imports first.
	Index uint32
	// ExternType is the kind and type of the exported entity.
	ExternType
}

func valTypesString(ts []decoder.ValType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = decoder.ValTypeName(t)
	}
	return strings.Join(s, ", ")
}

func funcTypeString(t *decoder.FuncType) string {
	return fmt.Sprintf("func(%s) -> (%s)", valTypesString(t.Params), valTypesString(t.Results))
}

func limitsString(l decoder.Limits) string {
	if l.HasMax {
		return fmt.Sprintf("%d, %d", l.Min, l.Max)
	}
	return fmt.Sprintf("%d", l.Min)
}

func tableTypeString(t decoder.TableType) string {
	return fmt.Sprintf("table{%s, %s}", limitsString(t.Limits), decoder.ValTypeName(t.Elem))
}

func memoryTypeString(t decoder.MemoryType) string {
	if t.Shared {
		return fmt.Sprintf("memory{%s, shared}", limitsString(t.Limits))
	}
	return fmt.Sprintf("memory{%s}", limitsString(t.Limits))
}

func globalTypeString(t decoder.GlobalType) string {
	if t.Mutable {
		return fmt.Sprintf("global(mut %s)", decoder.ValTypeName(t.Type))
	}
	return fmt.Sprintf("global(%s)", decoder.ValTypeName(t.Type))
}

// cells returns how many 64-bit cells values of types ts take (v128 two).
func cells(ts []decoder.ValType) int {
	n := len(ts)
	for _, t := range ts {
		if t == decoder.V128 {
			n++
		}
	}
	return n
}

// limitsMatch reports whether actual limits are a subtype of the imported
// ones (spec §4.5.4 "Limits"): at least as large a minimum, and if the
// import has a maximum, a maximum no larger.
func limitsMatch(actual, imported decoder.Limits) bool {
	if actual.Min < imported.Min {
		return false
	}
	if imported.HasMax {
		return actual.HasMax && actual.Max <= imported.Max
	}
	return true
}

// Value types that wazero's api package does not name (it has
// api.ValueTypeI32, I64, F32, F64 and Externref).
const (
	// ValueTypeV128 is the fixed-width SIMD vector type (spec §2.3.2).
	// A v128 value takes two cells, low half first.
	ValueTypeV128 api.ValueType = decoder.V128
	// ValueTypeFuncref is the function reference type (spec §2.3.3), the
	// element type of call_indirect's tables.
	ValueTypeFuncref api.ValueType = decoder.FuncRef
)

// ValueTypeName returns the text format's name of t: "i32", "i64", "f32",
// "f64", "v128", "funcref" or "externref" (api.ValueTypeName knows neither
// v128 nor funcref).
func ValueTypeName(t api.ValueType) string { return decoder.ValTypeName(t) }
