package decoder

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"strconv"
	"strings"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Decode parses the module binary bin (spec §5) and validates it.
//
// The module is accepted only if both hold:
//   - our parser reads every section of bin under the binary format's rules
//     (section order and uniqueness, LEB128 size limits, UTF-8 names,
//     function/code and data count consistency, ...); otherwise the error
//     is Malformed (or Unsupported, see ErrorKind);
//   - wazero's public API accepts bin: wazero.Runtime.CompileModule on an
//     interpreter runtime configured with features (and a memory limit of
//     65536 pages, so no valid module is rejected for its size); otherwise
//     the error is Invalid and carries wazero's reason.
//
// Verdicts of the second step are cached by the SHA-256 of bin and
// features, in a bounded LRU cache, so decoding the same bytes again costs
// one parse.
//
// Code bodies are not decoded into instructions: Code.Body holds their raw
// bytes. Constant expressions are decoded into ConstExpr. A malformed name
// section is ignored, as the spec requires of custom sections (§5.5.3); wazero
// may still reject it (then the error is Invalid).
//
// The returned Module does not share memory with bin: bin may be reused
// once Decode returns. Every error returned is an *Error; test its kind with
// errors.Is(err, ErrMalformed), ErrInvalid or ErrUnsupported.
//
// Decode is safe for concurrent use by many goroutines.
func Decode(bin []byte, features api.CoreFeatures) (*Module, error) {
	m, err := Parse(bin, features)
	if err != nil {
		return nil, err
	}
	if err := Validate(bin, m, features); err != nil {
		return nil, err
	}
	return m, nil
}

// Parse is the first step of Decode alone: it parses bin into a Module
// without the validation gate. The Module must not be executed before
// Validate accepts it; Parse exists so that a caller can translate the
// module while Validate runs on another goroutine (the instance package
// does). Errors are *Error, of kind Malformed, Invalid or Unsupported.
// Safe for concurrent use.
func Parse(bin []byte, features api.CoreFeatures) (*Module, error) {
	return parse(bin, features)
}

// Validate is the second step of Decode: it accepts bin, which Parse
// turned into m, only if wazero validates it with the same core features
// (verdicts cached by m.Hash and features). Errors are *Error of kind
// Invalid. Safe for concurrent use.
func Validate(bin []byte, m *Module, features api.CoreFeatures) error {
	err := defaultGate.check(bin, m.Hash, features)
	if err == nil {
		return nil
	}
	// Without reference types wazero rejects an active element segment
	// that overruns its table's minimum at validation, but Wasm 1.0 makes
	// that a link-time failure (spec 1.0 §4.5.4 step 8); the instance
	// layer reports it then. Validate again with reference types (and bulk
	// memory, which they need), which drops that check and nothing else
	// that a module without their instructions or segment forms uses.
	if features&api.CoreFeatureReferenceTypes != 0 || !strings.Contains(err.Error(), "exceeds min table size") {
		return err
	}
	return defaultGate.check(bin, m.Hash, features|api.CoreFeatureReferenceTypes|api.CoreFeatureBulkMemoryOperations)
}

// Section ids (spec §5.5.2), and the tag section of the exception-handling
// proposal.
const (
	secCustom    = 0
	secType      = 1
	secImport    = 2
	secFunction  = 3
	secTable     = 4
	secMemory    = 5
	secGlobal    = 6
	secExport    = 7
	secStart     = 8
	secElement   = 9
	secCode      = 10
	secData      = 11
	secDataCount = 12
	secTag       = 13
)

var sectionNames = [...]string{
	secCustom:    "custom",
	secType:      "type",
	secImport:    "import",
	secFunction:  "function",
	secTable:     "table",
	secMemory:    "memory",
	secGlobal:    "global",
	secExport:    "export",
	secStart:     "start",
	secElement:   "element",
	secCode:      "code",
	secData:      "data",
	secDataCount: "data count",
	secTag:       "tag",
}

