package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/internal/leb128"
)

// Code is a function body translated to the interpreter's instruction set
// (see isa.go). It is immutable once built.
type Code struct {
	// Words is the instruction stream.
	Words []uint64
	// NumParams, NumLocals (declared locals, zeroed on entry) and
	// NumResults count cells; FrameCells is the frame's size in cells:
	// parameters, locals and operand-stack temporaries, and at least
	// NumResults.
	NumParams, NumLocals, NumResults, FrameCells int
	// Handlers are the try_table blocks (exception handling), in the
	// order they begin: one that contains another comes first.
	Handlers []Handler
	// src maps instruction starts to byte offsets in the module binary,
	// sorted by word.
	src []srcPos
	// zero4 says that the cells NumParams..NumParams+3 cover the declared
	// locals and lie inside the frame: a call zeroes them with one
	// 32-byte store instead of a loop (the cells past the locals are
	// temporaries, not live at entry).
	zero4 bool
}

type srcPos struct{ word, off uint32 }

// Handler is a try_table: an exception thrown by the instructions in
// words [Start, End) (a throw, or a call that the exception escapes)
// is matched against Catches in order.
type Handler struct {
	Start, End int
	Catches    []Catch
}

// Catch kinds (try_table's catch clauses).
const (
	CatchTag    = 0 // catch tagidx label
	CatchTagRef = 1 // catch_ref tagidx label: the values, then the exnref
	CatchAll    = 2 // catch_all label
	CatchAllRef = 3 // catch_all_ref label: the exnref
)

// Catch is one catch clause: a match writes the exception's values (and
// the exnref, for the _ref kinds) to the cells from Dst on, the label's
// home cells, and jumps to the word Pad (a branch to the label).
type Catch struct {
	Kind uint8
	Tag  uint32 // tagidx, for CatchTag and CatchTagRef
	Dst  uint16
	Pad  int
}

// wasmOffset returns the module byte offset of the instruction at or
// before word ip, or -1.
func (c *Code) wasmOffset(ip int) int {
	lo, hi := 0, len(c.src)
	for lo < hi {
		mid := (lo + hi) / 2
		if int(c.src[mid].word) <= ip {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return -1
	}
	return int(c.src[lo-1].off)
}

// maxCells is the most cells a frame may address: operands are 16 bits.
const maxCells = 1 << 16

// CompileError reports a function the translator cannot handle.
type CompileError struct {
	Func   uint32 // funcidx
	Offset int    // byte offset in the module binary
	Reason string
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("compile function[%d] at offset %#x: %s", e.Func, e.Offset, e.Reason)
}

// Compile translates every function body of m into interpreter code. m
// must be validated (decoder.Decode does that) before its code runs: the
// translator trusts the operand types and branch depths it reads, and on
// invalid input it may produce wrong code or fail, never more. Errors are
// *CompileError, for instructions not supported or functions too large
// for 16-bit cell operands. Compile uses up to GOMAXPROCS goroutines; it is
// safe for concurrent use.
func Compile(m *decoder.Module) (*Module, error) {
	cm := &Module{Decoded: m, TypeIDs: make([]uint32, len(m.Types)), Codes: make([]*Code, len(m.Code))}
	for i := range m.Types {
		cm.TypeIDs[i] = TypeID(&m.Types[i])
	}
	// Functions are independent: translate them on up to GOMAXPROCS
	// goroutines, each taking the next untranslated function.
	workers := min(runtime.GOMAXPROCS(0), max(1, len(m.Code)/64))
	var next atomic.Int64
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var t translator
			for {
				i := next.Add(1) - 1
				if i >= int64(len(m.Code)) {
					return
				}
				c, err := t.translateSafe(m, uint32(i))
				if err != nil {
					errs[w] = err
					next.Store(int64(len(m.Code))) // stop the others early
					return
				}
				cm.Codes[i] = c
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return cm, nil
}

// translateSafe is translate, turning a panic into a CompileError. A
// validated module never panics the translator; a module that is still
// being validated concurrently (see decoder.Parse) may, and must then only
// fail.
func (t *translator) translateSafe(m *decoder.Module, i uint32) (c *Code, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, &CompileError{Func: m.NumImportedFuncs + i, Offset: m.Code[i].Offset, Reason: fmt.Sprintf("translator failed: %v", r)}
		}
	}()
	return t.translate(m, i)
}

type opndKind uint8

const (
	kTemp  opndKind = iota // value in its home cell
	kLocal                 // value is a local's current value (lazy)
	kConst                 // value is a constant (lazy)
)

// operand is an entry of the compile-time operand stack.
type operand struct {
	kind opndKind
	typ  decoder.ValType
	cell uint16 // kTemp: home cell; kLocal: local cell
	home uint16 // the entry's home cell, where it is materialised
	val  uint64 // kConst; for a v128 constant the low half (hi in val2)
	val2 uint64
}

// width is the number of cells a value of type ty occupies.
func width(ty decoder.ValType) int {
	if ty == decoder.V128 {
		return 2
	}
	return 1
}

// cellsOf sums the widths of ts.
func cellsOf(ts []decoder.ValType) int {
	n := 0
	for _, ty := range ts {
		n += width(ty)
	}
	return n
}

type ctrlKind uint8

const (
	ctrlBlock ctrlKind = iota
	ctrlLoop
	ctrlIf
	ctrlElse
	ctrlFunc
)

type ctrlFrame struct {
	kind            ctrlKind
	height          int // operand stack height below the params
	params, results []decoder.ValType
	start           int   // loop: first word of the body
	fixups          []int // words to patch with the end's address
	elseFix         int   // if: word to patch with the else's address, or -1
	// try is 1 + the index in translator.handlers of a try_table's
	// handler, 0 for other blocks; catches are its clauses, with the
	// index in ctrls of each one's label.
	try     int
	catches []pendingCatch
}

// pendingCatch is a catch clause of a try_table being translated.
type pendingCatch struct {
	kind  uint8
	tag   uint32
	label int // index in translator.ctrls
}

// labelArity returns the types a branch to c carries.
func (c *ctrlFrame) labelTypes() []decoder.ValType {
	if c.kind == ctrlLoop {
		return c.params
	}
	return c.results
}

type translator struct {
	handlers []Handler // try_tables so far
	m        *decoder.Module
	fidx     uint32 // funcidx
	body     []byte
	pos      int
	base     int // offset of body[0] in the binary
	// opAt is the body offset of the instruction being translated: the
	// source position of the words it emits (see Code.src).
	opAt int

	code      []uint64
	src       []srcPos
	stack     []operand
	ctrls     []ctrlFrame
	locals    []decoder.ValType // params then declared locals
	localCell []uint16          // first cell of each local

	nLocalCells int    // params + locals + the zero cell: cell of the first temporary
	zeroCell    uint16 // a cell that is always 0 (the last "local")
	frameCells  int

	// producer is the start word of the last instruction whose only
	// effect is writing its A cell, -1 if the last instruction was not
	// one, or a label was placed after it.
	producer int
	// lastLabel is the word of the last label placed (-1: none): fuse
	// never merges an instruction that starts at or before it into the
	// one before.
	lastLabel int

	// skipping is set after an unconditional branch: code is dead until
	// the else or end of the current block. skipDepth counts the blocks
	// opened inside the dead code.
	skipping  bool
	skipDepth int
	err       error
}

// Implementation limits of the IR format (16-bit operands), documented
// in instance's package doc ("Implementation limits"). A valid module past
// one fails to compile with a *CompileError saying so.
const (
	// MaxFrameCells is the most 64-bit cells of a function's frame:
	// params, locals and temporaries (a v128 takes two).
	MaxFrameCells = maxCells
	// MaxBrTableTargets is the most targets of a br_table, besides its
	// default (V8 caps it at 65,520).
	MaxBrTableTargets = 1<<16 - 2
)

var errTooLarge = errors.New("function needs more than 65536 frame cells (an implementation limit)")

func (t *translator) reset(m *decoder.Module, fidx uint32) {
	t.m = m
	t.fidx = fidx
	t.code = t.code[:0]
	t.src = t.src[:0]
	t.stack = t.stack[:0]
	t.ctrls = t.ctrls[:0]
	t.handlers = t.handlers[:0]
	t.locals = t.locals[:0]
	t.localCell = t.localCell[:0]
	t.producer = -1
	t.lastLabel = -1
	t.skipping = false
	t.skipDepth = 0
	t.err = nil
}

func (t *translator) fail(format string, args ...any) {
	if t.err == nil {
		t.err = &CompileError{Func: t.m.NumImportedFuncs + t.fidx, Offset: t.base + t.pos, Reason: fmt.Sprintf(format, args...)}
	}
}

