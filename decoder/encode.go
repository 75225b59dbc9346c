package decoder

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/wpi-dev/wpi/internal/leb128"
)

// Encode writes m in the binary format (spec §5): the inverse of Parse,
// up to encoding choices that do not change the module's meaning (LEB128
// lengths are minimal, element segments of plain function references use
// the funcidx-vector forms, custom sections, the name section among them,
// come last in their original order). Function bodies are written as
// decoded, so code offsets inside the code section stay those of the
// original whenever its LEB128 lengths were minimal.
//
// It fails for a module that uses typed function references, recursion
// groups or tables with an initialiser (the description records
// those only in part), and for a description no binary can carry: a value type or opcode
// the decoder never produces, an element segment mixing forms, a constant
// expression that is empty. The result is not validated; decode it with
// Decode to check it.
func Encode(m *Module) ([]byte, error) {
	if m.notEncodable != "" {
		return nil, fmt.Errorf("decoder: Encode: %s are not supported", m.notEncodable)
	}
	e := &encoder{out: append(make([]byte, 0, encodeSizeHint(m)), magic...)}
	e.out = append(e.out, version...)

	if len(m.Types) > 0 {
		e.section(secType, func() {
			e.u32(len(m.Types))
			for _, t := range m.Types {
				e.byte(0x60)
				e.valTypes(t.Params)
				e.valTypes(t.Results)
			}
		})
	}
	if len(m.Imports) > 0 {
		e.section(secImport, func() {
			e.u32(len(m.Imports))
			for _, imp := range m.Imports {
				e.name(imp.Module)
				e.name(imp.Name)
				e.byte(byte(imp.Kind))
				switch imp.Kind {
				case ExternFunc:
					e.u32(int(imp.Func))
				case ExternTable:
					e.tableType(imp.Table)
				case ExternMemory:
					e.memoryType(imp.Memory)
				case ExternGlobal:
					e.globalType(imp.Global)
				case ExternTag:
					e.tagType(imp.Tag)
				default:
					e.fail("import %q.%q: unknown kind %d", imp.Module, imp.Name, imp.Kind)
				}
			}
		})
	}
	if len(m.Funcs) > 0 {
		e.section(secFunction, func() {
			e.u32(len(m.Funcs))
			for _, t := range m.Funcs {
				e.u32(int(t))
			}
		})
	}
	if len(m.Tables) > 0 {
		e.section(secTable, func() {
			e.u32(len(m.Tables))
			for _, t := range m.Tables {
				e.tableType(t)
			}
		})
	}
	if len(m.Memories) > 0 {
		e.section(secMemory, func() {
			e.u32(len(m.Memories))
			for _, mt := range m.Memories {
				e.memoryType(mt)
			}
		})
	}
	if len(m.Tags) > 0 { // after the memory section (exception handling's order)
		e.section(secTag, func() {
			e.u32(len(m.Tags))
			for _, t := range m.Tags {
				e.tagType(t)
			}
		})
	}
	if len(m.Globals) > 0 {
		e.section(secGlobal, func() {
			e.u32(len(m.Globals))
			for i, g := range m.Globals {
				e.globalType(g.Type)
				e.constExpr(g.Init, "global", i)
			}
		})
	}
	if len(m.Exports) > 0 {
		e.section(secExport, func() {
			e.u32(len(m.Exports))
			for _, x := range m.Exports {
				e.name(x.Name)
				e.byte(byte(x.Kind))
				e.u32(int(x.Index))
			}
		})
	}
	if m.HasStart {
		e.section(secStart, func() { e.u32(int(m.Start)) })
	}
	if len(m.Elements) > 0 {
		e.section(secElement, func() {
			e.u32(len(m.Elements))
			for i := range m.Elements {
				e.element(&m.Elements[i], i)
			}
		})
	}
	if m.HasDataCount {
		e.section(secDataCount, func() { e.u32(len(m.Data)) })
	}
	if len(m.Code) > 0 {
		e.section(secCode, func() {
			e.u32(len(m.Code))
			var entry encoder
			for _, c := range m.Code {
				entry.out = entry.out[:0]
				entry.u32(len(c.Locals))
				for _, l := range c.Locals {
					entry.u32(int(l.Count))
					entry.valType(l.Type)
				}
				entry.out = append(entry.out, c.Body...)
				e.u32(len(entry.out))
				e.out = append(e.out, entry.out...)
			}
		})
	}
	if len(m.Data) > 0 {
		e.section(secData, func() {
			e.u32(len(m.Data))
			for i, d := range m.Data {
				switch {
				case d.Mode == SegmentPassive:
					e.byte(1)
				case d.Mode == SegmentActive && d.Memory == 0:
					e.byte(0)
					e.constExpr(d.Offset, "data segment", i)
				case d.Mode == SegmentActive:
					e.byte(2)
					e.u32(int(d.Memory))
					e.constExpr(d.Offset, "data segment", i)
				default:
					e.fail("data segment %d: mode %d", i, d.Mode)
				}
				e.u32(len(d.Init))
				e.out = append(e.out, d.Init...)
			}
		})
	}
	for _, c := range m.Customs {
		e.section(secCustom, func() {
			e.name(c.Name)
			e.out = append(e.out, c.Data...)
		})
	}
	if e.err != nil {
		return nil, e.err
	}
	return e.out, nil
}

