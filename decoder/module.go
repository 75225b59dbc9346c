// Package decoder turns WebAssembly binary modules into an immutable,
// validated description of their contents (Wasm core spec §5, "Binary
// Format").
//
// Every section is parsed here, into the types of this file. Validation
// (spec §3) is delegated to wazero's public API: a module is accepted only
// if wazero.Runtime.CompileModule accepts it with the same core features.
// See Decode.
//
// A *Module is never modified after Decode returns it, so it may be shared
// by any number of goroutines.
package decoder

import "github.com/tetratelabs/wazero/api"

// ValType is a value type, encoded as in the binary format (spec §5.3.1):
// the same byte values as wazero's api.ValueType.
type ValType = api.ValueType

// Value types (spec §2.3.1 - §2.3.4).
const (
	I32       ValType = 0x7f
	I64       ValType = 0x7e
	F32       ValType = 0x7d
	F64       ValType = 0x7c
	V128      ValType = 0x7b
	FuncRef   ValType = 0x70
	ExternRef ValType = 0x6f
	// ExnRef is the exception-handling proposal's exnref.
	ExnRef ValType = 0x69
)

// RefType is the precise type of a reference (typed function references
// proposal: (ref null ht) and (ref ht), spec 3.0 §2.3.4) where a ValType
// only says which kind of reference a cell holds (FuncRef, ExternRef or
// ExnRef). The zero value is the nullable abstract type of the ValType,
// that is funcref, externref or exnref themselves.
//
// RefTypes compare with ==, across modules: a concrete heap type is named
// by the canonical Key of its function type, not by a module's typeidx.
type RefType struct {
	// NonNull is set for (ref ht): the value is never null.
	NonNull bool
	// Func is, for a concrete heap type ((ref $t): a function of exactly
	// that type), the FuncType.Key of $t; "" for the abstract heap type
	// (func, extern or exn).
	Func string
}

// Typed reports whether r says more than its ValType: a non-null or a
// concrete reference type.
func (r RefType) Typed() bool { return r.NonNull || r.Func != "" }

// Matches reports whether a reference of type r (of kind t) may be used
// where one of type want (of the same kind) is expected (spec 3.0
// §3.3.4, reference subtyping without GC): non-null where nullable is
// wanted, and a concrete function type where func is wanted.
func (r RefType) Matches(want RefType) bool {
	return (r.NonNull || !want.NonNull) && (r.Func == want.Func || want.Func == "")
}

// Heap type bytes (spec 3.0 §5.3.3): an abstract heap type is one byte,
// which as a signed LEB128 (s33) is negative; a concrete heap type is a
// non-negative typeidx.
const (
	heapFunc   = -0x10 // 0x70
	heapExtern = -0x11 // 0x6f
	heapExn    = -0x17 // 0x69
)

// HeapValType returns the kind of reference (FuncRef, ExternRef or ExnRef)
// of the heap type ht read as an s33 (spec 3.0 §5.3.3): a typeidx
// (ht >= 0) is a function type, so FuncRef; ok is false for a heap type
// wpi does not know (the GC proposal's).
func HeapValType(ht int64) (t ValType, ok bool) {
	switch {
	case ht >= 0, ht == heapFunc:
		return FuncRef, true
	case ht == heapExtern:
		return ExternRef, true
	case ht == heapExn:
		return ExnRef, true
	}
	return 0, false
}

// ValTypeName returns the text-format name of t ("i32", "funcref", ...).
func ValTypeName(t ValType) string {
	switch t {
	case V128:
		return "v128"
	case FuncRef:
		return "funcref"
	case ExnRef:
		return "exnref"
	}
	return api.ValueTypeName(t)
}

// ExternKind is the kind of an import or export (spec §5.5.5: 0x00 func,
// 0x01 table, 0x02 mem, 0x03 global).
type ExternKind byte

const (
	ExternFunc   ExternKind = 0
	ExternTable  ExternKind = 1
	ExternMemory ExternKind = 2
	ExternGlobal ExternKind = 3
	// ExternTag is the exception-handling proposal's tag (0x04).
	ExternTag ExternKind = 4
)

// String returns "func", "table", "memory" or "global".
func (k ExternKind) String() string {
	switch k {
	case ExternFunc:
		return "func"
	case ExternTable:
		return "table"
	case ExternMemory:
		return "memory"
	case ExternGlobal:
		return "global"
	case ExternTag:
		return "tag"
	}
	return "unknown"
}

// FuncType is a function signature (spec §2.3.5).
//
// With typed function references, a parameter or result may have a
// precise reference type: Params and Results then hold its ValType (the
// kind of cell), and the decoder records the precise types in the
// signature's Key, so that equality stays structural across modules.
type FuncType struct {
	Params  []ValType
	Results []ValType
	// key is the canonical form of a signature with typed references
	// (see canonicalKey); "" when Params and Results say everything.
	key string
}