// sectionRank gives the position each non-custom section must respect: the
// ranks of a module's sections must strictly increase (spec §5.5.16; the
// data count section sits between element and code, the tag section
// between memory and global).
var sectionRank = [...]int{
	secType:      1,
	secImport:    2,
	secFunction:  3,
	secTable:     4,
	secMemory:    5,
	secTag:       6,
	secGlobal:    7,
	secExport:    8,
	secStart:     9,
	secElement:   10,
	secDataCount: 11,
	secCode:      12,
	secData:      13,
}

var (
	magic   = []byte{0x00, 'a', 's', 'm'}
	version = []byte{0x01, 0x00, 0x00, 0x00}
)

// parser holds the state of one parse.
type parser struct {
	r        reader
	m        *Module
	features api.CoreFeatures
	seenName bool
	// ref is the precise type of the last reference type read by valType
	// or refType (the zero RefType after a non-reference type), and
	// refHeap the typeidx of its concrete heap type (-1 if abstract).
	ref     RefType
	refHeap int64
	// typeRefs holds, per type of the type section, for each of its
	// parameters then results: -2 for a type that is not typed, else the
	// heap typeidx (-1: abstract) and non-null flag; nil when none is
	// typed.
	typeRefs [][]typeRef
	// groups holds, per type of the type section, its recursion group.
	groups []group
}

// parse is Decode without the validation gate.
func parse(bin []byte, features api.CoreFeatures) (*Module, error) {
	m := &Module{Hash: sha256.Sum256(bin)}
	// The module keeps subslices (bodies, data, customs) of its own copy.
	own := bytes.Clone(bin)
	p := &parser{
		r:        reader{b: own, end: len(own), funcIndex: -1},
		m:        m,
		features: features,
	}
	p.module()
	if p.r.err != nil {
		return nil, p.r.err
	}
	return m, nil
}

func (p *parser) module() {
	r := &p.r
	r.top = true
	p.header(magic, "magic header not detected")
	p.header(version, "unknown binary version")
	if r.err != nil {
		return
	}
	lastRank := 0
	for r.pos < len(r.b) && r.err == nil {
		r.section = ""
		r.top = true
		idOff := r.pos
		id := r.byte()
		if int(id) >= len(sectionNames) || (id == secTag && !p.features.IsEnabled(experimental.CoreFeaturesExceptionHandling)) {
			r.fail(idOff, "malformed section id %d", id)
			return
		}
		r.section = sectionNames[id]
		size := r.u32()
		if r.err != nil {
			return
		}
		if uint64(size) > uint64(r.remaining()) {
			r.fail(r.pos, "length out of bounds: section size %d, %d bytes left", size, r.remaining())
			return
		}
		r.top = false
		if id != secCustom {
			rank := sectionRank[id]
			if rank <= lastRank {
				r.fail(idOff, "unexpected content after last section (section %s out of order or repeated)", r.section)
				return
			}
			lastRank = rank
		}
		r.end = r.pos + int(size)
		switch id {
		case secCustom:
			p.customSection()
		case secType:
			p.typeSection()
		case secImport:
			p.importSection()
		case secFunction:
			p.functionSection()
		case secTable:
			p.tableSection()
		case secMemory:
			p.memorySection()
		case secTag:
			p.tagSection()
		case secGlobal:
			p.globalSection()
		case secExport:
			p.exportSection()
		case secStart:
			p.m.Start = r.u32()
			p.m.HasStart = true
		case secElement:
			p.elementSection()
		case secDataCount:
			p.m.DataCount = r.u32()
			p.m.HasDataCount = true
		case secCode:
			p.codeSection()
		case secData:
			p.dataSection()
		}
		if r.err == nil && r.pos != r.end {
			r.fail(r.pos, "section size mismatch: %d bytes left unread", r.end-r.pos)
		}
		r.end = len(r.b)
	}
	if r.err != nil {
		return
	}
	r.section = ""
	m := p.m
	if len(m.Funcs) != len(m.Code) {
		r.fail(-1, "function and code section have inconsistent lengths: %d functions, %d bodies", len(m.Funcs), len(m.Code))
		return
	}
	if m.HasDataCount && int(m.DataCount) != len(m.Data) {
		r.fail(-1, "data count and data section have inconsistent lengths: count %d, %d segments", m.DataCount, len(m.Data))
	}
}