// encodeSizeHint is about the size of m's binary: its bodies, data and
// custom sections, plus some for the rest.
func encodeSizeHint(m *Module) int {
	n := 1024
	for _, c := range m.Code {
		n += len(c.Body) + 8
	}
	for _, d := range m.Data {
		n += len(d.Init) + 16
	}
	for _, c := range m.Customs {
		n += len(c.Data) + len(c.Name) + 8
	}
	return n
}

// encoder appends the binary format to out; the first error sticks.
type encoder struct {
	out []byte
	err error
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("decoder: encode: "+format, args...)
	}
}

func (e *encoder) byte(b byte) { e.out = append(e.out, b) }

// u32 appends n as an unsigned LEB128 (spec §5.2.2).
func (e *encoder) u32(n int) {
	if n < 0 || uint64(n) > math.MaxUint32 {
		e.fail("%d does not fit a u32", n)
		return
	}
	e.out = leb128.AppendUnsigned(e.out, uint64(n))
}

// sleb appends v as a signed LEB128 (spec §5.2.2).
func (e *encoder) sleb(v int64) { e.out = leb128.AppendSigned(e.out, v) }

func (e *encoder) name(s string) {
	e.u32(len(s))
	e.out = append(e.out, s...)
}

// section appends section id with the contents body writes.
func (e *encoder) section(id byte, body func()) {
	e.byte(id)
	start := len(e.out)
	body()
	// Move the contents right by the size's LEB128 length, then write it.
	n := len(e.out) - start
	size := leb128.AppendUnsigned(make([]byte, 0, 10), uint64(n))
	k := len(size)
	e.out = append(e.out, size...)
	copy(e.out[start+k:], e.out[start:start+n])
	copy(e.out[start:], size)
}

func (e *encoder) valType(t ValType) {
	switch t {
	case I32, I64, F32, F64, V128, FuncRef, ExternRef, ExnRef:
		e.byte(t)
	default:
		e.fail("value type %#x", t)
	}
}

func (e *encoder) valTypes(ts []ValType) {
	e.u32(len(ts))
	for _, t := range ts {
		e.valType(t)
	}
}

func (e *encoder) limits(l Limits, shared bool) {
	var flags byte
	if l.HasMax {
		flags |= 1
	}
	if shared {
		flags |= 2
	}
	e.byte(flags)
	e.out = leb128.AppendUnsigned(e.out, l.Min)
	if l.HasMax {
		e.out = leb128.AppendUnsigned(e.out, l.Max)
	}
}