func (t *translator) translate(m *decoder.Module, i uint32) (*Code, error) {
	t.reset(m, i)
	c := &m.Code[i]
	ft := &m.Types[m.Funcs[i]]
	t.body, t.pos, t.base = c.Body, 0, c.Offset
	t.locals = append(t.locals, ft.Params...)
	if uint64(len(ft.Params))+uint64(c.NumLocals) >= maxCells { // before appending up to 2^32 locals
		return nil, &CompileError{Func: m.NumImportedFuncs + i, Offset: c.Offset, Reason: errTooLarge.Error()}
	}
	for _, r := range c.Locals {
		for j := uint32(0); j < r.Count; j++ {
			t.locals = append(t.locals, r.Type)
		}
	}
	cells := 0
	for _, ty := range t.locals {
		t.localCell = append(t.localCell, uint16(cells))
		cells += width(ty)
		if cells >= maxCells {
			return nil, &CompileError{Func: m.NumImportedFuncs + i, Offset: c.Offset, Reason: errTooLarge.Error()}
		}
	}
	// The zero cell is zeroed on entry with the locals and never written.
	t.zeroCell = uint16(cells)
	cells++
	t.nLocalCells = cells
	t.frameCells = max(t.nLocalCells, cellsOf(ft.Results))
	t.ctrls = append(t.ctrls, ctrlFrame{kind: ctrlFunc, results: ft.Results, elseFix: -1})
	t.body2()
	if t.err == nil && t.frameCells > maxCells {
		t.err = &CompileError{Func: m.NumImportedFuncs + i, Offset: c.Offset, Reason: errTooLarge.Error()}
	}
	if t.err != nil {
		return nil, t.err
	}
	code := &Code{
		Words:      append([]uint64(nil), t.code...),
		NumParams:  cellsOf(ft.Params),
		NumLocals:  t.nLocalCells - cellsOf(ft.Params),
		NumResults: cellsOf(ft.Results),
		FrameCells: t.frameCells,
		Handlers:   append([]Handler(nil), t.handlers...),
		src:        append([]srcPos(nil), t.src...),
	}
	code.zero4 = code.NumLocals <= 4 && code.NumParams+4 <= code.FrameCells
	return code, nil
}

// ---- reading the body ----

func (t *translator) byte1() byte {
	if t.pos >= len(t.body) {
		t.fail("unexpected end of body")
		return 0x0b
	}
	b := t.body[t.pos]
	t.pos++
	return b
}

// u32, s32 and s64 read the LEB128 immediates of the (validated) body.
func (t *translator) u32() uint32 {
	if t.pos < len(t.body) && t.body[t.pos] < 0x80 { // one byte: most immediates
		t.pos++
		return uint32(t.body[t.pos-1])
	}
	v, n, err := leb128.U32(t.body[t.pos:])
	t.leb(n, err)
	return v
}

func (t *translator) s32() int32 { return int32(t.sleb(32)) }

func (t *translator) s64() int64 { return t.sleb(64) }

func (t *translator) sleb(bits int) int64 {
	v, n, err := leb128.Signed(t.body[t.pos:], bits)
	t.leb(n, err)
	return v
}

// leb consumes n bytes of an immediate, or fails with err and consumes the
// rest of the body.
func (t *translator) leb(n int, err error) {
	if err != nil {
		t.fail("%v", err)
		t.pos = len(t.body)
		return
	}
	t.pos += n
}

func (t *translator) bytesN(n int) []byte {
	if t.pos+n > len(t.body) {
		t.fail("unexpected end of body")
		t.pos = len(t.body)
		return make([]byte, n)
	}
	b := t.body[t.pos : t.pos+n]
	t.pos += n
	return b
}

// valType reads a value type; a typed reference ((ref null ht) 0x63 ht,
// (ref ht) 0x64 ht) gives its kind of cell (decoder.HeapValType).
func (t *translator) valType() decoder.ValType {
	b := t.byte1()
	if b != 0x63 && b != 0x64 {
		return b
	}
	return t.heapType()
}

// heapType reads an s33 heap type (ref.null, typed references) and
// returns its kind of cell.
func (t *translator) heapType() decoder.ValType {
	vt, ok := decoder.HeapValType(t.s64())
	if !ok {
		t.fail("unsupported heap type")
	}
	return vt
}

// blockType reads a blocktype (spec §5.4.1) and returns its params and
// results.
func (t *translator) blockType() (params, results []decoder.ValType) {
	b := t.body[t.pos]
	switch {
	case b == 0x40:
		t.pos++
		return nil, nil
	case b >= 0x63 && b <= 0x7f && b != 0x40:
		return nil, []decoder.ValType{t.valType()}
	}
	idx := t.s64()
	if idx < 0 || idx >= int64(len(t.m.Types)) {
		t.fail("bad block type %d", idx)
		return nil, nil
	}
	ft := &t.m.Types[idx]
	return ft.Params, ft.Results
}

// ---- emitting ----

// home returns the home cell of the stack entry at height h, or for h ==
// len(stack) the cell the next pushed value would get.
func (t *translator) home(h int) uint16 {
	if h < len(t.stack) {
		return t.stack[h].home
	}
	return t.nextHome()
}

// nextHome is the home cell of the next value pushed.
func (t *translator) nextHome() uint16 {
	if len(t.stack) == 0 {
		return uint16(t.nLocalCells)
	}
	top := &t.stack[len(t.stack)-1]
	return t.reserve(int(top.home)+width(top.typ), 0)
}

// reserve makes the frame cover cells [c, c+n) and returns c.
func (t *translator) reserve(c, n int) uint16 {
	if c+n > t.frameCells {
		t.frameCells = c + n
	}
	if c+n > maxCells {
		t.fail("%v", errTooLarge)
		return 0
	}
	return uint16(c)
}

func (t *translator) emit(w uint64, extra ...uint64) int {
	t.fuse()
	at := len(t.code)
	t.src = append(t.src, srcPos{uint32(at), uint32(t.base + t.opAt)})
	t.code = append(t.code, w)
	t.code = append(t.code, extra...)
	t.producer = -1
	return at
}

// emitProducer emits an instruction whose only effect is writing cell A,
// which may later be retargeted to a local by local.set.
func (t *translator) emitProducer(w uint64, extra ...uint64) {
	at := t.emit(w, extra...)
	t.producer = at
}

// label marks the current position as a branch target.
func (t *translator) label() int {
	t.producer = -1
	t.lastLabel = len(t.code)
	return len(t.code)
}

// temp reports whether cell c is an operand-stack temporary (not a
// local): a temporary written by one instruction and read by the next is
// read only there (each stack entry is popped once, and a label between
// two instructions stops fusion), so a fused form need not write it.
func (t *translator) temp(c uint16) bool { return int(c) >= t.nLocalCells }