// header reads the 4 bytes of the magic number or version.
func (p *parser) header(want []byte, reason string) {
	r := &p.r
	if r.err != nil {
		return
	}
	n := min(len(want), r.remaining())
	if !bytes.Equal(r.b[r.pos:r.pos+n], want[:n]) {
		r.fail(r.pos, "%s", reason)
		return
	}
	if n < len(want) {
		r.fail(r.pos+n, "unexpected end")
		return
	}
	r.pos += n
}

// valType reads a value type (spec §5.3.1 - §5.3.4); p.ref gets the
// precise type of a reference.
func (p *parser) valType() ValType {
	r := &p.r
	p.ref, p.refHeap = RefType{}, -1
	if r.remaining() > 0 {
		switch r.b[r.pos] {
		case I32, I64, F32, F64, V128:
			return r.byte()
		}
	}
	return p.refTypeOf("value type")
}

// refType reads a reference type (spec §5.3.3; typed function references:
// (ref null ht) is 0x63 ht, (ref ht) 0x64 ht, spec 3.0 §5.3.4); p.ref
// gets its precise type.
func (p *parser) refType() ValType { return p.refTypeOf("reference type") }

func (p *parser) refTypeOf(what string) ValType {
	r := &p.r
	p.ref, p.refHeap = RefType{}, -1
	off := r.pos
	b := r.byte()
	switch {
	case b == FuncRef || b == ExternRef:
		return b
	case b == ExnRef && p.features.IsEnabled(experimental.CoreFeaturesExceptionHandling):
		return b
	case (b == 0x63 || b == 0x64) && p.features.IsEnabled(experimental.CoreFeaturesTypedFunctionReferences):
		hoff := r.pos
		ht := r.sleb(33)
		if r.err != nil {
			return 0
		}
		t, ok := HeapValType(ht)
		if !ok || (t == ExnRef && !p.features.IsEnabled(experimental.CoreFeaturesExceptionHandling)) {
			r.fail(hoff, "malformed heap type %d", ht)
			return 0
		}
		p.ref.NonNull = b == 0x64
		if p.ref.NonNull || ht >= 0 {
			p.m.notEncodable = "typed function references"
		}
		if ht >= 0 {
			p.refHeap = ht
			// After the type section (globals, tables, locals, ...):
			// name the type by its key. In the type section, the keys
			// are made after the whole section is read.
			if ht < int64(len(p.m.Types)) {
				p.ref.Func = p.m.Types[ht].Key()
			} else {
				p.ref.Func = "#" + strconv.FormatInt(ht, 10) // invalid: wazero rejects it
			}
		}
		return t
	}
	if r.err == nil {
		r.fail(off, "malformed %s %#x", what, b)
	}
	return 0
}

// limits reads limits (spec §5.3.7). Flags 2 and 3 (shared) are accepted
// for memories only, and only with the threads feature.
func (p *parser) limits(memory bool) (l Limits, shared bool) {
	r := &p.r
	off := r.pos
	flags := r.byte()
	switch {
	case flags <= 1:
	case memory && flags <= 3 && p.features.IsEnabled(experimental.CoreFeaturesThreads):
		shared = true
	default:
		r.fail(off, "malformed limits flags %#x", flags)
		return
	}
	l.Min = uint64(r.u32())
	if flags&1 != 0 {
		l.Max = uint64(r.u32())
		l.HasMax = true
	}
	return l, shared
}

func (p *parser) tableType() TableType {
	t := TableType{Elem: p.refType(), Ref: p.ref}
	t.Limits, _ = p.limits(false)
	return t
}