func (e *encoder) tableType(t TableType) {
	e.valType(t.Elem)
	e.limits(t.Limits, false)
}

func (e *encoder) memoryType(m MemoryType) { e.limits(m.Limits, m.Shared) }

// tagType writes a tag's type: the exception attribute (0) and the typeidx
// of its signature.
func (e *encoder) tagType(typeidx uint32) {
	e.byte(0)
	e.u32(int(typeidx))
}

func (e *encoder) globalType(g GlobalType) {
	e.valType(g.Type)
	if g.Mutable {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

// constExpr appends expr and its end opcode; what and i name it in
// errors.
func (e *encoder) constExpr(expr ConstExpr, what string, i int) {
	if len(expr) == 0 {
		e.fail("%s %d: empty constant expression", what, i)
		return
	}
	for _, in := range expr {
		switch in.Op {
		case OpI32Const:
			e.byte(byte(in.Op))
			e.sleb(int64(int32(uint32(in.Value))))
		case OpI64Const:
			e.byte(byte(in.Op))
			e.sleb(int64(in.Value))
		case OpF32Const:
			e.byte(byte(in.Op))
			e.out = binary.LittleEndian.AppendUint32(e.out, uint32(in.Value))
		case OpF64Const:
			e.byte(byte(in.Op))
			e.out = binary.LittleEndian.AppendUint64(e.out, in.Value)
		case OpV128Const:
			e.byte(0xFD)
			e.out = leb128.AppendUnsigned(e.out, uint64(in.Op&0xff))
			e.out = binary.LittleEndian.AppendUint64(e.out, in.Value)
			e.out = binary.LittleEndian.AppendUint64(e.out, in.Value2)
		case OpGlobalGet, OpRefFunc:
			e.byte(byte(in.Op))
			e.out = leb128.AppendUnsigned(e.out, in.Value)
		case OpRefNull:
			e.byte(byte(in.Op))
			e.valType(ValType(in.Value))
		case OpI32Add, OpI32Sub, OpI32Mul, OpI64Add, OpI64Sub, OpI64Mul:
			e.byte(byte(in.Op))
		default:
			e.fail("%s %d: opcode %#x in a constant expression", what, i, in.Op)
			return
		}
	}
	e.byte(0x0B)
}

// element appends element segment i (spec §5.5.12): the funcidx-vector
// forms (flags 0-3) when every element is one ref.func of a funcref
// segment, else the expression forms (flags 4-7).
func (e *encoder) element(seg *Element, i int) {
	funcs := seg.Type == FuncRef
	for _, in := range seg.Init {
		funcs = funcs && len(in) == 1 && in[0].Op == OpRefFunc
	}
	var flags byte
	switch seg.Mode {
	case SegmentActive:
		if seg.Table != 0 || (!funcs && seg.Type != FuncRef) {
			flags = 2 // explicit table index (and element kind or type)
		}
	case SegmentPassive:
		flags = 1
	case SegmentDeclarative:
		flags = 3
	default:
		e.fail("element segment %d: mode %d", i, seg.Mode)
		return
	}
	if !funcs {
		flags |= 4
	}
	e.byte(flags)
	if seg.Mode == SegmentActive {
		if flags&2 != 0 {
			e.u32(int(seg.Table))
		}
		e.constExpr(seg.Offset, "element segment", i)
	}
	if flags&3 != 0 { // every form but 0 and 4 names the kind or type
		if funcs {
			e.byte(0x00) // elemkind funcref
		} else {
			e.valType(seg.Type)
		}
	}
	e.u32(len(seg.Init))
	for _, in := range seg.Init {
		if funcs {
			e.out = leb128.AppendUnsigned(e.out, in[0].Value)
		} else {
			e.constExpr(in, "element segment", i)
		}
	}
}