// fuse merges the last two instructions into one fused form when they
// are one of the pairs the frequency counts (engine/testdata/freq.md)
// show running together. It runs when the next instruction is emitted,
// so the last instruction is final by then (local.set retargets it,
// condBranch and address absorb it, only while it is the last). No
// instruction that starts at a label (or before one: a fused form may be
// shorter) is merged, and branches are never merged here (their slots
// are patched later; condBranch fuses add_imm and a branch itself).
func (t *translator) fuse() {
	n := len(t.src)
	if n < 2 {
		return
	}
	s1, s2 := int(t.src[n-2].word), int(t.src[n-1].word)
	if t.lastLabel >= s2 {
		return
	}
	w1, w2 := t.code[s1], t.code[s2]
	// other returns the cell of w2's B and C operands that is not w1's
	// result (a temporary), if exactly one of them is.
	other := func() (uint16, bool) {
		r := wA(w1)
		if !t.temp(r) {
			return 0, false
		}
		switch b, c := wB(w2), wC(w2); {
		case b == r && c != r:
			return c, true
		case c == r && b != r:
			return b, true
		}
		return 0, false
	}
	var f [3]uint64
	var nf int
	switch op1, op2 := wOp(w1), wOp(w2); {
	case op1 == opI32AddImm && op2 == opI32AddImm:
		f = [3]uint64{word(opI32AddImm2, wA(w1), wB(w1), wA(w2)), uint64(uint32(t.code[s1+1])) | t.code[s2+1]<<32, uint64(wB(w2))}
		nf = 3
	case op1 == opI32Add && op2 == opI32AddImm:
		f = [3]uint64{word(opI32AddAddImm, wA(w1), wB(w1), wC(w1)), uint64(wA(w2)) | uint64(wB(w2))<<16 | t.code[s2+1]<<32}
		nf = 2
	case op1 == opI32AddImm && op2 == opI32Load8U:
		// Sequential, a pointer bump then a byte load (through the bumped
		// pointer: _via); the load writes last, so its dst may be anything.
		op := opI32AddImmLoad8U
		if wB(w2) == wA(w1) {
			op = opI32AddImmLoad8UVia
		}
		f = [3]uint64{word(op, wA(w2), wB(w2), wA(w1)), t.code[s2+1], uint64(uint32(t.code[s1+1])) | uint64(wB(w1))<<48}
		nf = 3
		t.src[n-2].off = t.src[n-1].off // a trap is the load's
	case op1 == opI32Load && op2 == opI32Load8U && wB(w2) == wA(w1):
		// A pointer loaded, then a byte through it (CoreMark's list
		// walks). Either load may trap (out of bounds, the same trap);
		// the backtrace names the first's position for both.
		f = [3]uint64{word(opI32LoadLoad8U, wA(w2), wB(w1), wA(w1)), t.code[s1+1], t.code[s2+1]}
		nf = 3
	case op1 == opI32And && op2 == opI64LoadIdxShl:
		// Sequential: the load may read the and's result (a local).
		f = [3]uint64{word(opI32AndI64LoadIdxShl, wA(w1), wB(w1), wC(w1)), t.code[s2+1], uint64(wA(w2))<<16 | uint64(wB(w2))<<32 | uint64(wC(w2))<<48}
		nf = 3
		t.src[n-2].off = t.src[n-1].off // a trap is the load's
	case op1 == opCopy && op2 == opI32Load && wB(w2) == wA(w1):
		f = [3]uint64{word(opCopyI32Load, wA(w1), wB(w1), wA(w2)), t.code[s2+1]}
		nf = 2
		t.src[n-2].off = t.src[n-1].off // a trap is the load's
	case op1 == opI32Store && op2 == opCopy && wB(w2) == wA(w1):
		f = [3]uint64{word(opI32StoreCopy, wA(w1), wB(w1), wA(w2)), t.code[s1+1]}
		nf = 2
	case (op1 == opI32Xor && (op2 == opI32MulImm || op2 == opI32ShlImm) ||
		op1 == opI64Xor && op2 == opI64MulImm) && t.temp(wA(w1)) && wB(w2) == wA(w1):
		op := opI32XorMulImm
		switch op2 {
		case opI32ShlImm:
			op = opI32XorShlImm
		case opI64MulImm:
			op = opI64XorMulImm
		}
		f = [3]uint64{word(op, wA(w2), wB(w1), wC(w1)), t.code[s2+1]}
		nf = 2
	case op1 == opI32ShrUImm && op2 == opI32Xor:
		if d, ok := other(); ok {
			f = [3]uint64{word(opI32ShrUImmXor, wA(w2), wB(w1), d), t.code[s1+1] & 31}
			nf = 2
		}
	case op1 == opI64ShrUImm && op2 == opI64Xor:
		if d, ok := other(); ok {
			f = [3]uint64{word(opI64ShrUImmXor, wA(w2), wB(w1), d), t.code[s1+1] & 63}
			nf = 2
		}
	case op1 == opF64Mul && op2 == opF64Add && t.temp(wA(w1)) && wB(w2) == wA(w1) && wC(w2) != wA(w1):
		// Only with the product first: the add's operand order decides
		// which NaN it returns.
		f = [3]uint64{word(opF64MulAdd, wA(w2), wB(w1), wC(w1)), uint64(wC(w2))}
		nf = 2
	case op1 == opI32Load8U && op2 == opI32Xor:
		if d, ok := other(); ok {
			f = [3]uint64{word(opI32Load8UXor, wA(w2), wB(w1), d), t.code[s1+1]}
			nf = 2
		}
	case op1 == opI32ShrUImm && op2 == opI32AndImm && t.temp(wA(w1)) && wB(w2) == wA(w1):
		f = [3]uint64{word(opI32BitfieldU, wA(w2), wB(w1), 0), t.code[s1+1]&31 | t.code[s2+1]<<32}
		nf = 2
	case op1 == opI32Mul && op2 == opI32Add:
		if d, ok := other(); ok {
			f = [3]uint64{word(opI32MulAdd, wA(w2), wB(w1), wC(w1)), uint64(d)}
			nf = 2
		}
	case op1 == opConst32 && op2 == opCopy:
		// Sequential: the constant, then the copy (which may read it).
		f = [3]uint64{word(opConst32Copy, wA(w1), wA(w2), wB(w2)), w1 >> 32}
		nf = 2
	case op1 == opI32AddImm && op2 == opI32AndImm && t.temp(wA(w1)) && wB(w2) == wA(w1):
		f = [3]uint64{word(opI32AddImmAndImm, wA(w2), wB(w1), 0), uint64(uint32(t.code[s1+1])) | t.code[s2+1]<<32}
		nf = 2
	case op1 == opI32BitfieldU && op2 == opI32XorImm && t.temp(wA(w1)) && wB(w2) == wA(w1):
		x := t.code[s1+1]
		f = [3]uint64{word(opI32BitfieldUXorImm, wA(w2), wB(w1), uint16(x&31)), x>>32 | t.code[s2+1]<<32}
		nf = 2
	case op1 == opI32ShlImm && op2 == opI32Add:
		if d, ok := other(); ok {
			f = [3]uint64{word(opI32ShlAdd, wA(w2), wB(w1), d), t.code[s1+1] & 31}
			nf = 2
		}
	}
	if nf == 0 {
		return
	}
	t.code = append(t.code[:s1], f[:nf]...)
	t.src = t.src[:n-1]
}

func (t *translator) push(o operand) {
	o.home = t.nextHome()
	t.reserve(int(o.home), width(o.typ))
	t.stack = append(t.stack, o)
}

func (t *translator) pushTemp(typ decoder.ValType) uint16 {
	c := t.nextHome()
	t.push(operand{kind: kTemp, typ: typ, cell: c})
	return c
}

func (t *translator) pop() operand {
	if len(t.stack) == 0 {
		t.fail("operand stack underflow")
		return operand{kind: kConst}
	}
	o := t.stack[len(t.stack)-1]
	t.stack = t.stack[:len(t.stack)-1]
	return o
}

// emitConst writes constant v (v, v2 for a v128) into cell c.
func (t *translator) emitConst(c uint16, v uint64, typ decoder.ValType, v2 ...uint64) {
	if typ == decoder.V128 {
		t.emitProducer(word(opV128Const, c, 0, 0), v, v2[0])
		return
	}
	if v>>32 == 0 {
		t.emitProducer(word(opConst32, c, uint16(v), uint16(v>>16)))
	} else {
		t.emitProducer(word(opConst64, c, 0, 0), v)
	}
}

// use returns a cell holding stack[i]'s value, materialising a constant
// into the entry's home cell.
func (t *translator) use(i int) uint16 {
	o := &t.stack[i]
	switch o.kind {
	case kConst:
		c := o.home
		t.emitConst(c, o.val, o.typ, o.val2)
		*o = operand{kind: kTemp, typ: o.typ, cell: c, home: c}
		return c
	default:
		return o.cell
	}
}

// moveTo copies stack[i] into cell dst unless it is already there.
func (t *translator) moveTo(i int, dst uint16) {
	o := t.stack[i]
	switch {
	case o.kind == kConst:
		t.emitConst(dst, o.val, o.typ, o.val2)
	case o.cell != dst:
		t.emitCopy(dst, o.cell, o.typ)
	}
}

// emitCopy copies a value of type ty from cell src to cell dst.
func (t *translator) emitCopy(dst, src uint16, ty decoder.ValType) {
	op := opCopy
	if ty == decoder.V128 {
		op = opCopy2
	}
	t.emitProducer(word(op, dst, src, 0))
}

// moveTop copies the top n operands into the home cells of heights
// h..h+n-1 (h <= len(stack)-n). Temporaries sit in their own homes at
// heights >= their destination's, so copying in increasing order never
// overwrites a source still to be read. The stack itself is unchanged.
//
// The destinations are laid out from home(h) by the widths of the values
// moved (which are the label's types), not by the entries now at heights
// h.., whose types may differ.
func (t *translator) moveTop(n, h int) {
	s := len(t.stack) - n
	dst := int(t.home(h))
	for j := 0; j < n; j++ {
		t.moveTo(s+j, uint16(dst))
		dst += width(t.stack[s+j].typ)
	}
}

// settle makes the top n operands temporaries in their home cells.
func (t *translator) settle(n int) {
	s := len(t.stack) - n
	t.moveTop(n, s)
	for j := s; j < len(t.stack); j++ {
		h := t.stack[j].home
		t.stack[j] = operand{kind: kTemp, typ: t.stack[j].typ, cell: h, home: h}
	}
}

// spillLocals turns every lazy local reference on the stack into a
// temporary, so that a later local.set inside a block cannot change a
// value pushed before the block (the copy would run on one path only).
func (t *translator) spillLocals() {
	for i := range t.stack {
		if o := &t.stack[i]; o.kind == kLocal {
			t.emitCopy(o.home, o.cell, o.typ)
			o.kind, o.cell = kTemp, o.home
		}
	}
}

// preserve spills lazy references to local cell x before x is written.
func (t *translator) preserve(x uint16) {
	for i := range t.stack {
		if o := &t.stack[i]; o.kind == kLocal && o.cell == x {
			t.emitCopy(o.home, o.cell, o.typ)
			o.kind, o.cell = kTemp, o.home
		}
	}
}

// resetStack drops the stack to height h and pushes temporaries of types
// ts in their homes (the values a block boundary leaves).
func (t *translator) resetStack(h int, ts []decoder.ValType) {
	t.stack = t.stack[:h]
	for _, ty := range ts {
		t.pushTemp(ty)
	}
}

// patch stores in the branch slot word at the target's distance from it,
// in words: the interpreter branches to slot + offset.
func (t *translator) patch(slot, target int) {
	t.code[slot] = uint64(int64(target - slot))
}

// branchTarget records that word at must hold label c's address.
func (t *translator) branchTarget(c *ctrlFrame, at int) {
	if c.kind == ctrlLoop {
		t.patch(at, c.start)
	} else {
		c.fixups = append(c.fixups, at)
	}
}

// valuesInPlace reports whether the top n operands already sit in the home
// cells of heights h.. (so a branch needs no copies).
func (t *translator) valuesInPlace(n, h int) bool {
	s := len(t.stack) - n
	if n == 0 {
		return true
	}
	dst := t.home(h)
	for j := 0; j < n; j++ {
		o := t.stack[s+j]
		if o.kind != kTemp || o.cell != dst {
			return false
		}
		dst += uint16(width(o.typ))
	}
	return true
}