// table reads a table of the table section: a table type, or with typed
// function references 0x40 0x00, a table type and the initialiser
// expression of its elements (spec 3.0 §5.5.7).
func (p *parser) table() (TableType, ConstExpr) {
	r := &p.r
	if r.remaining() > 0 && r.b[r.pos] == 0x40 && p.features.IsEnabled(experimental.CoreFeaturesTypedFunctionReferences) {
		r.pos++
		off := r.pos
		if b := r.byte(); b != 0x00 && r.err == nil {
			r.fail(off, "malformed table: %#x after 0x40 (want 0x00)", b)
			return TableType{}, nil
		}
		t := p.tableType()
		p.m.notEncodable = "tables with an initialiser"
		return t, p.constExpr()
	}
	return p.tableType(), nil
}

func (p *parser) memoryType() MemoryType {
	l, shared := p.limits(true)
	return MemoryType{Limits: l, Shared: shared}
}

func (p *parser) globalType() GlobalType {
	r := &p.r
	t := GlobalType{Type: p.valType(), Ref: p.ref}
	off := r.pos
	switch mut := r.byte(); mut {
	case 0:
	case 1:
		t.Mutable = true
	default:
		r.fail(off, "malformed mutability %#x", mut)
	}
	return t
}

// importedGlobal returns the type of imported global globalidx, if it is
// one.
func (p *parser) importedGlobal(globalidx uint32) (GlobalType, bool) {
	if globalidx >= p.m.NumImportedGlobals {
		return GlobalType{}, false
	}
	return p.m.GlobalTypeOf(globalidx), true
}

// constExpr reads a constant expression up to and including its end
// opcode (spec §5.4.9, §3.3.10). The end is not stored.
func (p *parser) constExpr() ConstExpr {
	r := &p.r
	var e ConstExpr
	for r.err == nil {
		off := r.pos
		op := r.byte()
		var in ConstInstr
		switch uint16(op) {
		case 0x0b: // end
			return e
		case OpI32Const:
			in.Value = uint64(uint32(r.s32()))
		case OpI64Const:
			in.Value = uint64(r.s64())
		case OpF32Const:
			in.Value = uint64(r.u32le())
		case OpF64Const:
			in.Value = r.u64le()
		case OpGlobalGet:
			in.Value = uint64(r.u32())
			// Only immutable globals are constant (spec §3.3.10); wazero
			// does not check this for imported globals.
			if g, ok := p.importedGlobal(uint32(in.Value)); ok && g.Mutable {
				r.failAt(Invalid, off, "constant expression required: global.get of mutable global %d", in.Value)
				return nil
			}
		case OpRefFunc:
			in.Value = uint64(r.u32())
		case OpRefNull:
			in.Value = uint64(p.heapType())
		case OpI32Add, OpI32Sub, OpI32Mul, OpI64Add, OpI64Sub, OpI64Mul:
		case OpV128Const >> 8:
			sub := r.u32()
			if r.err != nil {
				return nil
			}
			if sub != uint32(OpV128Const&0xff) {
				r.failAt(Invalid, off, "constant expression required: opcode 0xfd %d", sub)
				return nil
			}
			in.Value = r.u64le()
			in.Value2 = r.u64le()
			in.Op = OpV128Const
			e = append(e, in)
			continue
		default:
			r.failAt(Invalid, off, "constant expression required: opcode %#x", op)
			return nil
		}
		in.Op = uint16(op)
		e = append(e, in)
	}
	return nil
}

// heapType reads the heap type of ref.null (spec 3.0 §5.3.3: a reftype
// byte before typed function references, an s33 since) and returns its
// kind of reference.
func (p *parser) heapType() ValType {
	r := &p.r
	off := r.pos
	if !p.features.IsEnabled(experimental.CoreFeaturesTypedFunctionReferences) {
		return p.refType()
	}
	ht := r.sleb(33)
	t, ok := HeapValType(ht)
	if !ok && r.err == nil {
		r.fail(off, "malformed heap type %d", ht)
	}
	return t
}