// Equal reports whether t and u are the same signature (equal parameter
// and result types, typed references compared structurally).
func (t *FuncType) Equal(u *FuncType) bool {
	if t.key != "" || u.key != "" {
		return t.Key() == u.Key()
	}
	return string(t.Params) == string(u.Params) && string(t.Results) == string(u.Results)
}

// Key returns a string that is equal for two FuncTypes exactly when Equal is
// true. It is used to intern signatures.
func (t *FuncType) Key() string {
	if t.key != "" {
		return t.key
	}
	b := make([]byte, 0, len(t.Params)+len(t.Results)+1)
	b = append(b, t.Params...)
	b = append(b, 0)
	b = append(b, t.Results...)
	return string(b)
}

// Limits are the limits of a memory (in 64 KiB pages) or of a table (in
// elements) (spec §2.3.7).
type Limits struct {
	Min    uint64
	Max    uint64 // valid only when HasMax
	HasMax bool
}

// TableType is a table's element type and limits in elements (spec §2.3.9).
type TableType struct {
	Elem   ValType // FuncRef, ExternRef or ExnRef
	Limits Limits
	// Ref is the precise element type (typed function references).
	Ref RefType
}

// MemoryType is a memory's limits in 64 KiB pages (spec §2.3.8). Shared is
// set by the threads proposal's flag and is rejected by validation unless
// that feature is enabled.
type MemoryType struct {
	Limits Limits
	Shared bool
}

// GlobalType is a global's value type and mutability (spec §2.3.10).
type GlobalType struct {
	Type    ValType
	Mutable bool
	// Ref is the precise type of a reference global (typed function
	// references).
	Ref RefType
}

// Import is one entry of the import section (spec §2.5.11). Exactly one of
// the descriptor fields is meaningful, as selected by Kind.
type Import struct {
	Module, Name string
	Kind         ExternKind
	Func         uint32 // typeidx, when Kind == ExternFunc
	Table        TableType
	Memory       MemoryType
	Global       GlobalType
	Tag          uint32 // typeidx of the tag's signature, when Kind == ExternTag
}

// Export is one entry of the export section (spec §2.5.10). Index is in the
// index space of Kind (funcidx, tableidx, memidx or globalidx), imports
// first.
type Export struct {
	Name  string
	Kind  ExternKind
	Index uint32
}

// ConstInstr is one instruction of a constant expression (spec §3.3.10).
//
// Op is the opcode byte, or for prefixed opcodes the prefix in the high byte
// and the sub-opcode in the low byte (v128.const is 0xFD0C). The operand is
// held in Value, by opcode:
//   - i32.const: uint64(uint32(n)); i64.const: uint64(n)
//   - f32.const: uint64(math.Float32bits); f64.const: math.Float64bits
//   - v128.const: low 64 bits in Value, high 64 bits in Value2
//   - global.get: globalidx; ref.func: funcidx; ref.null: the reftype byte
//   - i32/i64 add, sub, mul (extended-const): no operand
type ConstInstr struct {
	Op     uint16
	Value  uint64
	Value2 uint64
}

// Opcodes that may appear in a ConstExpr.
const (
	OpI32Const  uint16 = 0x41
	OpI64Const  uint16 = 0x42
	OpF32Const  uint16 = 0x43
	OpF64Const  uint16 = 0x44
	OpGlobalGet uint16 = 0x23
	OpRefNull   uint16 = 0xD0
	OpRefFunc   uint16 = 0xD2
	OpI32Add    uint16 = 0x6A
	OpI32Sub    uint16 = 0x6B
	OpI32Mul    uint16 = 0x6C
	OpI64Add    uint16 = 0x7C
	OpI64Sub    uint16 = 0x7D
	OpI64Mul    uint16 = 0x7E
	OpV128Const uint16 = 0xFD0C
)

// ConstExpr is a constant expression, without its terminating end opcode,
// in evaluation order (a stack machine program).
type ConstExpr []ConstInstr

// Global is a global defined by the module (spec §2.5.6).
type Global struct {
	Type GlobalType
	Init ConstExpr
}

// SegmentMode says how an element or data segment is used (spec §2.5.7,
// §2.5.8).
type SegmentMode byte

const (
	SegmentActive      SegmentMode = iota // copied at instantiation
	SegmentPassive                        // used by table.init / memory.init
	SegmentDeclarative                    // element segments only: declares ref.func targets
)

// Element is an element segment (spec §2.5.7). Init has one constant
// expression per element; the funcidx-vector encodings are represented as
// one ref.func instruction each.
type Element struct {
	Mode   SegmentMode
	Table  uint32    // tableidx, active segments only
	Offset ConstExpr // active segments only
	Type   ValType   // FuncRef or ExternRef
	Init   []ConstExpr
}

// Data is a data segment (spec §2.5.8).
type Data struct {
	Mode   SegmentMode // SegmentActive or SegmentPassive
	Memory uint32      // memidx, active segments only
	Offset ConstExpr   // active segments only
	Init   []byte
}

// LocalRun is a run of Count locals of one type, as declared in a code
// entry (spec §5.5.13).
type LocalRun struct {
	Count uint32
	Type  ValType
}