// emitBr emits an unconditional branch to the label depth d, with the copies
// its values need.
func (t *translator) emitBr(d int) {
	c := &t.ctrls[len(t.ctrls)-1-d]
	if c.kind == ctrlFunc {
		t.emitReturn()
		return
	}
	n := len(c.labelTypes())
	t.moveTop(n, c.height)
	// A constant, then the br (Go's wasm sets its state variable and
	// jumps to the loop's br_table): one const32.br. The constant must
	// not be the branch target's: no label between.
	if s, ok := t.lastInstr(1); ok && wOp(t.code[s]) == opConst32 {
		w := t.code[s]
		t.fuse()
		if int(t.src[len(t.src)-1].word) == s { // fuse left it alone
			t.code = append(t.code[:s], w&^0xffff|uint64(opConst32Br), 0)
			t.producer = -1
			t.branchTarget(c, s+1)
			return
		}
	}
	at := t.emit(word(opBr, 0, 0, 0), 0)
	t.branchTarget(c, at+1)
}

// emitReturn moves the results into cells 0.. and returns.
func (t *translator) emitReturn() {
	ft := t.ctrls[0].results
	n := len(ft)
	s := len(t.stack) - n
	if n == 1 && ft[0] != decoder.V128 {
		o := t.stack[s]
		if o.kind == kConst {
			t.emitConst(0, o.val, o.typ)
			t.emit(word(opReturn, 0, 0, 0))
		} else {
			t.emit(word(opReturn1, o.cell, 0, 0))
		}
		return
	}
	// Writing cell j must not clobber a source still to be read: a
	// source j' > j reading cell < n. If that can happen, route every
	// value through temporaries above both ranges first.
	total := cellsOf(ft)
	conflict := false
	for j, dst := 0, 0; j < n; j++ {
		o := t.stack[s+j]
		if o.kind != kConst && int(o.cell) < total && int(o.cell) != dst {
			conflict = true
		}
		dst += width(o.typ)
	}
	if conflict {
		tmp := max(int(t.nextHome()), total)
		for j := 0; j < n; j++ {
			o := &t.stack[s+j]
			c := t.reserve(tmp, width(o.typ))
			t.moveTo(s+j, c)
			o.kind, o.cell = kTemp, c
			tmp += width(o.typ)
		}
	}
	for j, dst := 0, 0; j < n; j++ {
		t.moveTo(s+j, uint16(dst))
		dst += width(t.stack[s+j].typ)
	}
	t.emit(word(opReturn, 0, 0, 0))
}

// ---- the translation loop ----

func (t *translator) body2() {
	for t.err == nil {
		if t.pos >= len(t.body) {
			t.fail("unexpected end of body")
			return
		}
		opAt := t.pos
		t.opAt = opAt
		op := t.byte1()
		if t.skipping {
			if t.skipInstr(op) {
				return
			}
			continue
		}
		if done := t.instr(op, opAt); done {
			return
		}
	}
}

// skipInstr handles one instruction of dead code, returning true when the
// function's final end was reached.
func (t *translator) skipInstr(op byte) bool {
	switch op {
	case 0x02, 0x03, 0x04: // block, loop, if
		t.blockType()
		t.skipDepth++
		return false
	case 0x1f: // try_table
		t.blockType()
		n := t.u32()
		for i := uint32(0); i < n && t.err == nil; i++ {
			if k := t.byte1(); k < CatchAll {
				t.u32()
			}
			t.u32()
		}
		t.skipDepth++
		return false
	case 0x05: // else
		if t.skipDepth == 0 {
			t.skipping = false
			t.doElse(true)
		}
		return false
	case 0x0b: // end
		if t.skipDepth > 0 {
			t.skipDepth--
			return false
		}
		t.skipping = false
		return t.doEnd(true)
	}
	t.skipImmediates(op)
	return false
}

// skipImmediates reads past the immediates of a non-control instruction.
func (t *translator) skipImmediates(op byte) {
	switch op {
	case 0x08, 0x0c, 0x0d, 0x10, 0x12, 0x14, 0x15, 0xd5, 0xd6, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0xd2:
		t.u32()
	case 0x0e:
		n := t.u32()
		for i := uint32(0); i <= n && t.err == nil; i++ {
			t.u32()
		}
	case 0x11, 0x13:
		t.u32()
		t.u32()
	case 0x1c:
		n := t.u32()
		for i := uint32(0); i < n && t.err == nil; i++ {
			t.valType()
		}
	case 0xd0:
		t.heapType()
	case 0x41:
		t.s32()
	case 0x42:
		t.s64()
	case 0x43:
		t.bytesN(4)
	case 0x44:
		t.bytesN(8)
	case 0x3f, 0x40:
		t.byte1()
	case 0xfc:
		sub := t.u32()
		switch sub {
		case 8: // memory.init dataidx memidx
			t.u32()
			t.byte1()
		case 9, 13, 15, 16, 17: // data.drop, elem.drop, table.grow/size/fill
			t.u32()
		case 10: // memory.copy
			t.byte1()
			t.byte1()
		case 11: // memory.fill
			t.byte1()
		case 12, 14: // table.init, table.copy
			t.u32()
			t.u32()
		}
	case 0xfd:
		sub := t.u32()
		kind, _, ok := simdInfo(sub)
		if !ok {
			t.fail("unknown SIMD instruction 0xfd %d", sub)
			return
		}
		switch kind {
		case simdLoad, simdStore:
			t.memarg()
		case simdConst, simdShuffle:
			t.bytesN(16)
		case simdExtract, simdReplace:
			t.byte1()
		case simdLoadLane, simdStoreLane:
			t.memarg()
			t.byte1()
		}
	case 0xfe:
		if sub := t.u32(); sub == atomicFenceOp {
			t.byte1()
		} else {
			t.memarg()
		}
	default:
		if op >= 0x28 && op <= 0x3e {
			t.u32()
			t.u32()
		}
	}
}

// blockEntry prepares the stack for a block, loop or if with the given
// params: lazy locals are spilled; for loops and ifs the params are
// settled into their home cells, where every entry path leaves them.
func (t *translator) blockEntry(kind ctrlKind, params, results []decoder.ValType) *ctrlFrame {
	t.spillLocals()
	if kind != ctrlBlock {
		t.settle(len(params))
	}
	t.ctrls = append(t.ctrls, ctrlFrame{kind: kind, height: len(t.stack) - len(params), params: params, results: results, elseFix: -1})
	return &t.ctrls[len(t.ctrls)-1]
}

func (t *translator) doElse(dead bool) {
	c := &t.ctrls[len(t.ctrls)-1]
	if !dead {
		t.moveTop(len(c.results), c.height)
		at := t.emit(word(opBr, 0, 0, 0), 0)
		c.fixups = append(c.fixups, at+1)
	}
	here := t.label()
	if c.elseFix >= 0 {
		t.patch(c.elseFix, here)
		c.elseFix = -1
	}
	c.kind = ctrlElse
	t.resetStack(c.height, c.params)
}

// doEnd closes the innermost block; it returns true at the function's end.
func (t *translator) doEnd(dead bool) bool {
	c := &t.ctrls[len(t.ctrls)-1]
	if c.kind == ctrlFunc {
		if !dead {
			t.emitReturn()
		}
		return true
	}
	if !dead {
		t.moveTop(len(c.results), c.height)
	}
	if c.try > 0 {
		t.endTry(c, dead)
	}
	here := t.label()
	for _, at := range c.fixups {
		t.patch(at, here)
	}
	if c.elseFix >= 0 { // if without else: params pass through as results
		t.patch(c.elseFix, here)
	}
	h, rs := c.height, c.results
	t.ctrls = t.ctrls[:len(t.ctrls)-1]
	t.resetStack(h, rs)
	return false
}

// tryTable translates try_table (exception handling): a block whose
// catch clauses (their labels resolved outside the block) become a
// Handler over the block's body.
func (t *translator) tryTable() {
	p, r := t.blockType()
	n := t.u32()
	var catches []pendingCatch
	for i := uint32(0); i < n && t.err == nil; i++ {
		pc := pendingCatch{kind: t.byte1()}
		if pc.kind == CatchTag || pc.kind == CatchTagRef {
			pc.tag = t.u32()
		}
		d := int(t.u32())
		if d >= len(t.ctrls) || pc.kind > CatchAllRef {
			t.fail("bad catch clause")
			return
		}
		pc.label = len(t.ctrls) - 1 - d
		catches = append(catches, pc)
	}
	c := t.blockEntry(ctrlBlock, p, r)
	t.handlers = append(t.handlers, Handler{Start: t.label()})
	c.try, c.catches = len(t.handlers), catches
}