func (p *parser) typeSection() {
	r := &p.r
	n, hint := r.count()
	p.m.Types = make([]FuncType, 0, hint)
	for i := uint32(0); i < n && r.err == nil; i++ {
		off := r.pos
		switch form := r.byte(); form {
		case 0x60:
			p.funcType(len(p.m.Types), 1)
		case 0x4e:
			// A recursive type group (GC proposal; wazero accepts groups
			// of function types whatever the features, and the
			// exception-handling suite uses them).
			k, _ := r.count()
			start := len(p.m.Types)
			p.m.notEncodable = "recursion groups"
			for j := uint32(0); j < k && r.err == nil; j++ {
				foff := r.pos
				if f := r.byte(); f != 0x60 && r.err == nil {
					r.failAt(Unsupported, foff, "recursive type groups of other than function types are not supported")
					return
				}
				p.funcType(start, int(k))
			}
		default:
			r.fail(off, "malformed function type form %#x (want 0x60)", form)
			return
		}
	}
	p.canonicalKeys()
}

// funcType reads the parameters and results of a function type, a member
// of the recursion group of size n that starts at typeidx start.
func (p *parser) funcType(start, n int) {
	var t FuncType
	var pr, rr []typeRef
	t.Params, pr = p.valTypes()
	t.Results, rr = p.valTypes()
	var refs []typeRef
	for _, x := range append(pr, rr...) {
		if x.heap != -2 {
			refs = append(pr, rr...)
			break
		}
	}
	p.typeRefs = append(p.typeRefs, refs)
	p.groups = append(p.groups, group{start, n})
	p.m.Types = append(p.m.Types, t)
}

// group is a recursion group: the typeidx of its first member and its
// size (1 for a type outside any rec).
type group struct{ start, n int }

// typeRef is the precise type of a parameter or result in the type
// section: heap -2 for one that is not a typed reference, else the heap
// typeidx (-1: abstract).
type typeRef struct {
	heap    int64
	nonNull bool
}

// valTypes reads a vector of value types (an empty vector gives nil) and
// their precise types.
func (p *parser) valTypes() ([]ValType, []typeRef) {
	r := &p.r
	n, hint := r.count()
	if n == 0 {
		return nil, nil
	}
	ts := make([]ValType, 0, hint)
	refs := make([]typeRef, 0, hint)
	for i := uint32(0); i < n && r.err == nil; i++ {
		ts = append(ts, p.valType())
		tr := typeRef{heap: -2}
		if p.ref.Typed() {
			tr = typeRef{heap: p.refHeap, nonNull: p.ref.NonNull}
		}
		refs = append(refs, tr)
	}
	return ts, refs
}

// canonicalKeys gives each function type with a typed reference, and
// each member of a recursion group of more than one type, its canonical
// Key (spec 3.0 §3.3.2, type equivalence; a type outside a rec is a group
// of its own): a concrete heap type is replaced by the Key of the earlier
// type it names, or by its position in the group for a member of its own
// group; a member of a larger group is keyed by the whole group and its
// position in it. So two types are equal across modules exactly when
// their structures are.
func (p *parser) canonicalKeys() {
	types := p.m.Types
	local := make([]string, len(types))
	for i := range types {
		g := p.groups[i]
		refs := p.typeRefs[i]
		if refs == nil && g.n == 1 {
			continue
		}
		t := &types[i]
		var b []byte
		b = append(b, 'T')
		enc := func(k int, v ValType) {
			if refs == nil || refs[k].heap == -2 {
				b = append(b, v)
				return
			}
			r := refs[k]
			if r.nonNull {
				b = append(b, 0x64)
			} else {
				b = append(b, 0x63)
			}
			j := int(r.heap)
			switch {
			case j < 0:
				b = append(b, v)
			case j < g.start:
				k := types[j].Key()
				b = append(b, '(')
				b = binary.AppendUvarint(b, uint64(len(k)))
				b = append(b, k...)
			case j < g.start+g.n: // a member of the same group
				b = append(b, 'r')
				b = binary.AppendUvarint(b, uint64(j-g.start))
			default: // a later type: invalid (wazero rejects it)
				b = append(b, '#')
				b = binary.AppendUvarint(b, uint64(j))
			}
		}
		for k, v := range t.Params {
			enc(k, v)
		}
		b = append(b, 0)
		for k, v := range t.Results {
			enc(len(t.Params)+k, v)
		}
		local[i] = string(b)
		if g.n == 1 {
			t.key = local[i]
		}
	}
	for i := range types {
		g := p.groups[i]
		if g.n == 1 || i != g.start+g.n-1 {
			continue
		}
		// The last member of a group: key every member by the group.
		var b []byte
		b = append(b, 'R')
		b = binary.AppendUvarint(b, uint64(g.n))
		for j := g.start; j < g.start+g.n; j++ {
			b = binary.AppendUvarint(b, uint64(len(local[j])))
			b = append(b, local[j]...)
		}
		for j := g.start; j < g.start+g.n; j++ {
			k := binary.AppendUvarint(append([]byte(nil), b...), uint64(j-g.start))
			types[j].key = string(k)
		}
	}
}