// Code is the body of a defined function (spec §5.5.13).
type Code struct {
	// Locals are the declared locals (not the parameters) in declaration
	// order, as runs.
	Locals []LocalRun
	// NumLocals is the sum of the runs' Counts.
	NumLocals uint32
	// Body is the instruction sequence, including the final end opcode.
	Body []byte
	// Offset is the byte offset of Body[0] within the module binary, for
	// error messages and traces.
	Offset int
}

// CustomSection is a custom section (spec §5.5.3), the name section
// included.
type CustomSection struct {
	Name string
	Data []byte
}

// Names holds the contents of the name section (spec §7.4.1). Missing
// subsections give empty values.
type Names struct {
	Module string
	// Funcs maps funcidx to the function's name.
	Funcs map[uint32]string
	// Locals maps funcidx, then localidx, to a local's name.
	Locals map[uint32]map[uint32]string
}

// Module is a decoded, validated module. Index spaces (funcidx, tableidx,
// memidx, globalidx) count imports first, then the module's own
// definitions, as in the spec (§2.5.1).
type Module struct {
	Types   []FuncType
	Imports []Import
	// Funcs holds the typeidx of each defined (non-imported) function.
	Funcs  []uint32
	Tables []TableType
	// TableInits holds, per defined table, the initialiser expression of
	// every element (typed function references' table with an
	// initialiser, spec 3.0 §5.5.7); nil when no table has one, and a nil
	// entry for a table without one (its elements start null).
	TableInits []ConstExpr
	Memories   []MemoryType
	// Tags holds the typeidx of each defined tag (exception handling's
	// tag section); a tag's signature has no results.
	Tags    []uint32
	Globals []Global
	Exports []Export
	// Start is the funcidx of the start function, if HasStart.
	Start    uint32
	HasStart bool
	Elements []Element
	// DataCount is the data count section's value, if HasDataCount.
	DataCount    uint32
	HasDataCount bool
	// Code holds one entry per element of Funcs.
	Code []Code
	// CodeOffset is the byte offset in the binary of the code section's
	// contents (its function count), which DWARF's code addresses in wasm
	// are relative to; 0 without a code section.
	CodeOffset int
	Data       []Data
	Customs    []CustomSection
	Names      Names

	// NumImportedFuncs, NumImportedTables, NumImportedMemories and
	// NumImportedGlobals count the imports of each kind.
	NumImportedFuncs, NumImportedTables, NumImportedMemories, NumImportedGlobals uint32
	// NumImportedTags counts the imported tags (exception handling).
	NumImportedTags uint32

	// Hash is the SHA-256 of the binary the module was decoded from.
	Hash [32]byte

	// notEncodable says why Encode cannot write the module back (a
	// construct of the typed function references or exception-handling
	// proposals that the Module records only in part); "" if it can.
	notEncodable string

	// importsOf lists, per ExternKind, the positions in Imports of the
	// imports of that kind, in index-space order.
	importsOf [5][]int32
}

// importOf returns the import that is the index-th of its kind.
func (m *Module) importOf(kind ExternKind, index uint32) *Import {
	return &m.Imports[m.importsOf[kind][index]]
}

// FuncTypeOf returns the signature of the function funcidx, imported or
// defined. funcidx must be valid.
func (m *Module) FuncTypeOf(funcidx uint32) *FuncType {
	if funcidx < m.NumImportedFuncs {
		return &m.Types[m.importOf(ExternFunc, funcidx).Func]
	}
	return &m.Types[m.Funcs[funcidx-m.NumImportedFuncs]]
}

// GlobalTypeOf returns the type of the global globalidx, imported or
// defined. globalidx must be valid.
func (m *Module) GlobalTypeOf(globalidx uint32) GlobalType {
	if globalidx < m.NumImportedGlobals {
		return m.importOf(ExternGlobal, globalidx).Global
	}
	return m.Globals[globalidx-m.NumImportedGlobals].Type
}

// TableTypeOf returns the type of the table tableidx, imported or defined.
// tableidx must be valid.
func (m *Module) TableTypeOf(tableidx uint32) TableType {
	if tableidx < m.NumImportedTables {
		return m.importOf(ExternTable, tableidx).Table
	}
	return m.Tables[tableidx-m.NumImportedTables]
}

// MemoryTypeOf returns the type of the memory memidx, imported or defined.
// memidx must be valid.
func (m *Module) MemoryTypeOf(memidx uint32) MemoryType {
	if memidx < m.NumImportedMemories {
		return m.importOf(ExternMemory, memidx).Memory
	}
	return m.Memories[memidx-m.NumImportedMemories]
}

// TagTypeOf returns the signature of the tag tagidx, imported or defined.
// tagidx must be valid.
func (m *Module) TagTypeOf(tagidx uint32) *FuncType {
	if tagidx < m.NumImportedTags {
		return &m.Types[m.importOf(ExternTag, tagidx).Tag]
	}
	return &m.Types[m.Tags[tagidx-m.NumImportedTags]]
}