// endTry closes a try_table's handler at its end: the fall-through path
// jumps over the landing pads emitted here, one per catch clause (a
// branch to its label, or a return for the function's label).
func (t *translator) endTry(c *ctrlFrame, dead bool) {
	h := &t.handlers[c.try-1]
	h.End = t.label()
	if !dead {
		at := t.emit(word(opBr, 0, 0, 0), 0)
		c.fixups = append(c.fixups, at+1)
	}
	for _, pc := range c.catches {
		target := &t.ctrls[pc.label]
		cat := Catch{Kind: pc.kind, Tag: pc.tag, Pad: t.label()}
		if target.kind == ctrlFunc {
			t.emit(word(opReturn, 0, 0, 0))
		} else {
			cat.Dst = t.home(target.height)
			t.reserve(int(cat.Dst), cellsOf(target.labelTypes()))
			at := t.emit(word(opBr, 0, 0, 0), 0)
			t.branchTarget(target, at+1)
		}
		h = &t.handlers[c.try-1]
		h.Catches = append(h.Catches, cat)
	}
}

func (t *translator) startSkipping() {
	t.skipping = true
	t.skipDepth = 0
}

// condBranch pops a condition and emits a branch taken when it is true
// (or, with invert, false), returning the word to patch with the target.
// A compare or eqz that produced the condition just before is fused.
func (t *translator) condBranch(invert bool) int {
	cond := t.pop()
	if t.producer >= 0 && cond.kind == kTemp && len(t.code) > t.producer {
		w := t.code[t.producer]
		if wA(w) == cond.cell {
			// An i32.eqz of an eqz's result (clang's `x != 0` on an
			// i64: i64.eqz, i32.eqz, br_if): the branch tests the inner
			// eqz's operand, inverted. The outer eqz must not start at
			// a label (the inner one may: the branch starts there).
			if n := len(t.src); wOp(w) == opI32Eqz && n >= 2 && int(t.src[n-1].word) == t.producer && t.lastLabel < t.producer {
				s1 := int(t.src[n-2].word)
				if p := t.code[s1]; (wOp(p) == opI64Eqz || wOp(p) == opI32Eqz) && s1+1 == t.producer && t.temp(wA(p)) && wB(w) == wA(p) {
					t.code = t.code[:t.producer]
					t.src = t.src[:n-1]
					t.producer, w, invert = s1, p, !invert
				}
			}
			if bop, ok := fusedBranch(wOp(w), invert); ok {
				var k uint64 // the compare's immediate (0 for eqz)
				if opInfos[wOp(w)].fmt == fmtDAI {
					k = t.code[t.producer+1]
				}
				t.code = t.code[:t.producer]
				t.src = t.src[:len(t.src)-1]
				if opInfos[bop].fmt == fmtBrAI {
					if at, ok := t.addBranch(bop, wB(w), 0, k); ok {
						return at
					}
					return t.emit(word(bop, 0, wB(w), 0), 0, k) + 1
				}
				if at, ok := t.addBranch(bop, wB(w), wC(w), 0); ok {
					return at
				}
				return t.emit(word(bop, 0, wB(w), wC(w)), 0) + 1
			}
		}
	}
	if at, ok := t.loadBranch(cond, invert); ok {
		return at
	}
	var c uint16
	if cond.kind == kConst {
		c = cond.home
		t.emitConst(c, cond.val, cond.typ)
	} else {
		c = cond.cell
	}
	op := opBrIfNz
	if invert {
		op = opBrIfZ
	}
	if at, ok := t.addBranch(op, c, 0, 0); ok {
		return at
	}
	return t.emit(word(op, c, 0, 0), 0) + 1
}

// lastInstr returns the start of the instruction emitted last, and
// whether it is width words long (it ends the code) and no label lies
// after its start: one at its start is kept by an instruction that
// replaces it in place (labels lie on instruction starts, so the
// instruction's own words hold none).
func (t *translator) lastInstr(width int) (int, bool) {
	n := len(t.src)
	if n == 0 {
		return 0, false
	}
	s := int(t.src[n-1].word)
	return s, s >= t.lastLabel && s+width == len(t.code)
}

// loadBranch fuses a br_if (br_if_z when invert) whose condition cond is
// what the last instruction, an i32.load or i32.load8_u, wrote (a
// temporary, or a local after local.tee) into the load: the fused form
// writes the value and tests it. It keeps the load's source position (a
// trap is the load's) and returns the word to patch with the target.
func (t *translator) loadBranch(cond operand, invert bool) (int, bool) {
	s, ok := t.lastInstr(2)
	if !ok || cond.kind == kConst {
		return 0, false
	}
	w := t.code[s]
	if wA(w) != cond.cell {
		return 0, false
	}
	var op opcode
	switch wOp(w) {
	case opI32Load:
		op = opI32LoadBrNz
		if invert {
			op = opI32LoadBrZ
		}
	case opI32Load8U:
		op = opI32Load8UBrNz
		if invert {
			op = opI32Load8UBrZ
		}
	default:
		return 0, false
	}
	x := t.code[s+1]
	t.code = append(t.code[:s], word(op, wA(w), wB(w), 0), 0, x)
	t.producer = -1
	return s + 1, true
}

// addBranch fuses the branch op on cells b and c (immediate k) with the
// instruction just emitted, in its place: an i32.add_imm whose result
// the branch tests, or a copy (the fused form writes the result, then
// branches). It returns the word to patch with the target.
func (t *translator) addBranch(op opcode, b, c uint16, k uint64) (int, bool) {
	n := len(t.src)
	if n == 0 || t.lastLabel >= len(t.code) {
		return 0, false
	}
	s := int(t.src[n-1].word)
	w := t.code[s]
	if wOp(w) == opCopy && s+sizeDA/8 == len(t.code) {
		// A copy, then a branch testing any cell (read after the copy).
		var f []uint64
		switch op {
		case opBrIfNz:
			f = []uint64{word(opCopyBrNz, wA(w), wB(w), b), 0}
		case opBrI32NeImm:
			f = []uint64{word(opCopyBrI32NeImm, wA(w), wB(w), b), 0, k}
		default:
			return 0, false
		}
		t.code = append(t.code[:s], f...)
		t.producer = -1
		return s + 1, true
	}
	if wOp(w) != opI32AddImm || s+sizeDAI/8 != len(t.code) {
		return 0, false
	}
	r, imm := wA(w), uint64(uint32(t.code[s+1]))
	var f [3]uint64
	switch {
	case op == opBrIfNz && b == r:
		f = [3]uint64{word(opI32AddImmBrNz, r, wB(w), 0), 0, imm}
	case op == opBrI32Ne && (b == r || c == r):
		if b == r {
			b = c
		}
		f = [3]uint64{word(opI32AddImmBrNe, r, wB(w), b), 0, imm}
	case op == opBrI32GtUImm && b == r:
		f = [3]uint64{word(opI32AddImmBrGtUImm, r, wB(w), 0), 0, imm | k<<32}
	default:
		return 0, false
	}
	t.code = append(t.code[:s], f[:]...)
	t.producer = -1
	return s + 1, true
}

// fusedBranch returns the compare-and-branch form of a compare opcode,
// branching when the compare is true (or false, with invert).
func fusedBranch(op opcode, invert bool) (opcode, bool) {
	f := cmpBranch[op]
	if invert {
		return f.inv, f.inv != 0
	}
	return f.br, f.br != 0
}