// tagSection reads the tag section of the exception-handling proposal:
// a vector of tag types (an attribute byte, 0 for exceptions, and the
// typeidx of the tag's signature).
func (p *parser) tagSection() {
	r := &p.r
	n, hint := r.count()
	p.m.Tags = make([]uint32, 0, hint)
	for i := uint32(0); i < n && r.err == nil; i++ {
		p.m.Tags = append(p.m.Tags, p.tagType())
	}
}

func (p *parser) tagType() uint32 {
	r := &p.r
	off := r.pos
	if a := r.byte(); a != 0 && r.err == nil {
		r.fail(off, "malformed tag attribute %#x", a)
		return 0
	}
	return r.u32()
}

func (p *parser) externKind(what string) ExternKind {
	r := &p.r
	off := r.pos
	k := r.byte()
	if k <= byte(ExternGlobal) || (k == byte(ExternTag) && p.features.IsEnabled(experimental.CoreFeaturesExceptionHandling)) {
		return ExternKind(k)
	}
	r.fail(off, "malformed %s kind %#x", what, k)
	return 0
}

func (p *parser) importSection() {
	r := &p.r
	m := p.m
	n, hint := r.count()
	m.Imports = make([]Import, 0, hint)
	for i := uint32(0); i < n && r.err == nil; i++ {
		var im Import
		im.Module = r.name()
		im.Name = r.name()
		im.Kind = p.externKind("import")
		switch im.Kind {
		case ExternFunc:
			im.Func = r.u32()
			m.NumImportedFuncs++
		case ExternTable:
			im.Table = p.tableType()
			m.NumImportedTables++
		case ExternMemory:
			im.Memory = p.memoryType()
			m.NumImportedMemories++
		case ExternGlobal:
			im.Global = p.globalType()
			m.NumImportedGlobals++
		case ExternTag:
			im.Tag = p.tagType()
			m.NumImportedTags++
		}
		m.importsOf[im.Kind] = append(m.importsOf[im.Kind], int32(len(m.Imports)))
		m.Imports = append(m.Imports, im)
	}
}

func (p *parser) functionSection() {
	r := &p.r
	n, hint := r.count()
	p.m.Funcs = make([]uint32, 0, hint)
	for i := uint32(0); i < n && r.err == nil; i++ {
		p.m.Funcs = append(p.m.Funcs, r.u32())
	}
}

func (p *parser) tableSection() {
	r := &p.r
	n, hint := r.count()
	p.m.Tables = make([]TableType, 0, hint)
	for i := uint32(0); i < n && r.err == nil; i++ {
		t, init := p.table()
		if init != nil && p.m.TableInits == nil {
			p.m.TableInits = make([]ConstExpr, i, n)
		}
		if p.m.TableInits != nil {
			p.m.TableInits = append(p.m.TableInits, init)
		}
		p.m.Tables = append(p.m.Tables, t)
	}
}

