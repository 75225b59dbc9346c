package decoder

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Helpers that write the binary format by hand.

func uleb(v uint64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func sleb(v int64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func str(s string) []byte { return cat(uleb(uint64(len(s))), []byte(s)) }

// vec prefixes the concatenated items with their count.
func vec(items ...[]byte) []byte { return cat(uleb(uint64(len(items))), cat(items...)) }

func sec(id byte, contents ...[]byte) []byte {
	c := cat(contents...)
	return cat([]byte{id}, uleb(uint64(len(c))), c)
}

var header = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

func mod(sections ...[]byte) []byte { return cat(header, cat(sections...)) }

// b is shorthand for a byte slice literal.
func b(bs ...byte) []byte { return bs }

func i32c(v int32) []byte { return cat(b(0x41), sleb(int64(v))) }

const end = 0x0b

// wantHash fills in m.Hash for bin and returns m.
func withHash(m *Module, bin []byte) *Module {
	m.Hash = sha256.Sum256(bin)
	return m
}

// allSections builds a valid module using every section and every element
// and data encoding, and the Module it must decode to.
func allSections() ([]byte, *Module) {
	meta := sec(secCustom, str("meta"), b(1, 2, 3))
	types := sec(secType, vec(
		b(0x60, 0, 0),
		cat(b(0x60), vec(b(byte(I32)), b(byte(I64))), vec(b(byte(I32)))),
	))
	imports := sec(secImport, vec(
		cat(str("env"), str("f"), b(0x00), uleb(1)),
		cat(str("env"), str("t"), b(0x01, 0x70, 0x00), uleb(1)),
		cat(str("env"), str("g"), b(0x03, 0x7f, 0x00)),
	))
	funcs := sec(secFunction, vec(uleb(0), uleb(1)))
	tables := sec(secTable, vec(
		b(0x70, 0x01, 2, 10),
		b(0x6f, 0x00, 0),
	))
	mems := sec(secMemory, vec(b(0x01, 1, 2)))
	v128 := cat(b(0xfd), uleb(12), b(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16))
	globals := sec(secGlobal, vec(
		cat(b(0x7f, 1), i32c(-5), b(end)),
		cat(b(0x7e, 0), b(0x42), sleb(1<<40), b(end)),
		cat(b(0x7d, 0), b(0x43, 0x00, 0x00, 0xc0, 0x3f), b(end)),       // 1.5
		cat(b(0x7c, 0), b(0x44, 0, 0, 0, 0, 0, 0, 0x02, 0xc0), b(end)), // -2.25
		cat(b(0x7f, 0), b(0x23, 0), b(end)),
		cat(b(0x7b, 0), v128, b(end)),
		cat(b(0x70, 0), b(0xd2, 1), b(end)),
		cat(b(0x6f, 0), b(0xd0, 0x6f), b(end)),
	))
	exports := sec(secExport, vec(
		cat(str("main"), b(0), uleb(1)),
		cat(str("mem"), b(2), uleb(0)),
		cat(str("tab"), b(1), uleb(1)),
		cat(str("g"), b(3), uleb(1)),
	))
	start := sec(secStart, uleb(1))
	elems := sec(secElement, vec(
		cat(uleb(0), i32c(0), b(end), vec(uleb(1), uleb(2))),
		cat(uleb(1), b(0x00), vec(uleb(2))),
		cat(uleb(2), uleb(1), i32c(1), b(end), b(0x00), vec(uleb(1))),
		cat(uleb(3), b(0x00), vec(uleb(2))),
		cat(uleb(4), i32c(0), b(end), vec(b(0xd2, 1, end), b(0xd0, 0x70, end))),
		cat(uleb(5), b(0x6f), vec(b(0xd0, 0x6f, end))),
		cat(uleb(6), uleb(2), i32c(0), b(end), b(0x6f), vec(b(0xd0, 0x6f, end))),
		cat(uleb(7), b(0x70), vec(b(0xd2, 2, end))),
	))
	dataCount := sec(secDataCount, uleb(3))
	body1 := b(end)
	locals1 := vec(b(2, 0x7f), b(1, 0x7c))
	entry1 := cat(locals1, body1)
	body2 := b(0x20, 0x00, end)
	entry2 := cat(vec(), body2)
	codeContents := cat(uleb(2), uleb(uint64(len(entry1))), entry1, uleb(uint64(len(entry2))), entry2)
	code := sec(secCode, codeContents)
	data := sec(secData, vec(
		cat(uleb(0), i32c(16), b(end), str("hi")),
		cat(uleb(1), str("abc")),
		cat(uleb(2), uleb(0), i32c(0), b(end), str("")),
	))
	nameData := cat(
		b(0), uleb(uint64(len(str("m")))), str("m"),
		b(1), uleb(uint64(len(vec(cat(uleb(1), str("main")), cat(uleb(2), str("second")))))),
		vec(cat(uleb(1), str("main")), cat(uleb(2), str("second"))),
		b(2), uleb(uint64(len(vec(cat(uleb(1), vec(cat(uleb(0), str("x")))))))),
		vec(cat(uleb(1), vec(cat(uleb(0), str("x"))))),
	)
	names := sec(secCustom, str("name"), nameData)

	prefix := cat(header, meta, types, imports, funcs, tables, mems, globals, exports, start, elems, dataCount)
	// Offsets of the two bodies: after the code section's id, size and
	// count, then each entry's size and locals.
	codeStart := len(prefix) + 1 + len(uleb(uint64(len(codeContents)))) + 1
	off1 := codeStart + 1 + len(locals1)
	off2 := off1 + len(body1) + 1 + 1
	bin := cat(prefix, code, data, names)

	ref := func(idx uint64) ConstExpr { return ConstExpr{{Op: OpRefFunc, Value: idx}} }
	want := &Module{
		Types: []FuncType{
			{},
			{Params: []ValType{I32, I64}, Results: []ValType{I32}},
		},
		Imports: []Import{
			{Module: "env", Name: "f", Kind: ExternFunc, Func: 1},
			{Module: "env", Name: "t", Kind: ExternTable, Table: TableType{Elem: FuncRef, Limits: Limits{Min: 1}}},
			{Module: "env", Name: "g", Kind: ExternGlobal, Global: GlobalType{Type: I32}},
		},
		Funcs: []uint32{0, 1},
		Tables: []TableType{
			{Elem: FuncRef, Limits: Limits{Min: 2, Max: 10, HasMax: true}},
			{Elem: ExternRef},
		},
		Memories: []MemoryType{{Limits: Limits{Min: 1, Max: 2, HasMax: true}}},
		Globals: []Global{
			{Type: GlobalType{Type: I32, Mutable: true}, Init: ConstExpr{{Op: OpI32Const, Value: uint64(uint32(0xfffffffb))}}},
			{Type: GlobalType{Type: I64}, Init: ConstExpr{{Op: OpI64Const, Value: 1 << 40}}},
			{Type: GlobalType{Type: F32}, Init: ConstExpr{{Op: OpF32Const, Value: uint64(math.Float32bits(1.5))}}},
			{Type: GlobalType{Type: F64}, Init: ConstExpr{{Op: OpF64Const, Value: math.Float64bits(-2.25)}}},
			{Type: GlobalType{Type: I32}, Init: ConstExpr{{Op: OpGlobalGet, Value: 0}}},
			{Type: GlobalType{Type: V128}, Init: ConstExpr{{Op: OpV128Const, Value: 0x0807060504030201, Value2: 0x100f0e0d0c0b0a09}}},
			{Type: GlobalType{Type: FuncRef}, Init: ref(1)},
			{Type: GlobalType{Type: ExternRef}, Init: ConstExpr{{Op: OpRefNull, Value: uint64(ExternRef)}}},
		},
		Exports: []Export{
			{Name: "main", Kind: ExternFunc, Index: 1},
			{Name: "mem", Kind: ExternMemory, Index: 0},
			{Name: "tab", Kind: ExternTable, Index: 1},
			{Name: "g", Kind: ExternGlobal, Index: 1},
		},
		Start:    1,
		HasStart: true,
		Elements: []Element{
			{Mode: SegmentActive, Offset: ConstExpr{{Op: OpI32Const}}, Type: FuncRef, Init: []ConstExpr{ref(1), ref(2)}},
			{Mode: SegmentPassive, Type: FuncRef, Init: []ConstExpr{ref(2)}},
			{Mode: SegmentActive, Table: 1, Offset: ConstExpr{{Op: OpI32Const, Value: 1}}, Type: FuncRef, Init: []ConstExpr{ref(1)}},
			{Mode: SegmentDeclarative, Type: FuncRef, Init: []ConstExpr{ref(2)}},
			{Mode: SegmentActive, Offset: ConstExpr{{Op: OpI32Const}}, Type: FuncRef, Init: []ConstExpr{ref(1), {{Op: OpRefNull, Value: uint64(FuncRef)}}}},
			{Mode: SegmentPassive, Type: ExternRef, Init: []ConstExpr{{{Op: OpRefNull, Value: uint64(ExternRef)}}}},
			{Mode: SegmentActive, Table: 2, Offset: ConstExpr{{Op: OpI32Const}}, Type: ExternRef, Init: []ConstExpr{{{Op: OpRefNull, Value: uint64(ExternRef)}}}},
			{Mode: SegmentDeclarative, Type: FuncRef, Init: []ConstExpr{ref(2)}},
		},
		DataCount:    3,
		HasDataCount: true,
		Code: []Code{
			{Locals: []LocalRun{{2, I32}, {1, F64}}, NumLocals: 3, Body: body1, Offset: off1},
			{Body: body2, Offset: off2},
		},
		CodeOffset: codeStart - 1, // the count
		Data: []Data{
			{Mode: SegmentActive, Offset: ConstExpr{{Op: OpI32Const, Value: 16}}, Init: []byte("hi")},
			{Mode: SegmentPassive, Init: []byte("abc")},
			{Mode: SegmentActive, Offset: ConstExpr{{Op: OpI32Const}}},
		},
		Customs: []CustomSection{
			{Name: "meta", Data: b(1, 2, 3)},
			{Name: "name", Data: nameData},
		},
		Names: Names{
			Module: "m",
			Funcs:  map[uint32]string{1: "main", 2: "second"},
			Locals: map[uint32]map[uint32]string{1: {0: "x"}},
		},
		NumImportedFuncs:   1,
		NumImportedTables:  1,
		NumImportedGlobals: 1,
	}
	return bin, withHash(want, bin)
}

func TestDecodeAllSections(t *testing.T) {
	bin, want := allSections()
	got, err := Decode(bin, api.CoreFeaturesV2)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if diff := cmp.Diff(want, got, ignoreIndex); diff != "" {
		t.Errorf("Decode mismatch (-want +got):\n%s", diff)
	}
	// Bodies are at the offsets they claim.
	for i, c := range got.Code {
		if string(bin[c.Offset:c.Offset+len(c.Body)]) != string(c.Body) {
			t.Errorf("code[%d]: Body is not at Offset %#x", i, c.Offset)
		}
	}
	// The module does not alias the caller's buffer.
	for i := range bin {
		bin[i] ^= 0xff
	}
	if diff := cmp.Diff(want, got, ignoreIndex); diff != "" {
		t.Errorf("module changed with the input buffer (-want +got):\n%s", diff)
	}
}

func TestDecodeSmall(t *testing.T) {
	mem := func(flags byte, lim ...byte) []byte {
		return sec(secImport, vec(cat(str("m"), str("mem"), b(0x02, flags), lim)))
	}
	tests := []struct {
		name     string
		bin      []byte
		features api.CoreFeatures
		want     *Module
	}{
		{
			name: "empty module",
			bin:  mod(),
			want: &Module{},
		},
		{
			name: "memory import",
			bin:  mod(mem(0x00, 3)),
			want: &Module{
				Imports:             []Import{{Module: "m", Name: "mem", Kind: ExternMemory, Memory: MemoryType{Limits: Limits{Min: 3}}}},
				NumImportedMemories: 1,
			},
		},
		{
			name:     "shared memory import (threads)",
			bin:      mod(mem(0x03, 1, 4)),
			features: api.CoreFeaturesV2 | experimental.CoreFeaturesThreads,
			want: &Module{
				Imports:             []Import{{Module: "m", Name: "mem", Kind: ExternMemory, Memory: MemoryType{Limits: Limits{Min: 1, Max: 4, HasMax: true}, Shared: true}}},
				NumImportedMemories: 1,
			},
		},
		{
			name: "memory limits at 65536 pages",
			bin:  mod(sec(secMemory, vec(cat(b(0x01), uleb(0), uleb(65536))))),
			want: &Module{Memories: []MemoryType{{Limits: Limits{Min: 0, Max: 65536, HasMax: true}}}},
		},
		{
			name:     "extended-const global",
			bin:      mod(sec(secGlobal, vec(cat(b(0x7e, 0), b(0x42), sleb(math.MinInt64), b(0x42), sleb(-1), b(0x7d, 0x42, 3, 0x7e, end))))),
			features: api.CoreFeaturesV2 | experimental.CoreFeaturesExtendedConst,
			want: &Module{Globals: []Global{{Type: GlobalType{Type: I64}, Init: ConstExpr{
				{Op: OpI64Const, Value: 1 << 63},
				{Op: OpI64Const, Value: math.MaxUint64},
				{Op: OpI64Sub},
				{Op: OpI64Const, Value: 3},
				{Op: OpI64Mul},
			}}}},
		},
		{
			name: "LEB128 at the limits",
			bin: mod(sec(secGlobal, vec(
				// i32.const 0x7fffffff and -0x80000000 in 5 bytes,
				// 0 in a padded 5-byte encoding.
				cat(b(0x7f, 0), b(0x41, 0xff, 0xff, 0xff, 0xff, 0x07, end)),
				cat(b(0x7f, 0), b(0x41, 0x80, 0x80, 0x80, 0x80, 0x78, end)),
				cat(b(0x7f, 0), b(0x41, 0x80, 0x80, 0x80, 0x80, 0x00, end)),
				// i64.const -1 padded to 10 bytes.
				cat(b(0x7e, 0), b(0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, end)),
				// global.get with a padded 5-byte u32.
				cat(b(0x7f, 0), b(0x23, 0x80, 0x80, 0x80, 0x80, 0x00, end)),
			))),
			want: &Module{Globals: []Global{
				{Type: GlobalType{Type: I32}, Init: ConstExpr{{Op: OpI32Const, Value: 0x7fffffff}}},
				{Type: GlobalType{Type: I32}, Init: ConstExpr{{Op: OpI32Const, Value: 0x80000000}}},
				{Type: GlobalType{Type: I32}, Init: ConstExpr{{Op: OpI32Const, Value: 0}}},
				{Type: GlobalType{Type: I64}, Init: ConstExpr{{Op: OpI64Const, Value: math.MaxUint64}}},
				{Type: GlobalType{Type: I32}, Init: ConstExpr{{Op: OpGlobalGet, Value: 0}}},
			}},
		},
		{
			name: "u32 maximum",
			bin:  mod(sec(secStart, b(0xff, 0xff, 0xff, 0xff, 0x0f))),
			want: &Module{Start: math.MaxUint32, HasStart: true},
		},
		{
			name: "malformed name section is ignored",
			bin:  mod(sec(secCustom, str("name"), b(0x01, 0x05, 0x01))),
			want: &Module{Customs: []CustomSection{{Name: "name", Data: b(0x01, 0x05, 0x01)}}},
		},
		{
			name: "name section with bad UTF-8 is ignored",
			bin:  mod(sec(secCustom, str("name"), b(0x00, 0x02, 0x01, 0xff))),
			want: &Module{Customs: []CustomSection{{Name: "name", Data: b(0x00, 0x02, 0x01, 0xff)}}},
		},
		{
			name: "second name section is kept as a custom only",
			bin: mod(
				sec(secCustom, str("name"), b(0x00, 0x02, 0x01, 'a')),
				sec(secCustom, str("name"), b(0x00, 0x02, 0x01, 'b')),
			),
			want: &Module{
				Customs: []CustomSection{
					{Name: "name", Data: b(0x00, 0x02, 0x01, 'a')},
					{Name: "name", Data: b(0x00, 0x02, 0x01, 'b')},
				},
				Names: Names{Module: "a"},
			},
		},
		{
			name: "custom sections anywhere, empty custom name",
			bin: mod(
				sec(secCustom, str("")),
				sec(secType, vec()),
				sec(secCustom, str("x"), b(9)),
				sec(secDataCount, uleb(0)),
				sec(secCustom, str("y")),
			),
			want: &Module{
				Types:        []FuncType{},
				HasDataCount: true,
				Customs: []CustomSection{
					{Name: "", Data: b()},
					{Name: "x", Data: b(9)},
					{Name: "y", Data: b()},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			features := tt.features
			if features == 0 {
				features = api.CoreFeaturesV2
			}
			got, err := parse(tt.bin, features)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if diff := cmp.Diff(withHash(tt.want, tt.bin), got, ignoreIndex); diff != "" {
				t.Errorf("parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// funcModule wraps one function of type () -> () with the given code entry.
func funcModule(entry []byte) []byte {
	return mod(
		sec(secType, vec(b(0x60, 0, 0))),
		sec(secFunction, vec(uleb(0))),
		sec(secCode, vec(cat(uleb(uint64(len(entry))), entry))),
	)
}

func TestDecodeMalformed(t *testing.T) {
	typeSec := sec(secType, vec(b(0x60, 0, 0)))
	tests := []struct {
		name     string
		bin      []byte
		features api.CoreFeatures
		reason   string // a substring of Error.Reason
		section  string
		offset   int // -2: don't check
	}{
		{"empty", b(), 0, "unexpected end", "", 0},
		{"truncated magic", b(0, 'a', 's'), 0, "unexpected end", "", 3},
		{"bad magic", b(0, 'a', 's', 'n', 1, 0, 0, 0), 0, "magic header not detected", "", 0},
		{"truncated version", b(0, 'a', 's', 'm', 1, 0), 0, "unexpected end", "", 6},
		{"bad version", b(0, 'a', 's', 'm', 2, 0, 0, 0), 0, "unknown binary version", "", 4},
		{"unknown section id", mod(b(14, 0)), 0, "malformed section id", "", 8},
		{"tag section without exception handling", mod(b(13, 0)), 0, "malformed section id", "", 8},
		{"section larger than module", mod(b(1, 5, 0)), 0, "length out of bounds", "type", 10},
		{"truncated section size", mod(b(1, 0x80)), 0, "unexpected end", "type", -2},
		{"section out of order", mod(sec(secFunction, vec()), typeSec), 0, "unexpected content after last section", "type", -2},
		{"duplicate section", mod(typeSec, typeSec), 0, "unexpected content after last section", "type", -2},
		{"data count after code", mod(sec(secCode, vec()), sec(secDataCount, uleb(0))), 0, "unexpected content after last section", "data count", -2},
		{"section size mismatch", mod(sec(secType, vec(), b(0))), 0, "section size mismatch", "type", 11},
		{"content past section end", mod(sec(secType, b(1, 0x60, 0))), 0, "unexpected end of section or function", "type", -2},
		{"u32 too long", mod(sec(secType, b(0x80, 0x80, 0x80, 0x80, 0x80, 0x00))), 0, "integer representation too long", "type", 10},
		{"u32 too large", mod(sec(secType, b(0x80, 0x80, 0x80, 0x80, 0x1f))), 0, "integer too large", "type", 10},
		{"s32 too large", mod(sec(secGlobal, vec(b(0x7f, 0, 0x41, 0xff, 0xff, 0xff, 0xff, 0x4f, end)))), 0, "integer too large", "global", -2},
		{"s32 too long", mod(sec(secGlobal, vec(b(0x7f, 0, 0x41, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, end)))), 0, "integer representation too long", "global", -2},
		{"s64 too large", mod(sec(secGlobal, vec(b(0x7e, 0, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, end)))), 0, "integer too large", "global", -2},
		{"s64 too long", mod(sec(secGlobal, vec(b(0x7e, 0, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, end)))), 0, "integer representation too long", "global", -2},
		{"bad UTF-8 in import name", mod(sec(secImport, vec(cat(str("m"), b(2, 0xc0, 0x80), b(0, 0))))), 0, "malformed UTF-8 encoding", "import", 14},
		{"surrogate in export name", mod(sec(secExport, vec(cat(b(3, 0xed, 0xa0, 0x80), b(0, 0))))), 0, "malformed UTF-8 encoding", "export", -2},
		{"bad UTF-8 in custom section name", mod(sec(secCustom, b(1, 0xff))), 0, "malformed UTF-8 encoding", "custom", -2},
		{"custom name longer than section", mod(b(0, 2, 5, 'a')), 0, "length out of bounds", "custom", -2},
		{"function without code", mod(typeSec, sec(secFunction, vec(uleb(0)))), 0, "function and code section have inconsistent lengths", "", -1},
		{"code without function", mod(typeSec, sec(secCode, vec(b(2, 0, end)))), 0, "function and code section have inconsistent lengths", "", -1},
		{"data count mismatch", mod(sec(secDataCount, uleb(1))), 0, "data count and data section have inconsistent lengths", "", -1},
		{"code entry without end", funcModule(b(0, 0x01)), 0, "END opcode expected", "code", -2},
		{"empty code entry", funcModule(b()), 0, "unexpected end of section or function", "code", -2},
		{"too many locals", funcModule(cat(vec(cat(uleb(math.MaxUint32), b(0x7f)), cat(uleb(1), b(0x7f))), b(end))), 0, "too many locals", "code", -2},
		{"code entry past section", mod(typeSec, sec(secFunction, vec(uleb(0))), sec(secCode, b(1, 9, 0, end))), 0, "unexpected end of section or function", "code", -2},
		{"bad value type", mod(sec(secType, vec(b(0x60, 1, 0x40, 0)))), 0, "malformed value type", "type", 13},
		{"bad function type form", mod(sec(secType, vec(b(0x61, 0, 0)))), 0, "malformed function type form", "type", -2},
		{"bad mutability", mod(sec(secGlobal, vec(b(0x7f, 2, 0x41, 0, end)))), 0, "malformed mutability", "global", -2},
		{"bad limits flags", mod(sec(secMemory, vec(b(0x04, 0)))), 0, "malformed limits flags", "memory", -2},
		{"shared memory without threads", mod(sec(secMemory, vec(b(0x03, 1, 1)))), api.CoreFeaturesV2, "malformed limits flags", "memory", -2},
		{"shared table", mod(sec(secTable, vec(b(0x70, 0x03, 1, 1)))), api.CoreFeaturesV2 | experimental.CoreFeaturesThreads, "malformed limits flags", "table", -2},
		{"bad table reftype", mod(sec(secTable, vec(b(0x7f, 0x00, 0)))), 0, "malformed reference type", "table", -2},
		{"bad import kind", mod(sec(secImport, vec(cat(str("m"), str("n"), b(5, 0))))), 0, "malformed import kind", "import", -2},
		{"bad export kind", mod(sec(secExport, vec(cat(str("e"), b(4, 0))))), 0, "malformed export kind", "export", -2},
		{"element flags 8", mod(sec(secElement, vec(b(8)))), 0, "malformed element segment flags", "element", -2},
		{"element kind 1", mod(sec(secElement, vec(b(1, 1, 0)))), 0, "malformed element kind", "element", -2},
		{"data flags 3", mod(sec(secData, vec(b(3)))), 0, "malformed data segment flags", "data", -2},
		{"data longer than section", mod(sec(secData, vec(b(1, 5, 'a')))), 0, "length out of bounds", "data", -2},
		{"const expr without end", mod(sec(secGlobal, vec(b(0x7f, 0, 0x41, 0)))), 0, "unexpected end of section or function", "global", -2},
		{"truncated f64.const", mod(sec(secGlobal, vec(b(0x7c, 0, 0x44, 0, 0)))), 0, "unexpected end of section or function", "global", -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			features := tt.features
			if features == 0 {
				features = api.CoreFeaturesV2
			}
			m, err := Decode(tt.bin, features)
			if err == nil {
				t.Fatalf("Decode accepted the module: %+v", m)
			}
			if !errors.Is(err, ErrMalformed) || errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want a malformed-module error", err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *Error", err)
			}
			if !strings.Contains(e.Reason, tt.reason) {
				t.Errorf("Reason = %q, want it to contain %q", e.Reason, tt.reason)
			}
			if e.Section != tt.section {
				t.Errorf("Section = %q, want %q", e.Section, tt.section)
			}
			if tt.offset != -2 && e.Offset != tt.offset {
				t.Errorf("Offset = %#x, want %#x (%v)", e.Offset, tt.offset, err)
			}
		})
	}
}

func TestDecodeInvalid(t *testing.T) {
	tests := []struct {
		name string
		bin  []byte
	}{
		{
			// func () -> (i32) whose body leaves an i64.
			name: "type mismatch in a body",
			bin: mod(
				sec(secType, vec(cat(b(0x60, 0), vec(b(0x7f))))),
				sec(secFunction, vec(uleb(0))),
				sec(secCode, vec(cat(uleb(4), b(0, 0x42, 0, end)))),
			),
		},
		{
			name: "non-constant instruction in a constant expression",
			bin:  mod(sec(secGlobal, vec(b(0x7f, 0, 0x41, 0, 0x01, end)))),
		},
		{
			name: "global initializer of the wrong type",
			bin:  mod(sec(secGlobal, vec(b(0x7f, 0, 0x42, 0, end)))),
		},
		{
			name: "extended-const without the feature",
			bin:  mod(sec(secGlobal, vec(b(0x7f, 0, 0x41, 1, 0x41, 2, 0x6a, end)))),
		},
		{
			name: "unknown type index",
			bin:  mod(sec(secFunction, vec(uleb(3))), sec(secCode, vec(b(2, 0, end)))),
		},
		{
			name: "two memories",
			bin:  mod(sec(secMemory, vec(b(0, 1), b(0, 1)))),
		},
		{
			name: "duplicate export names",
			bin: mod(
				sec(secMemory, vec(b(0, 1))),
				sec(secExport, vec(cat(str("a"), b(2, 0)), cat(str("a"), b(2, 0)))),
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode(tt.bin, api.CoreFeaturesV2)
			if err == nil {
				t.Fatalf("Decode accepted the module: %+v", m)
			}
			if !errors.Is(err, ErrInvalid) || errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want an invalid-module error", err)
			}
			if !strings.HasPrefix(err.Error(), "invalid module: ") {
				t.Errorf("Error() = %q, want prefix %q", err.Error(), "invalid module: ")
			}
		})
	}
}

// TestDecodeProposals checks what the exception-handling and typed
// function references proposals add to the binary format: tags, exnref,
// (ref null ht) and (ref ht), tables with an initialiser, and canonical
// signature keys (equal exactly for structurally equal types).
func TestDecodeProposals(t *testing.T) {
	eh := api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling
	tfr := api.CoreFeaturesV2 | experimental.CoreFeaturesTypedFunctionReferences
	decode := func(t *testing.T, bin []byte, f api.CoreFeatures) *Module {
		t.Helper()
		m, err := Decode(bin, f)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	t.Run("tag section", func(t *testing.T) {
		m := decode(t, mod(sec(secType, vec(b(0x60, 1, I32, 0))), b(13, 3, 1, 0, 0)), eh)
		if diff := cmp.Diff([]uint32{0}, m.Tags); diff != "" {
			t.Errorf("Tags (-want +got):\n%s", diff)
		}
		if got := m.TagTypeOf(0).Params; !bytes.Equal(got, []ValType{I32}) {
			t.Errorf("TagTypeOf(0).Params = %v", got)
		}
	})
	t.Run("tag import and export", func(t *testing.T) {
		m := decode(t, mod(sec(secType, vec(b(0x60, 0, 0))), sec(secImport, vec(cat(str("m"), str("t"), b(4, 0, 0)))),
			sec(secExport, vec(cat(str("t"), b(4, 0))))), eh)
		if m.NumImportedTags != 1 || m.Imports[0].Kind != ExternTag || m.Exports[0].Kind != ExternTag || m.TagTypeOf(0) != &m.Types[0] {
			t.Errorf("imports %+v, exports %+v", m.Imports, m.Exports)
		}
	})
	t.Run("exnref", func(t *testing.T) {
		m := decode(t, mod(sec(secType, vec(b(0x60, 1, 0x69, 0)))), eh)
		if !bytes.Equal(m.Types[0].Params, []ValType{ExnRef}) {
			t.Errorf("Params = %v", m.Types[0].Params)
		}
	})
	t.Run("typed references", func(t *testing.T) {
		// type 0: (func (param (ref null func))) is (func (param funcref));
		// type 1: (func (param (ref 0))); type 2: (func (param (ref 1)));
		// type 3: (func (param (ref null 0))).
		m := decode(t, mod(sec(secType, vec(b(0x60, 1, 0x63, 0x70, 0), b(0x60, 1, 0x64, 0, 0), b(0x60, 1, 0x64, 1, 0), b(0x60, 1, 0x63, 0, 0)))), tfr)
		plain := FuncType{Params: []ValType{FuncRef}}
		if !m.Types[0].Equal(&plain) || m.Types[0].Key() != plain.Key() {
			t.Errorf("(ref null func) differs from funcref: %q vs %q", m.Types[0].Key(), plain.Key())
		}
		for i := 1; i < 4; i++ {
			if !bytes.Equal(m.Types[i].Params, []ValType{FuncRef}) {
				t.Errorf("type %d: Params = %v", i, m.Types[i].Params)
			}
			for j := 0; j < i; j++ {
				if m.Types[i].Equal(&m.Types[j]) {
					t.Errorf("types %d and %d are equal: %q", i, j, m.Types[i].Key())
				}
			}
		}
		if _, err := Encode(m); err == nil {
			t.Error("Encode of a module with typed references: no error (it would lose the precise types)")
		}
		// The same structure in another module, at other indices.
		m2 := decode(t, mod(sec(secType, vec(b(0x60, 0, 0), b(0x60, 1, 0x70, 0), b(0x60, 1, 0x64, 1, 0), b(0x60, 1, 0x64, 2, 0)))), tfr)
		if !m.Types[1].Equal(&m2.Types[2]) || !m.Types[2].Equal(&m2.Types[3]) || m.Types[1].Equal(&m2.Types[3]) {
			t.Errorf("keys across modules: %q %q / %q %q", m.Types[1].Key(), m.Types[2].Key(), m2.Types[2].Key(), m2.Types[3].Key())
		}
	})
	t.Run("recursion groups", func(t *testing.T) {
		// (rec (type (func)) (type (func))) then (type (func)), twice.
		bin := mod(sec(secType, vec(b(0x4e, 2, 0x60, 0, 0, 0x60, 0, 0), b(0x60, 0, 0))))
		m, m2 := decode(t, bin, eh), decode(t, bin, eh)
		if m.Types[0].Equal(&m.Types[1]) || m.Types[0].Equal(&m.Types[2]) || m.Types[1].Equal(&m.Types[2]) {
			t.Errorf("members of a group equal each other or a plain type: %q %q %q", m.Types[0].Key(), m.Types[1].Key(), m.Types[2].Key())
		}
		for i := range m.Types {
			if !m.Types[i].Equal(&m2.Types[i]) {
				t.Errorf("type %d differs across modules", i)
			}
		}
		plain := FuncType{}
		if !m.Types[2].Equal(&plain) {
			t.Errorf("a type outside a rec is not the plain type: %q", m.Types[2].Key())
		}
	})
	t.Run("table with initialiser", func(t *testing.T) {
		// (table 2 (ref null func) (ref.null func)), then a plain table.
		m := decode(t, mod(sec(secTable, vec(b(0x40, 0, 0x63, 0x70, 0, 2, 0xd0, 0x70, 0x0b), b(0x70, 0, 1)))), tfr)
		want := []ConstExpr{{{Op: OpRefNull, Value: uint64(FuncRef)}}, nil}
		if diff := cmp.Diff(want, m.TableInits); diff != "" || m.Tables[0].Elem != FuncRef || m.Tables[0].Limits.Min != 2 {
			t.Errorf("tables %+v, inits (-want +got):\n%s", m.Tables, diff)
		}
	})
	t.Run("not without the feature", func(t *testing.T) {
		for _, bin := range [][]byte{
			mod(sec(secType, vec(b(0x60, 0, 0))), b(13, 3, 1, 0, 0)),
			mod(sec(secType, vec(b(0x60, 1, 0x69, 0)))),
			mod(sec(secType, vec(b(0x60, 1, 0x63, 0x70, 0)))),
		} {
			if _, err := Decode(bin, api.CoreFeaturesV2); !errors.Is(err, ErrMalformed) {
				t.Errorf("Decode without the proposal: %v, want malformed", err)
			}
		}
	})
}

func TestDecodeUnsupported(t *testing.T) {
	tests := []struct {
		name     string
		bin      []byte
		features api.CoreFeatures
	}{
		{"recursive type group of a struct", mod(sec(secType, vec(b(0x4e, 1, 0x5f, 0)))), api.CoreFeaturesV2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.bin, tt.features)
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("got %v, want an unsupported-module error", err)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{
			&Error{Kind: Malformed, Section: "code", FuncIndex: 3, Offset: 0x1a2, Reason: "unexpected end"},
			"malformed module: section code, function[3] at offset 0x1a2: unexpected end",
		},
		{
			&Error{Kind: Malformed, Section: "type", FuncIndex: -1, Offset: 10, Reason: "integer too large"},
			"malformed module: section type at offset 0xa: integer too large",
		},
		{
			&Error{Kind: Malformed, FuncIndex: -1, Offset: 0, Reason: "magic header not detected"},
			"malformed module: at offset 0x0: magic header not detected",
		},
		{
			&Error{Kind: Invalid, FuncIndex: -1, Offset: -1, Reason: "invalid function[0]: type mismatch"},
			"invalid module: invalid function[0]: type mismatch",
		},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	// The function index of a malformed body is reported.
	bin := funcModule(b(0, 0x01))
	_, err := Decode(bin, api.CoreFeaturesV2)
	var e *Error
	if !errors.As(err, &e) || e.FuncIndex != 0 {
		t.Errorf("got %v, want an *Error with FuncIndex 0", err)
	}
}

// TestDecodeConcurrent decodes valid, invalid and malformed modules from many
// goroutines at once, through the shared gate and through a tiny one that
// evicts all the time; run it with -race.
func TestDecodeConcurrent(t *testing.T) {
	valid, want := allSections()
	invalid := mod(sec(secGlobal, vec(b(0x7f, 0, 0x42, 0, end))))
	malformed := mod(b(14, 0))
	var others [][]byte
	for i := range 8 {
		others = append(others, mod(sec(secMemory, vec(b(0, byte(i))))))
	}
	small := newGate(3)
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := range 20 {
				m, err := Decode(valid, api.CoreFeaturesV2)
				if err != nil {
					t.Errorf("valid: %v", err)
				} else if diff := cmp.Diff(want, m, ignoreIndex); diff != "" {
					t.Errorf("valid: mismatch (-want +got):\n%s", diff)
				}
				if _, err := Decode(invalid, api.CoreFeaturesV2); !errors.Is(err, ErrInvalid) {
					t.Errorf("invalid: got %v", err)
				}
				if _, err := Decode(malformed, api.CoreFeaturesV2); !errors.Is(err, ErrMalformed) {
					t.Errorf("malformed: got %v", err)
				}
				o := others[(g+i)%len(others)]
				if err := small.check(o, sha256.Sum256(o), api.CoreFeaturesV2); err != nil {
					t.Errorf("small gate: %v", err)
				}
				if err := small.check(invalid, sha256.Sum256(invalid), api.CoreFeaturesV1); !errors.Is(err, ErrInvalid) {
					t.Errorf("small gate, invalid: got %v", err)
				}
			}
		})
	}
	wg.Wait()
	small.mu.Lock()
	defer small.mu.Unlock()
	if len(small.cache) > 3 || small.lru.Len() != len(small.cache) {
		t.Errorf("small gate holds %d verdicts (list %d), want at most 3", len(small.cache), small.lru.Len())
	}
	if len(small.runtimes) != 2 {
		t.Errorf("small gate has %d runtimes, want 2 (one per feature set)", len(small.runtimes))
	}
}

// TestGateCache checks that verdicts are cached per hash and features.
func TestGateCache(t *testing.T) {
	g := newGate(2)
	bin := mod()
	h := sha256.Sum256(bin)
	for range 3 {
		if err := g.check(bin, h, api.CoreFeaturesV2); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(g.cache); n != 1 {
		t.Errorf("cache holds %d verdicts, want 1", n)
	}
	// Same hash, other features: a separate verdict. A wrong hash is taken
	// at its word, which shows that the cache is what answers.
	if err := g.check(bin, h, api.CoreFeaturesV1); err != nil {
		t.Fatal(err)
	}
	if err := g.check(mod(b(14, 0)), h, api.CoreFeaturesV1); err != nil {
		t.Errorf("cached verdict not used: %v", err)
	}
	if n := len(g.cache); n != 2 {
		t.Errorf("cache holds %d verdicts, want 2", n)
	}
	// A third key evicts the least recently used (V2).
	if err := g.check(bin, [32]byte{1}, api.CoreFeaturesV2); err != nil {
		t.Fatal(err)
	}
	if _, ok := g.cache[gateKey{h, api.CoreFeaturesV2}]; ok {
		t.Errorf("least recently used verdict was not evicted")
	}
}

// ignoreIndex leaves Module's derived import index out of comparisons of
// hand-built modules; TestTypeOf checks it.
var ignoreIndex = cmpopts.IgnoreUnexported(Module{}, FuncType{})

// TestTypeOf checks the index-space lookups against a walk of the imports,
// on every spec-suite module that has imports of several kinds.
func TestTypeOf(t *testing.T) {
	bin, _ := allSections()
	m, err := Decode(bin, api.CoreFeaturesV2)
	if err != nil {
		t.Fatal(err)
	}
	var n [4]uint32
	for _, im := range m.Imports {
		i := n[im.Kind]
		n[im.Kind]++
		var got, want any
		switch im.Kind {
		case ExternFunc:
			got, want = *m.FuncTypeOf(i), m.Types[im.Func]
		case ExternTable:
			got, want = m.TableTypeOf(i), im.Table
		case ExternMemory:
			got, want = m.MemoryTypeOf(i), im.Memory
		case ExternGlobal:
			got, want = m.GlobalTypeOf(i), im.Global
		}
		if d := cmp.Diff(want, got, ignoreIndex); d != "" {
			t.Errorf("%s import %d: (-want +got)\n%s", im.Kind, i, d)
		}
	}
	if n[ExternFunc] == 0 || n[ExternGlobal] == 0 {
		t.Fatalf("allSections has %v imports by kind; the test needs funcs and globals", n)
	}
	for i := range m.Funcs {
		if d := cmp.Diff(m.Types[m.Funcs[i]], *m.FuncTypeOf(m.NumImportedFuncs + uint32(i)), ignoreIndex); d != "" {
			t.Errorf("defined func %d: %s", i, d)
		}
	}
}