// instr translates one instruction; it returns true at the function's end.
func (t *translator) instr(op byte, opAt int) bool {
	switch op {
	case 0x00: // unreachable
		t.emit(word(opUnreachable, 0, 0, 0))
		t.startSkipping()
	case 0x01: // nop
	case 0x02: // block
		p, r := t.blockType()
		t.blockEntry(ctrlBlock, p, r)
	case 0x03: // loop
		p, r := t.blockType()
		c := t.blockEntry(ctrlLoop, p, r)
		c.start = t.label()
	case 0x04: // if
		p, r := t.blockType()
		// Spill and settle below the condition first: that code must run
		// on both paths. Then branch to the else on a false condition.
		cond := t.pop()
		c := t.blockEntry(ctrlIf, p, r)
		t.push(cond)
		c.elseFix = t.condBranch(true)
	case 0x05:
		t.doElse(false)
	case 0x0b:
		return t.doEnd(false)
	case 0x0c: // br
		t.emitBr(int(t.u32()))
		t.startSkipping()
	case 0x0d: // br_if
		t.brIf(int(t.u32()), false)
	case 0x1f: // try_table
		t.tryTable()
	case 0x08: // throw tagidx: the tag's values are the arguments
		x := t.u32()
		ft := t.m.TagTypeOf(x)
		np := len(ft.Params)
		t.settle(np)
		base := t.home(len(t.stack) - np)
		t.stack = t.stack[:len(t.stack)-np]
		t.reserve(int(base), cellsOf(ft.Params))
		t.emit(word(opThrow, base, 0, 0), uint64(x))
		t.startSkipping()
	case 0x0a: // throw_ref
		t.emit(word(opThrowRef, t.use(len(t.stack)-1), 0, 0))
		t.pop()
		t.startSkipping()
	case 0xd5: // br_on_null: branch (dropping the reference) if it is null
		d := int(t.u32())
		ref := t.pop()
		t.push(ref)
		t.brIf(d, true)
		t.push(ref)
	case 0xd6: // br_on_non_null: branch with the reference if it is not null
		d := int(t.u32())
		t.use(len(t.stack) - 1)
		t.push(t.stack[len(t.stack)-1]) // the condition: non-null is non-zero
		t.brIf(d, false)
		t.pop()
	case 0xd4: // ref.as_non_null
		t.emit(word(opRefAsNonNull, t.use(len(t.stack)-1), 0, 0))
	case 0x12: // return_call
		funcidx := t.u32()
		t.tailCall(t.m.FuncTypeOf(funcidx), 0, opReturnCall, uint64(funcidx))
	case 0x13: // return_call_indirect
		typeidx, tableidx := t.u32(), t.u32()
		ft := &t.m.Types[typeidx]
		if tableidx >= 1<<16 {
			t.fail("tableidx %d exceeds the implementation limit of %d tables", tableidx, 1<<16)
		}
		t.tailCall(ft, uint16(tableidx), opReturnCallIndirect, uint64(TypeID(ft)))
	case 0x14: // call_ref
		ft := &t.m.Types[t.u32()]
		np := len(ft.Params)
		rc := t.use(len(t.stack) - 1)
		t.pop()
		t.settle(np)
		base := t.home(len(t.stack) - np)
		t.stack = t.stack[:len(t.stack)-np]
		t.emit(word(opCallRef, base, rc, 0), 0)
		t.pushResults(ft)
	case 0x15: // return_call_ref
		ft := &t.m.Types[t.u32()]
		t.tailCall(ft, 0, opReturnCallRef, 0)
	case 0x0e: // br_table
		t.brTable()
		t.startSkipping()
	case 0x0f: // return
		t.emitReturn()
		t.startSkipping()
	case 0x10: // call
		t.call(t.u32())
	case 0x11: // call_indirect
		typeidx, tableidx := t.u32(), t.u32()
		t.callIndirect(typeidx, tableidx)
	case 0x1a: // drop
		t.pop()
	case 0x1b: // select
		t.selectOp()
	case 0x1c: // select t*
		n := t.u32()
		for i := uint32(0); i < n && t.err == nil; i++ {
			t.valType()
		}
		t.selectOp()
	case 0x20: // local.get
		x := t.u32()
		t.push(operand{kind: kLocal, typ: t.locals[x], cell: t.localCell[x]})
	case 0x21, 0x22: // local.set, local.tee
		x := t.u32()
		t.localSet(t.localCell[x], op == 0x22)
	case 0x23: // global.get
		g := t.u32()
		if g >= maxCells {
			t.fail("globalidx %d exceeds the implementation limit of %d globals", g, maxCells)
		}
		ty := t.m.GlobalTypeOf(g).Type
		op := opGlobalGet
		if ty == decoder.V128 {
			op = opGlobalGet128
		}
		c := t.nextHome()
		t.emitProducer(word(op, c, uint16(g), 0))
		t.pushTemp(ty)
	case 0x24: // global.set
		g := t.u32()
		if g >= maxCells {
			t.fail("globalidx %d exceeds the implementation limit of %d globals", g, maxCells)
		}
		n := len(t.stack)
		if s, ok := t.lastInstr(2); ok && t.stack[n-1].kind != kConst {
			// global = x + imm, of what the last instruction, an
			// i32.add_imm, wrote (a temporary, or a local after
			// local.tee: Go's stack pointer, moved): the fused form
			// writes both.
			if w := t.code[s]; wOp(w) == opI32AddImm && wA(w) == t.stack[n-1].cell {
				imm := t.code[s+1]
				t.code = t.code[:s]
				t.src = t.src[:len(t.src)-1]
				t.producer = -1
				t.pop()
				t.emit(word(opI32AddImmGlobalSet, uint16(g), wB(w), wA(w)), imm)
				break
			}
		}
		c := t.use(n - 1)
		t.pop()
		op := opGlobalSet
		switch t.m.GlobalTypeOf(g).Type {
		case decoder.FuncRef:
			op = opGlobalSetRef
		case decoder.V128:
			op = opGlobalSet128
		}
		t.emit(word(op, uint16(g), c, 0))
	case 0x3f: // memory.size
		t.byte1()
		c := t.home(len(t.stack))
		t.emitProducer(word(opMemorySize, c, 0, 0))
		t.pushTemp(decoder.I32)
	case 0x40: // memory.grow
		t.byte1()
		i := len(t.stack) - 1
		c := t.use(i)
		t.pop()
		t.emit(word(opMemoryGrow, t.home(i), c, 0))
		t.pushTemp(decoder.I32)
	case 0x41:
		t.push(operand{kind: kConst, typ: decoder.I32, val: uint64(uint32(t.s32()))})
	case 0x42:
		t.push(operand{kind: kConst, typ: decoder.I64, val: uint64(t.s64())})
	case 0x43:
		t.push(operand{kind: kConst, typ: decoder.F32, val: uint64(binary.LittleEndian.Uint32(t.bytesN(4)))})
	case 0x44:
		t.push(operand{kind: kConst, typ: decoder.F64, val: binary.LittleEndian.Uint64(t.bytesN(8))})
	case 0xbc, 0xbd, 0xbe, 0xbf: // reinterpret: same bits in a cell
		o := t.pop()
		o.typ = reinterpretType[op]
		t.push(o)
	case 0xfc:
		t.prefixFC()
	case 0xfd:
		t.simd()
	case 0xfe:
		t.atomic()
	case 0x25: // table.get
		x := t.u32()
		i := len(t.stack) - 1
		c := t.use(i)
		ty := t.m.TableTypeOf(x).Elem
		t.pop()
		t.emitProducer(word(opTableGet, t.home(i), c, 0), uint64(x))
		t.pushTemp(ty)
	case 0x26: // table.set
		x := t.u32()
		n := len(t.stack)
		a, b := t.use(n-2), t.use(n-1)
		t.stack = t.stack[:n-2]
		t.emit(word(opTableSet, a, b, 0), uint64(x))
	case 0xd0: // ref.null ht
		t.push(operand{kind: kConst, typ: t.heapType(), val: 0})
	case 0xd1: // ref.is_null: a null reference is 0
		t.numeric(numInfo{op: opI64Eqz, unary: true, res: decoder.I32})
	case 0xd2: // ref.func
		x := t.u32()
		t.emitProducer(word(opRefFunc, t.home(len(t.stack)), 0, 0), uint64(x))
		t.pushTemp(decoder.FuncRef)
	default:
		switch {
		case op >= 0x28 && op <= 0x35:
			t.load(op)
		case op >= 0x36 && op <= 0x3e:
			t.store(op)
		default:
			if info := numericOps[op]; info.op != 0 {
				t.numeric(info)
				break
			}
			t.fail("unsupported opcode %#x", op)
		}
	}
	_ = opAt
	return false
}

var reinterpretType = map[byte]decoder.ValType{0xbc: decoder.I32, 0xbd: decoder.I64, 0xbe: decoder.F32, 0xbf: decoder.F64}

func (t *translator) brTable() {
	n := t.u32()
	if int64(n) >= int64(len(t.body)-t.pos) { // each target takes a byte at least
		t.fail("br_table with %d targets overruns the body", n)
		return
	}
	depths := make([]int, n+1)
	for i := range depths {
		depths[i] = int(t.u32())
	}
	idx := len(t.stack) - 1
	ic := t.use(idx)
	t.pop()
	if n > MaxBrTableTargets {
		// B holds n; larger tables than that are not worth a format.
		t.fail("br_table with %d targets exceeds the implementation limit of %d", n, MaxBrTableTargets)
		return
	}
	at := t.emit(word(opBrTable, ic, uint16(n), 0), make([]uint64, n+1)...)
	arity := len(t.ctrls[len(t.ctrls)-1-depths[0]].labelTypes())
	for i, d := range depths {
		c := &t.ctrls[len(t.ctrls)-1-d]
		slot := at + 1 + i
		switch {
		case c.kind == ctrlFunc:
			t.patch(slot, t.label())
			t.emitReturn()
		case arity == 0 || t.valuesInPlace(arity, c.height):
			t.branchTarget(c, slot)
		default:
			t.patch(slot, t.label())
			t.moveTop(arity, c.height)
			j := t.emit(word(opBr, 0, 0, 0), 0)
			t.branchTarget(c, j+1)
		}
	}
}

// brIf emits a branch to the label at depth d taken when the condition on
// top of the stack is non-zero (or, with whenZero, zero), the label's
// values below it (br_if, br_on_null, br_on_non_null).
func (t *translator) brIf(d int, whenZero bool) {
	c := &t.ctrls[len(t.ctrls)-1-d]
	n := len(c.labelTypes())
	if c.kind == ctrlFunc {
		skip := t.condBranch(!whenZero)
		t.emitReturn()
		t.patch(skip, t.label())
		return
	}
	// The condition is on top; the values below it.
	if t.valuesInPlace(n, c.height) || n == 0 {
		at := t.condBranch(whenZero)
		t.branchTarget(c, at)
		return
	}
	// The values need copies: branch over them when the condition says
	// not to branch.
	skip := t.condBranch(!whenZero)
	t.moveTop(n, c.height)
	at := t.emit(word(opBr, 0, 0, 0), 0)
	t.branchTarget(c, at+1)
	t.patch(skip, t.label())
}