func (p *parser) memorySection() {
	r := &p.r
	n, hint := r.count()
	p.m.Memories = make([]MemoryType, 0, hint)
	for i := uint32(0); i < n && r.err == nil; i++ {
		p.m.Memories = append(p.m.Memories, p.memoryType())
	}
}

func (p *parser) globalSection() {
	r := &p.r
	n, hint := r.count()
	p.m.Globals = make([]Global, 0, hint)
	for i := uint32(0); i < n && r.err == nil; i++ {
		var g Global
		g.Type = p.globalType()
		g.Init = p.constExpr()
		p.m.Globals = append(p.m.Globals, g)
	}
}

func (p *parser) exportSection() {
	r := &p.r
	n, hint := r.count()
	p.m.Exports = make([]Export, 0, hint)
	for i := uint32(0); i < n && r.err == nil; i++ {
		var e Export
		e.Name = r.name()
		e.Kind = p.externKind("export")
		e.Index = r.u32()
		p.m.Exports = append(p.m.Exports, e)
	}
}

// elementSection reads the element segments (spec §5.5.12), in any of the
// eight encodings selected by the leading flags (bit 0: passive or
// declarative; bit 1: explicit table index, or declarative when bit 0 is
// set; bit 2: expressions instead of function indices).
func (p *parser) elementSection() {
	r := &p.r
	n, hint := r.count()
	p.m.Elements = make([]Element, 0, hint)
	for i := uint32(0); i < n && r.err == nil; i++ {
		off := r.pos
		flags := r.u32()
		if r.err != nil {
			return
		}
		if flags > 7 {
			r.fail(off, "malformed element segment flags %d", flags)
			return
		}
		var e Element
		switch {
		case flags&1 == 0:
			e.Mode = SegmentActive
		case flags&2 == 0:
			e.Mode = SegmentPassive
		default:
			e.Mode = SegmentDeclarative
		}
		if e.Mode == SegmentActive {
			if flags&2 != 0 {
				e.Table = r.u32()
			}
			e.Offset = p.constExpr()
		}
		exprs := flags&4 != 0
		e.Type = FuncRef
		if flags&3 != 0 { // an elemkind or reftype is present
			if exprs {
				e.Type = p.refType()
			} else {
				koff := r.pos
				if kind := r.byte(); kind != 0x00 {
					r.fail(koff, "malformed element kind %#x", kind)
					return
				}
			}
		}
		cnt, h := r.count()
		e.Init = make([]ConstExpr, 0, h)
		if exprs {
			for j := uint32(0); j < cnt && r.err == nil; j++ {
				e.Init = append(e.Init, p.constExpr())
			}
		} else {
			instrs := make([]ConstInstr, 0, h)
			for j := uint32(0); j < cnt && r.err == nil; j++ {
				instrs = append(instrs, ConstInstr{Op: OpRefFunc, Value: uint64(r.u32())})
			}
			for j := range instrs {
				e.Init = append(e.Init, instrs[j:j+1:j+1])
			}
		}
		p.m.Elements = append(p.m.Elements, e)
	}
}