// tailCall emits return_call, return_call_indirect (C: the tableidx) or
// return_call_ref op for a callee of type ft: the arguments settle in
// their home cells (the callee's index or reference above them, in B),
// the instruction takes over the frame, and a return follows for a host
// callee (see the interpreter's tailcall). What is below the arguments
// is dropped: the function ends here.
func (t *translator) tailCall(ft *decoder.FuncType, c uint16, op opcode, imm uint64) {
	var b uint16
	if op != opReturnCall {
		b = t.use(len(t.stack) - 1)
		t.pop()
	}
	np := len(ft.Params)
	t.settle(np)
	base := t.home(len(t.stack) - np)
	t.stack = t.stack[:len(t.stack)-np]
	t.emit(word(op, base, b, c), imm)
	t.emit(word(opReturn, 0, 0, 0))
	t.reserve(int(base), max(cellsOf(ft.Params), cellsOf(ft.Results)))
	t.startSkipping()
}

func (t *translator) call(funcidx uint32) {
	ft := t.m.FuncTypeOf(funcidx)
	np := len(ft.Params)
	t.settle(np)
	base := t.home(len(t.stack) - np)
	t.stack = t.stack[:len(t.stack)-np]
	t.emit(word(opCall, base, 0, 0), uint64(funcidx))
	t.pushResults(ft)
}

// pushResults pushes a call's results and makes sure the frame covers the
// callee's argument and result cells.
func (t *translator) pushResults(ft *decoder.FuncType) {
	base := t.nextHome()
	for _, r := range ft.Results {
		t.pushTemp(r)
	}
	t.reserve(int(base), max(cellsOf(ft.Params), cellsOf(ft.Results)))
}

func (t *translator) callIndirect(typeidx, tableidx uint32) {
	ft := &t.m.Types[typeidx]
	np := len(ft.Params)
	ii := len(t.stack) - 1
	ic := t.use(ii)
	idx := t.pop()
	_ = idx
	t.settle(np)
	base := t.home(len(t.stack) - np)
	t.stack = t.stack[:len(t.stack)-np]
	if tableidx >= 1<<16 {
		t.fail("tableidx %d exceeds the implementation limit of %d tables", tableidx, 1<<16)
	}
	t.emit(word(opCallIndirect, base, ic, uint16(tableidx)), uint64(TypeID(ft)))
	t.pushResults(ft)
}

func (t *translator) selectOp() {
	n := len(t.stack)
	cc := t.use(n - 1)
	c2 := t.use(n - 2)
	c1 := t.use(n - 3)
	ty := t.stack[n-3].typ
	t.stack = t.stack[:n-3]
	op := opSelect
	if ty == decoder.V128 {
		op = opSelect128
	}
	t.emitProducer(word(op, t.home(n-3), c1, c2), uint64(cc))
	t.pushTemp(ty)
}

func (t *translator) localSet(x uint16, tee bool) {
	v := t.stack[len(t.stack)-1]
	if v.kind == kLocal && v.cell == x {
		if !tee {
			t.pop()
		}
		return
	}
	t.stack = t.stack[:len(t.stack)-1]
	t.preserve(x)
	switch {
	case v.kind == kTemp && t.producer >= 0 && wA(t.code[t.producer]) == v.cell:
		w := t.code[t.producer]
		t.code[t.producer] = w&^(0xffff<<16) | uint64(x)<<16
		t.producer = -1
	case v.kind == kConst:
		t.emitConst(x, v.val, v.typ, v.val2)
		t.producer = -1
	default:
		t.emitCopy(x, v.cell, v.typ)
		t.producer = -1
	}
	if tee {
		t.push(operand{kind: kLocal, typ: v.typ, cell: x})
	}
}

// memarg reads align and offset (spec §5.4.6).
func (t *translator) memarg() uint32 {
	t.u32()
	return t.u32()
}

func (t *translator) load(op byte) {
	off := t.memarg()
	l := loadOps[op-0x28]
	i := len(t.stack) - 1
	if b, c, ok := t.indexAddress(i); ok {
		t.pop()
		if src, sh, ok := t.shifted(c); ok {
			t.emitProducer(word(l.idxShl, t.home(i), b, src), sh|uint64(off)<<32)
		} else if src, sh, ok := t.shifted(b); ok {
			t.emitProducer(word(l.idxShl, t.home(i), c, src), sh|uint64(off)<<32)
		} else {
			t.emitProducer(word(l.idx, t.home(i), b, c), uint64(off)<<32)
		}
		t.pushTemp(l.typ)
		return
	}
	base, k := t.address(i)
	t.pop()
	if src, sh, ok := t.shifted(base); ok {
		t.emitProducer(word(l.shl, t.home(i), src, uint16(sh)), uint64(k)|uint64(off)<<32)
	} else {
		t.emitProducer(word(l.op, t.home(i), base, 0), uint64(k)|uint64(off)<<32)
	}
	t.pushTemp(l.typ)
}

// shifted reports whether cell c, part of a load's address, is a
// temporary that the last instruction, an i32.shl_imm, computed (an
// array index scaled by the element size), and returns the shifted cell
// and the shift (mod 32, as i32.shl takes it); the shl is removed and the
// load's _shl or _idx_shl form shifts itself. The shl must not start
// before the last label: removing it moves the load to where it started.
func (t *translator) shifted(c uint16) (src uint16, sh uint64, ok bool) {
	s0, ok := t.lastInstr(2)
	if !ok || !t.temp(c) {
		return 0, 0, false
	}
	w := t.code[s0]
	if wOp(w) != opI32ShlImm || wA(w) != c {
		return 0, 0, false
	}
	sh = t.code[s0+1] & 31
	t.code = t.code[:s0]
	t.src = t.src[:len(t.src)-1]
	t.producer = -1
	return wB(w), sh, true
}

// indexAddress reports whether the address operand stack[i] of a load is
// a temporary that the i32.add just emitted computed (used only here),
// and returns the add's operands, which the load's _idx form adds
// itself; the add is removed.
func (t *translator) indexAddress(i int) (b, c uint16, ok bool) {
	o := t.stack[i]
	if o.kind != kTemp || t.producer < 0 || len(t.code) != t.producer+1 {
		return 0, 0, false
	}
	w := t.code[t.producer]
	if wOp(w) != opI32Add || wA(w) != o.cell {
		return 0, 0, false
	}
	t.code = t.code[:t.producer]
	t.src = t.src[:len(t.src)-1]
	t.producer = -1
	return wB(w), wC(w), true
}

func (t *translator) store(op byte) {
	off := t.memarg()
	n := len(t.stack)
	// The address first: folding its add must see that add as the last
	// instruction, before the value is materialised.
	base, k := t.address(n - 2)
	var v uint16
	if o := t.stack[n-1]; o.kind == kConst && o.val == 0 && o.val2 == 0 {
		v = t.zeroCell
	} else {
		v = t.use(n - 1)
	}
	t.stack = t.stack[:n-2]
	t.emit(word(storeOps[op-0x36], base, v, 0), uint64(k)|uint64(off)<<32)
}

// unwrap reports whether stack[i] is the temporary an i32.wrap_i64 just
// emitted computed (the last instruction), for a reader that needs no
// wrap: a load or store address (the access truncates it to 32 bits) or
// an operand of i32.and (whose other operand, an i32, has its upper 32
// bits zero, so the 64-bit and has them zero too). The wrap is removed
// and stack[i] names the i64 cell the wrap read.
func (t *translator) unwrap(i int) bool {
	o := &t.stack[i]
	if o.kind != kTemp || t.producer < 0 || len(t.code) != t.producer+1 {
		return false
	}
	w := t.code[t.producer]
	if wOp(w) != opI32WrapI64 || wA(w) != o.cell {
		return false
	}
	t.code = t.code[:t.producer]
	t.src = t.src[:len(t.src)-1]
	t.producer = -1
	o.cell = wB(w)
	return true
}

// address returns the base cell and 32-bit addend of the address operand
// stack[i] of a load or store: a constant becomes the addend over the zero
// cell, and an i32.add_imm that just computed the address (a temporary
// used only here) is folded into the addend.
func (t *translator) address(i int) (base uint16, k uint32) {
	o := t.stack[i]
	switch {
	case o.kind == kConst:
		return t.zeroCell, uint32(o.val)
	case t.unwrap(i):
		// The wrap is gone: an i64.add_imm that computed the i64 it
		// wrapped (a temporary read only by the wrap) is the addend, mod
		// 2^32 (the access truncates B + k to 32 bits).
		b := t.stack[i].cell
		s0, ok := t.lastInstr(2)
		if !ok || !t.temp(b) {
			return b, 0
		}
		if w := t.code[s0]; wOp(w) == opI64AddImm && wA(w) == b {
			k = uint32(t.code[s0+1])
			t.code = t.code[:s0]
			t.src = t.src[:len(t.src)-1]
			return wB(w), k
		}
		return b, 0
	case o.kind == kTemp && t.producer >= 0 && len(t.code) == t.producer+2:
		w := t.code[t.producer]
		if wOp(w) == opI32AddImm && wA(w) == o.cell {
			k = uint32(t.code[t.producer+1])
			t.code = t.code[:t.producer]
			t.src = t.src[:len(t.src)-1]
			t.producer = -1
			return wB(w), k
		}
	}
	return t.use(i), 0
}

func (t *translator) prefixFC() {
	sub := t.u32()
	if sub <= 7 {
		t.numeric(satOps[sub])
		return
	}
	n := len(t.stack)
	switch sub {
	case 8: // memory.init dataidx memidx
		x := t.u32()
		t.byte1()
		t.emit3(opMemoryInit, uint64(x))
	case 9: // data.drop
		t.emit(word(opDataDrop, 0, 0, 0), uint64(t.u32()))
	case 10: // memory.copy memidx memidx
		t.byte1()
		t.byte1()
		t.emit3(opMemoryCopy, 0)
	case 11: // memory.fill memidx
		t.byte1()
		t.emit3(opMemoryFill, 0)
	case 12: // table.init elemidx tableidx
		e, tb := t.u32(), t.u32()
		t.emit3(opTableInit, uint64(e)|uint64(tb)<<32)
	case 13: // elem.drop
		t.emit(word(opElemDrop, 0, 0, 0), uint64(t.u32()))
	case 14: // table.copy dst src
		d, s := t.u32(), t.u32()
		t.emit3(opTableCopy, uint64(d)|uint64(s)<<32)
	case 15: // table.grow
		x := t.u32()
		b, c := t.use(n-2), t.use(n-1)
		t.stack = t.stack[:n-2]
		t.emit(word(opTableGrow, t.home(n-2), b, c), uint64(x))
		t.pushTemp(decoder.I32)
	case 16: // table.size
		x := t.u32()
		t.emitProducer(word(opTableSize, t.home(n), 0, 0), uint64(x))
		t.pushTemp(decoder.I32)
	case 17: // table.fill
		t.emit3(opTableFill, uint64(t.u32()))
	default:
		t.fail("unsupported instruction 0xfc %d", sub)
	}
}

// emit3 pops three operands and emits an instruction reading them, with
// the extra word x.
func (t *translator) emit3(op opcode, x uint64) {
	n := len(t.stack)
	a, b, c := t.use(n-3), t.use(n-2), t.use(n-1)
	t.stack = t.stack[:n-3]
	t.emit(word(op, a, b, c), x)
}

// numInfo describes a numeric instruction: its register form, optional
// immediate form, arity and result type.
type numInfo struct {
	op, imm opcode
	unary   bool
	comm    bool // commutative: a constant left operand may use imm
	sub     bool // a constant right operand may use imm with negated value (sub -> add)
	mirror  opcode
	wide    bool // operands are 64-bit (for imm range)
	res     decoder.ValType
}

// numeric translates a unary or binary operator.
func (t *translator) numeric(in numInfo) {
	n := len(t.stack)
	if in.unary {
		a := t.use(n - 1)
		t.pop()
		t.emitProducer(word(in.op, t.home(n-1), a, 0))
		t.pushTemp(in.res)
		return
	}
	if in.op == opI32And && !t.unwrap(n-1) {
		t.unwrap(n - 2)
	}
	x, y := t.stack[n-2], t.stack[n-1]
	if in.imm != 0 {
		if y.kind == kConst {
			k := y.val
			if in.sub { // x - k == x + (-k), wrapping
				k = -k
				if !in.wide {
					k = uint64(uint32(k))
				}
			}
			a := t.use(n - 2)
			t.stack = t.stack[:n-2]
			t.emitProducer(word(in.imm, t.home(n-2), a, 0), k)
			t.pushTemp(in.res)
			return
		}
		if x.kind == kConst && (in.comm || in.mirror != 0) {
			op := in.imm
			if !in.comm {
				op = in.mirror
			}
			b := t.use(n - 1)
			t.stack = t.stack[:n-2]
			t.emitProducer(word(op, t.home(n-2), b, 0), x.val)
			t.pushTemp(in.res)
			return
		}
	}
	a := t.use(n - 2)
	b := t.use(n - 1)
	t.stack = t.stack[:n-2]
	t.emitProducer(word(in.op, t.home(n-2), a, b))
	t.pushTemp(in.res)
}

// simd translates a 0xfd-prefixed instruction (spec §5.4.8): v128 values
// take two cells; the operation is selected at run time by its
// sub-opcode (see simd.go).
func (t *translator) simd() {
	sub := t.u32()
	kind, scalar, ok := simdInfo(sub)
	if !ok {
		t.fail("unknown SIMD instruction 0xfd %d", sub)
		return
	}
	v128 := decoder.V128
	switch kind {
	case simdLoad:
		off := t.memarg()
		t.unaryOp(opV128Load, uint16(sub), v128, uint64(off))
	case simdStore:
		off := t.memarg()
		n := len(t.stack)
		a, v := t.use(n-2), t.use(n-1)
		t.stack = t.stack[:n-2]
		t.emit(word(opV128Store, a, v, uint16(sub)), uint64(off))
	case simdConst:
		b := t.bytesN(16)
		t.push(operand{kind: kConst, typ: v128, val: binary.LittleEndian.Uint64(b), val2: binary.LittleEndian.Uint64(b[8:])})
	case simdShuffle:
		b := t.bytesN(16)
		t.binaryOp(opV128Shuffle, v128, binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]))
	case simdExtract:
		lane := t.byte1()
		t.unaryOp(opV128Extract, uint16(sub), scalar, uint64(lane))
	case simdReplace:
		lane := t.byte1()
		t.binaryOp(opV128Replace, v128, uint64(sub)|uint64(lane)<<32)
	case simdSplat:
		t.unaryOp(opV128Splat, uint16(sub), v128)
	case simdUnary:
		t.unaryOp(opV128Unary, uint16(sub), v128)
	case simdBinary:
		t.binaryOp(opV128Binary, v128, uint64(sub))
	case simdTernary:
		n := len(t.stack)
		a, b, c := t.use(n-3), t.use(n-2), t.use(n-1)
		t.stack = t.stack[:n-3]
		t.emitProducer(word(opV128Ternary, t.nextHome(), a, b), uint64(c)|uint64(sub)<<16)
		t.pushTemp(v128)
	case simdShift:
		t.binaryOp(opV128Shift, v128, uint64(sub))
	case simdTest:
		t.unaryOp(opV128Test, uint16(sub), decoder.I32)
	case simdLoadLane:
		off := t.memarg()
		lane := t.byte1()
		t.binaryOp(opV128LoadLane, v128, uint64(off)|uint64(lane)<<32|uint64(sub)<<40)
	case simdStoreLane:
		off := t.memarg()
		lane := t.byte1()
		n := len(t.stack)
		a, v := t.use(n-2), t.use(n-1)
		t.stack = t.stack[:n-2]
		t.emit(word(opV128StoreLane, a, v, uint16(sub)), uint64(off)|uint64(lane)<<32)
	}
}

// unaryOp pops one operand and emits op into a new temporary of type res:
// A = dst, B = the operand, C = c, then the extra words.
func (t *translator) unaryOp(op opcode, c uint16, res decoder.ValType, extra ...uint64) {
	a := t.use(len(t.stack) - 1)
	t.pop()
	t.emitProducer(word(op, t.nextHome(), a, c), extra...)
	t.pushTemp(res)
}

// binaryOp pops two operands and emits op into a new temporary of type
// res: A = dst, B and C = the operands, then the extra words.
func (t *translator) binaryOp(op opcode, res decoder.ValType, extra ...uint64) {
	n := len(t.stack)
	a, b := t.use(n-2), t.use(n-1)
	t.stack = t.stack[:n-2]
	t.emitProducer(word(op, t.nextHome(), a, b), extra...)
	t.pushTemp(res)
}

// atomic translates a 0xfe-prefixed instruction (threads proposal): the
// access is selected at run time by its sub-opcode (see atomic.go).
func (t *translator) atomic() {
	sub := t.u32()
	if sub == atomicFenceOp {
		t.byte1()
		t.emit(word(opAtomicFence, 0, 0, 0))
		return
	}
	if sub > atomicLast || (sub > atomicWait64 && sub < atomicLoadLo) {
		t.fail("unknown atomic instruction 0xfe %d", sub)
		return
	}
	off := uint64(t.memarg())
	res := decoder.I32
	if sub >= atomicLoadLo {
		if _, is64 := atomicShape(sub); is64 {
			res = decoder.I64
		}
	}
	n := len(t.stack)
	switch {
	case sub == atomicNotify:
		t.binaryOp(opMemoryAtomicNotify, decoder.I32, off)
	case sub == atomicWait32 || sub == atomicWait64:
		a, b, c := t.use(n-3), t.use(n-2), t.use(n-1)
		t.stack = t.stack[:n-3]
		t.emitProducer(word(opMemoryAtomicWait, t.nextHome(), a, b), off|uint64(c)<<32|uint64(sub)<<48)
		t.pushTemp(decoder.I32)
	case sub < atomicStoreLo:
		t.unaryOp(opAtomicLoad, uint16(sub), res, off)
	case sub < atomicRMWLo:
		a, v := t.use(n-2), t.use(n-1)
		t.stack = t.stack[:n-2]
		t.emit(word(opAtomicStore, a, v, uint16(sub)), off)
	case sub < atomicCmpxLo:
		t.binaryOp(opAtomicRmw, res, off|uint64(sub)<<32)
	default:
		a, b, c := t.use(n-3), t.use(n-2), t.use(n-1)
		t.stack = t.stack[:n-3]
		t.emitProducer(word(opAtomicCmpxchg, t.nextHome(), a, b), off|uint64(c)<<32|uint64(sub)<<48)
		t.pushTemp(res)
	}
}