// codeSection reads the code entries (spec §5.5.13): each is a size, the
// local declarations, and the body, stored raw.
func (p *parser) codeSection() {
	r := &p.r
	m := p.m
	m.CodeOffset = r.pos
	n, hint := r.count()
	m.Code = make([]Code, 0, hint)
	sectionEnd := r.end
	for i := uint32(0); i < n && r.err == nil; i++ {
		r.funcIndex = int(m.NumImportedFuncs) + int(i)
		size := r.u32()
		if r.err != nil {
			break
		}
		if uint64(size) > uint64(r.remaining()) {
			r.fail(r.pos, "unexpected end of section or function: code entry size %d, %d bytes left", size, r.remaining())
			break
		}
		r.end = r.pos + int(size)
		var c Code
		runs, h := r.count()
		if runs > 0 {
			c.Locals = make([]LocalRun, 0, h)
		}
		var total uint64
		for j := uint32(0); j < runs && r.err == nil; j++ {
			off := r.pos
			cnt := r.u32()
			t := p.valType()
			total += uint64(cnt)
			if total > math.MaxUint32 {
				r.fail(off, "too many locals")
				break
			}
			c.Locals = append(c.Locals, LocalRun{Count: cnt, Type: t})
		}
		if r.err != nil {
			break
		}
		c.NumLocals = uint32(total)
		c.Offset = r.pos
		c.Body = r.b[r.pos:r.end:r.end]
		if len(c.Body) == 0 || c.Body[len(c.Body)-1] != 0x0b {
			r.fail(r.end, "END opcode expected")
			break
		}
		m.Code = append(m.Code, c)
		r.pos = r.end
		r.end = sectionEnd
	}
	r.funcIndex = -1
	if r.err == nil {
		r.end = sectionEnd
	}
}

// dataSection reads the data segments (spec §5.5.14): flags 0 (active,
// memory 0), 1 (passive) or 2 (active, explicit memory index).
func (p *parser) dataSection() {
	r := &p.r
	n, hint := r.count()
	p.m.Data = make([]Data, 0, hint)
	for i := uint32(0); i < n && r.err == nil; i++ {
		off := r.pos
		flags := r.u32()
		var d Data
		switch flags {
		case 0:
			d.Offset = p.constExpr()
		case 1:
			d.Mode = SegmentPassive
		case 2:
			d.Memory = r.u32()
			d.Offset = p.constExpr()
		default:
			r.fail(off, "malformed data segment flags %d", flags)
			return
		}
		if d.Init = r.bytes(r.u32()); len(d.Init) == 0 {
			d.Init = nil
		}
		p.m.Data = append(p.m.Data, d)
	}
}

// customSection reads a custom section (spec §5.5.3); the first one named
// "name" also fills Module.Names.
func (p *parser) customSection() {
	r := &p.r
	c := CustomSection{Name: r.name()}
	if r.err != nil {
		return
	}
	if r.pos < r.end {
		c.Data = r.b[r.pos:r.end:r.end]
	}
	r.pos = r.end
	p.m.Customs = append(p.m.Customs, c)
	if c.Name == "name" && !p.seenName {
		p.seenName = true
		p.m.Names = parseNames(c.Data)
	}
}

// parseNames reads the contents of the name section (spec §7.4.1): the module
// name, function names and local names subsections; others are skipped.
// Any malformation makes it return empty Names: a custom section's errors
// must not invalidate the module (spec §5.5.3).
func parseNames(data []byte) Names {
	var names Names
	r := &reader{b: data, end: len(data), funcIndex: -1}
	for r.pos < len(data) && r.err == nil {
		id := r.byte()
		size := r.u32()
		sub := r.bytes(size)
		if r.err != nil {
			break
		}
		s := &reader{b: sub, end: len(sub), funcIndex: -1}
		switch id {
		case 0:
			names.Module = s.name()
		case 1:
			names.Funcs = nameMap(s)
		case 2:
			n, hint := s.count()
			names.Locals = make(map[uint32]map[uint32]string, hint)
			for i := uint32(0); i < n && s.err == nil; i++ {
				f := s.u32()
				names.Locals[f] = nameMap(s)
			}
		default:
			s.pos = s.end
		}
		if s.err == nil && s.pos != s.end {
			return Names{}
		}
		r.err = s.err
	}
	if r.err != nil {
		return Names{}
	}
	return names
}

// nameMap reads a name map (spec §7.4.1): a vector of (index, name).
func nameMap(r *reader) map[uint32]string {
	n, hint := r.count()
	m := make(map[uint32]string, hint)
	for i := uint32(0); i < n && r.err == nil; i++ {
		idx := r.u32()
		m[idx] = r.name()
	}
	return m
}
