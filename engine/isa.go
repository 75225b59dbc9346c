package engine

// The interpreter's instruction set.
//
// Code is a []uint64. Every instruction starts with one word:
//
//	bits  0-15  opcode
//	bits 16-31  A   (a frame cell, or as the format says)
//	bits 32-47  B
//	bits 48-63  C   (a frame cell, a signed 16-bit immediate or an offset)
//
// and some formats take extra words after it (branch targets, 64-bit
// constants, funcidx, far memory offsets). Frame cells are 64-bit slots
// counted from the frame pointer: parameters, then locals, then the
// temporaries of the operand stack. Values in cells: i32 zero-extended,
// i64 as is, f32/f64 as IEEE bits.
//
// Loads and stores address memory at uint64(uint32(base + k)) + offset,
// where base is a cell, k a 32-bit addend and offset the memarg offset: an
// i32.add of a constant that computes the address folds into k (the add
// wraps at 32 bits, the offset does not, as in wasm), and a constant
// address is k over the frame's zero cell.
//
// Opcodes are specialised by type and operand kind: an instruction never
// looks at types at run time. "_imm" forms take their second operand as an
// immediate in the next word (after the target, for branches) instead of a
// cell, so constants never need a materialising instruction; "br_<cmp>"
// forms fuse a compare with a conditional branch.

// opcode is the low 16 bits of an instruction word.
type opcode uint16

// format says how an instruction's fields and extra words are used; the
// translator, the interpreter and the disassembler agree on it.
type format uint8

const (
	fmtNone         format = iota // no operands
	fmtA                          // A: cell read
	fmtD                          // A: cell written
	fmtDA                         // A: dst cell, B: src cell
	fmtDAB                        // A: dst, B, C: src cells
	fmtDAI                        // A: dst, B: src cell; +1 word: immediate
	fmtDK32                       // A: dst, B|C<<16: 32-bit constant
	fmtDK64                       // A: dst; +1 word: 64-bit constant
	fmtBr                         // +1 word: target
	fmtBrA                        // A: condition cell; +1 word: target
	fmtBrAB                       // B, C: cells compared; +1 word: target
	fmtBrAI                       // B: cell; +1 word: target, +1 word: immediate
	fmtBrTable                    // A: index cell, B: n; +n+1 words: targets (last = default)
	fmtCall                       // A: first argument cell; +1 word: funcidx
	fmtCallIndirect               // A: first argument cell, B: element index cell, C: tableidx; +1 word: type id
	fmtSelect                     // A: dst, B: val1, C: val2; +1 word: condition cell
	fmtGlobalGet                  // A: dst, B: globalidx
	fmtGlobalSet                  // A: globalidx, B: src
	fmtLoad                       // A: dst, B: base cell; +1 word: k | offset<<32 (see below)
	fmtStore                      // A: base cell, B: value cell; +1 word: k | offset<<32
	fmtABCX                       // A, B, C: cells read; +1 word: index (or two, low and high 32 bits)
	fmtDABX                       // A: dst, B, C: cells read; +1 word: index
	fmtDAX                        // A: dst, B: cell read; +1 word: index
	fmtABX                        // A, B: cells read; +1 word: index
	fmtDX                         // A: dst; +1 word: index
	fmtX                          // +1 word: index
	fmtV128Const                  // A: dst; +2 words: low, high
	fmtV128Shuffle                // A: dst, B, C: cells; +2 words: lane bytes
)

// extraWords returns how many words follow the first word of an
// instruction of format f (br_table: see brTableWords).
func (f format) extraWords() int {
	switch f {
	case fmtDK64, fmtDAI, fmtBr, fmtBrA, fmtBrAB, fmtCall, fmtCallIndirect, fmtSelect, fmtLoad, fmtStore,
		fmtABCX, fmtDABX, fmtDAX, fmtABX, fmtDX, fmtX:
		return 1
	case fmtV128Const, fmtV128Shuffle, fmtBrAI:
		return 2
	}
	return 0
}

type opInfo struct {
	name string
	fmt  format
}

// word packs an instruction's first word.
func word(op opcode, a, b, c uint16) uint64 {
	return uint64(op) | uint64(a)<<16 | uint64(b)<<32 | uint64(c)<<48
}

// Field accessors for a first word.
func wOp(w uint64) opcode { return opcode(w) }
func wA(w uint64) uint16  { return uint16(w >> 16) }
func wB(w uint64) uint16  { return uint16(w >> 32) }
func wC(w uint64) uint16  { return uint16(w >> 48) }

const (
	opUnreachable opcode = iota
	opNop
	opBr
	opBrIfNz
	opBrIfZ
	opBrTable
	opReturn
	opReturn1
	opCall
	opCallIndirect
	opCopy
	opConst32
	opConst64
	opSelect
	opGlobalGet
	opGlobalSet
	opBrI32Eq
	opBrI32EqImm
	opBrI32Ne
	opBrI32NeImm
	opBrI32LtS
	opBrI32LtSImm
	opBrI32LtU
	opBrI32LtUImm
	opBrI32GtS
	opBrI32GtSImm
	opBrI32GtU
	opBrI32GtUImm
	opBrI32LeS
	opBrI32LeSImm
	opBrI32LeU
	opBrI32LeUImm
	opBrI32GeS
	opBrI32GeSImm
	opBrI32GeU
	opBrI32GeUImm
	opBrI64Eq
	opBrI64EqImm
	opBrI64Ne
	opBrI64NeImm
	opBrI64LtS
	opBrI64LtSImm
	opBrI64LtU
	opBrI64LtUImm
	opBrI64GtS
	opBrI64GtSImm
	opBrI64GtU
	opBrI64GtUImm
	opBrI64LeS
	opBrI64LeSImm
	opBrI64LeU
	opBrI64LeUImm
	opBrI64GeS
	opBrI64GeSImm
	opBrI64GeU
	opBrI64GeUImm
	opI32Load
	opI64Load
	opF32Load
	opF64Load
	opI32Load8S
	opI32Load8U
	opI32Load16S
	opI32Load16U
	opI64Load8S
	opI64Load8U
	opI64Load16S
	opI64Load16U
	opI64Load32S
	opI64Load32U
	opI32Store
	opI64Store
	opF32Store
	opF64Store
	opI32Store8
	opI32Store16
	opI64Store8
	opI64Store16
	opI64Store32
	opMemorySize
	opMemoryGrow
	opI32Eqz
	opI32Eq
	opI32EqImm
	opI32Ne
	opI32NeImm
	opI32LtS
	opI32LtSImm
	opI32LtU
	opI32LtUImm
	opI32GtS
	opI32GtSImm
	opI32GtU
	opI32GtUImm
	opI32LeS
	opI32LeSImm
	opI32LeU
	opI32LeUImm
	opI32GeS
	opI32GeSImm
	opI32GeU
	opI32GeUImm
	opI32Clz
	opI32Ctz
	opI32Popcnt
	opI32Add
	opI32Sub
	opI32Mul
	opI32DivS
	opI32DivU
	opI32RemS
	opI32RemU
	opI32And
	opI32Or
	opI32Xor
	opI32Shl
	opI32ShrS
	opI32ShrU
	opI32Rotl
	opI32Rotr
	opI32AddImm
	opI32MulImm
	opI32AndImm
	opI32OrImm
	opI32XorImm
	opI32ShlImm
	opI32ShrSImm
	opI32ShrUImm
	opI32RotlImm
	opI32RotrImm
	opI64Eqz
	opI64Eq
	opI64EqImm
	opI64Ne
	opI64NeImm
	opI64LtS
	opI64LtSImm
	opI64LtU
	opI64LtUImm
	opI64GtS
	opI64GtSImm
	opI64GtU
	opI64GtUImm
	opI64LeS
	opI64LeSImm
	opI64LeU
	opI64LeUImm
	opI64GeS
	opI64GeSImm
	opI64GeU
	opI64GeUImm
	opI64Clz
	opI64Ctz
	opI64Popcnt
	opI64Add
	opI64Sub
	opI64Mul
	opI64DivS
	opI64DivU
	opI64RemS
	opI64RemU
	opI64And
	opI64Or
	opI64Xor
	opI64Shl
	opI64ShrS
	opI64ShrU
	opI64Rotl
	opI64Rotr
	opI64AddImm
	opI64MulImm
	opI64AndImm
	opI64OrImm
	opI64XorImm
	opI64ShlImm
	opI64ShrSImm
	opI64ShrUImm
	opI64RotlImm
	opI64RotrImm
	opF32Eq
	opF32Ne
	opF32Lt
	opF32Gt
	opF32Le
	opF32Ge
	opF32Abs
	opF32Neg
	opF32Ceil
	opF32Floor
	opF32Trunc
	opF32Nearest
	opF32Sqrt
	opF32Add
	opF32Sub
	opF32Mul
	opF32Div
	opF32Min
	opF32Max
	opF32Copysign
	opF64Eq
	opF64Ne
	opF64Lt
	opF64Gt
	opF64Le
	opF64Ge
	opF64Abs
	opF64Neg
	opF64Ceil
	opF64Floor
	opF64Trunc
	opF64Nearest
	opF64Sqrt
	opF64Add
	opF64Sub
	opF64Mul
	opF64Div
	opF64Min
	opF64Max
	opF64Copysign
	opI32WrapI64
	opI32TruncF32S
	opI32TruncF32U
	opI32TruncF64S
	opI32TruncF64U
	opI64ExtendI32S
	opI64ExtendI32U
	opI64TruncF32S
	opI64TruncF32U
	opI64TruncF64S
	opI64TruncF64U
	opF32ConvertI32S
	opF32ConvertI32U
	opF32ConvertI64S
	opF32ConvertI64U
	opF32DemoteF64
	opF64ConvertI32S
	opF64ConvertI32U
	opF64ConvertI64S
	opF64ConvertI64U
	opF64PromoteF32
	opI32Extend8S
	opI32Extend16S
	opI64Extend8S
	opI64Extend16S
	opI64Extend32S
	opI32TruncSatF32S
	opI32TruncSatF32U
	opI32TruncSatF64S
	opI32TruncSatF64U
	opI64TruncSatF32S
	opI64TruncSatF32U
	opI64TruncSatF64S
	opI64TruncSatF64U
	// Bulk memory and reference types (Wasm 2.0).
	opMemoryInit // [A .. A+C) = data[x][B .. B+C)
	opDataDrop
	opMemoryCopy // [A .. A+C) = [B .. B+C)
	opMemoryFill // [A .. A+C) = B
	opTableInit  // table[x>>32][A .. A+C) = elem[x&0xffffffff][B .. B+C)
	opElemDrop
	opTableCopy // table[x&0xffffffff][A .. A+C) = table[x>>32][B .. B+C)
	opTableGrow // A = grow table[x] by C cells of B
	opTableSize
	opTableFill // table[x][A .. A+C) = B
	opTableGet
	opTableSet
	opRefFunc
	opGlobalSetRef // global.set of a funcref global: also keeps the function reachable

	// v128 values (two cells: low half first).
	opCopy2
	opV128Const // A = the next two words (low, high)
	opSelect128
	opGlobalGet128
	opGlobalSet128
	opV128Load      // A = load sub-op C at [B + x]
	opV128Store     // [A + x] = B (v128)
	opV128LoadLane  // A = B with lane (x>>32)&0xff loaded from [C... see simdLoadLane]
	opV128StoreLane // [A + x&0xffffffff] = lane x>>32 of B; C: sub-op
	opV128Shuffle   // A = shuffle of B, C by the 16 lane bytes in the next two words
	opV128Extract   // A = lane x of B; C: sub-op
	opV128Replace   // A = B with lane x>>32 replaced by C; sub-op x&0xffff
	opV128Splat     // A = splat of scalar B; C: sub-op
	opV128Unary     // A = op C of B
	opV128Binary    // A = op x of B, C
	opV128Ternary   // A = op x>>16 of B, C, cell x&0xffff
	opV128Shift     // A = op x of B shifted by i32 C
	opV128Test      // A (i32) = op C of B
	opCount
)

var opInfos = [opCount]opInfo{
	opMemoryInit:      {"memory.init", fmtABCX},
	opDataDrop:        {"data.drop", fmtX},
	opMemoryCopy:      {"memory.copy", fmtABCX},
	opMemoryFill:      {"memory.fill", fmtABCX},
	opTableInit:       {"table.init", fmtABCX},
	opElemDrop:        {"elem.drop", fmtX},
	opTableCopy:       {"table.copy", fmtABCX},
	opTableGrow:       {"table.grow", fmtDABX},
	opTableSize:       {"table.size", fmtDX},
	opTableFill:       {"table.fill", fmtABCX},
	opTableGet:        {"table.get", fmtDAX},
	opTableSet:        {"table.set", fmtABX},
	opRefFunc:         {"ref.func", fmtDX},
	opGlobalSetRef:    {"global.set_ref", fmtGlobalSet},
	opUnreachable:     {"unreachable", fmtNone},
	opNop:             {"nop", fmtNone},
	opBr:              {"br", fmtBr},
	opBrIfNz:          {"br_if_nz", fmtBrA},
	opBrIfZ:           {"br_if_z", fmtBrA},
	opBrTable:         {"br_table", fmtBrTable},
	opReturn:          {"return", fmtNone},
	opReturn1:         {"return1", fmtA},
	opCall:            {"call", fmtCall},
	opCallIndirect:    {"call_indirect", fmtCallIndirect},
	opCopy:            {"copy", fmtDA},
	opConst32:         {"const32", fmtDK32},
	opConst64:         {"const64", fmtDK64},
	opSelect:          {"select", fmtSelect},
	opGlobalGet:       {"global.get", fmtGlobalGet},
	opGlobalSet:       {"global.set", fmtGlobalSet},
	opBrI32Eq:         {"br_i32_eq", fmtBrAB},
	opBrI32EqImm:      {"br_i32_eq_imm", fmtBrAI},
	opBrI32Ne:         {"br_i32_ne", fmtBrAB},
	opBrI32NeImm:      {"br_i32_ne_imm", fmtBrAI},
	opBrI32LtS:        {"br_i32_lt_s", fmtBrAB},
	opBrI32LtSImm:     {"br_i32_lt_s_imm", fmtBrAI},
	opBrI32LtU:        {"br_i32_lt_u", fmtBrAB},
	opBrI32LtUImm:     {"br_i32_lt_u_imm", fmtBrAI},
	opBrI32GtS:        {"br_i32_gt_s", fmtBrAB},
	opBrI32GtSImm:     {"br_i32_gt_s_imm", fmtBrAI},
	opBrI32GtU:        {"br_i32_gt_u", fmtBrAB},
	opBrI32GtUImm:     {"br_i32_gt_u_imm", fmtBrAI},
	opBrI32LeS:        {"br_i32_le_s", fmtBrAB},
	opBrI32LeSImm:     {"br_i32_le_s_imm", fmtBrAI},
	opBrI32LeU:        {"br_i32_le_u", fmtBrAB},
	opBrI32LeUImm:     {"br_i32_le_u_imm", fmtBrAI},
	opBrI32GeS:        {"br_i32_ge_s", fmtBrAB},
	opBrI32GeSImm:     {"br_i32_ge_s_imm", fmtBrAI},
	opBrI32GeU:        {"br_i32_ge_u", fmtBrAB},
	opBrI32GeUImm:     {"br_i32_ge_u_imm", fmtBrAI},
	opBrI64Eq:         {"br_i64_eq", fmtBrAB},
	opBrI64EqImm:      {"br_i64_eq_imm", fmtBrAI},
	opBrI64Ne:         {"br_i64_ne", fmtBrAB},
	opBrI64NeImm:      {"br_i64_ne_imm", fmtBrAI},
	opBrI64LtS:        {"br_i64_lt_s", fmtBrAB},
	opBrI64LtSImm:     {"br_i64_lt_s_imm", fmtBrAI},
	opBrI64LtU:        {"br_i64_lt_u", fmtBrAB},
	opBrI64LtUImm:     {"br_i64_lt_u_imm", fmtBrAI},
	opBrI64GtS:        {"br_i64_gt_s", fmtBrAB},
	opBrI64GtSImm:     {"br_i64_gt_s_imm", fmtBrAI},
	opBrI64GtU:        {"br_i64_gt_u", fmtBrAB},
	opBrI64GtUImm:     {"br_i64_gt_u_imm", fmtBrAI},
	opBrI64LeS:        {"br_i64_le_s", fmtBrAB},
	opBrI64LeSImm:     {"br_i64_le_s_imm", fmtBrAI},
	opBrI64LeU:        {"br_i64_le_u", fmtBrAB},
	opBrI64LeUImm:     {"br_i64_le_u_imm", fmtBrAI},
	opBrI64GeS:        {"br_i64_ge_s", fmtBrAB},
	opBrI64GeSImm:     {"br_i64_ge_s_imm", fmtBrAI},
	opBrI64GeU:        {"br_i64_ge_u", fmtBrAB},
	opBrI64GeUImm:     {"br_i64_ge_u_imm", fmtBrAI},
	opI32Load:         {"i32.load", fmtLoad},
	opI64Load:         {"i64.load", fmtLoad},
	opF32Load:         {"f32.load", fmtLoad},
	opF64Load:         {"f64.load", fmtLoad},
	opI32Load8S:       {"i32.load8_s", fmtLoad},
	opI32Load8U:       {"i32.load8_u", fmtLoad},
	opI32Load16S:      {"i32.load16_s", fmtLoad},
	opI32Load16U:      {"i32.load16_u", fmtLoad},
	opI64Load8S:       {"i64.load8_s", fmtLoad},
	opI64Load8U:       {"i64.load8_u", fmtLoad},
	opI64Load16S:      {"i64.load16_s", fmtLoad},
	opI64Load16U:      {"i64.load16_u", fmtLoad},
	opI64Load32S:      {"i64.load32_s", fmtLoad},
	opI64Load32U:      {"i64.load32_u", fmtLoad},
	opI32Store:        {"i32.store", fmtStore},
	opI64Store:        {"i64.store", fmtStore},
	opF32Store:        {"f32.store", fmtStore},
	opF64Store:        {"f64.store", fmtStore},
	opI32Store8:       {"i32.store8", fmtStore},
	opI32Store16:      {"i32.store16", fmtStore},
	opI64Store8:       {"i64.store8", fmtStore},
	opI64Store16:      {"i64.store16", fmtStore},
	opI64Store32:      {"i64.store32", fmtStore},
	opMemorySize:      {"memory.size", fmtD},
	opMemoryGrow:      {"memory.grow", fmtDA},
	opI32Eqz:          {"i32.eqz", fmtDA},
	opI32Eq:           {"i32.eq", fmtDAB},
	opI32EqImm:        {"i32.eq_imm", fmtDAI},
	opI32Ne:           {"i32.ne", fmtDAB},
	opI32NeImm:        {"i32.ne_imm", fmtDAI},
	opI32LtS:          {"i32.lt_s", fmtDAB},
	opI32LtSImm:       {"i32.lt_s_imm", fmtDAI},
	opI32LtU:          {"i32.lt_u", fmtDAB},
	opI32LtUImm:       {"i32.lt_u_imm", fmtDAI},
	opI32GtS:          {"i32.gt_s", fmtDAB},
	opI32GtSImm:       {"i32.gt_s_imm", fmtDAI},
	opI32GtU:          {"i32.gt_u", fmtDAB},
	opI32GtUImm:       {"i32.gt_u_imm", fmtDAI},
	opI32LeS:          {"i32.le_s", fmtDAB},
	opI32LeSImm:       {"i32.le_s_imm", fmtDAI},
	opI32LeU:          {"i32.le_u", fmtDAB},
	opI32LeUImm:       {"i32.le_u_imm", fmtDAI},
	opI32GeS:          {"i32.ge_s", fmtDAB},
	opI32GeSImm:       {"i32.ge_s_imm", fmtDAI},
	opI32GeU:          {"i32.ge_u", fmtDAB},
	opI32GeUImm:       {"i32.ge_u_imm", fmtDAI},
	opI32Clz:          {"i32.clz", fmtDA},
	opI32Ctz:          {"i32.ctz", fmtDA},
	opI32Popcnt:       {"i32.popcnt", fmtDA},
	opI32Add:          {"i32.add", fmtDAB},
	opI32Sub:          {"i32.sub", fmtDAB},
	opI32Mul:          {"i32.mul", fmtDAB},
	opI32DivS:         {"i32.div_s", fmtDAB},
	opI32DivU:         {"i32.div_u", fmtDAB},
	opI32RemS:         {"i32.rem_s", fmtDAB},
	opI32RemU:         {"i32.rem_u", fmtDAB},
	opI32And:          {"i32.and", fmtDAB},
	opI32Or:           {"i32.or", fmtDAB},
	opI32Xor:          {"i32.xor", fmtDAB},
	opI32Shl:          {"i32.shl", fmtDAB},
	opI32ShrS:         {"i32.shr_s", fmtDAB},
	opI32ShrU:         {"i32.shr_u", fmtDAB},
	opI32Rotl:         {"i32.rotl", fmtDAB},
	opI32Rotr:         {"i32.rotr", fmtDAB},
	opI32AddImm:       {"i32.add_imm", fmtDAI},
	opI32MulImm:       {"i32.mul_imm", fmtDAI},
	opI32AndImm:       {"i32.and_imm", fmtDAI},
	opI32OrImm:        {"i32.or_imm", fmtDAI},
	opI32XorImm:       {"i32.xor_imm", fmtDAI},
	opI32ShlImm:       {"i32.shl_imm", fmtDAI},
	opI32ShrSImm:      {"i32.shr_s_imm", fmtDAI},
	opI32ShrUImm:      {"i32.shr_u_imm", fmtDAI},
	opI32RotlImm:      {"i32.rotl_imm", fmtDAI},
	opI32RotrImm:      {"i32.rotr_imm", fmtDAI},
	opI64Eqz:          {"i64.eqz", fmtDA},
	opI64Eq:           {"i64.eq", fmtDAB},
	opI64EqImm:        {"i64.eq_imm", fmtDAI},
	opI64Ne:           {"i64.ne", fmtDAB},
	opI64NeImm:        {"i64.ne_imm", fmtDAI},
	opI64LtS:          {"i64.lt_s", fmtDAB},
	opI64LtSImm:       {"i64.lt_s_imm", fmtDAI},
	opI64LtU:          {"i64.lt_u", fmtDAB},
	opI64LtUImm:       {"i64.lt_u_imm", fmtDAI},
	opI64GtS:          {"i64.gt_s", fmtDAB},
	opI64GtSImm:       {"i64.gt_s_imm", fmtDAI},
	opI64GtU:          {"i64.gt_u", fmtDAB},
	opI64GtUImm:       {"i64.gt_u_imm", fmtDAI},
	opI64LeS:          {"i64.le_s", fmtDAB},
	opI64LeSImm:       {"i64.le_s_imm", fmtDAI},
	opI64LeU:          {"i64.le_u", fmtDAB},
	opI64LeUImm:       {"i64.le_u_imm", fmtDAI},
	opI64GeS:          {"i64.ge_s", fmtDAB},
	opI64GeSImm:       {"i64.ge_s_imm", fmtDAI},
	opI64GeU:          {"i64.ge_u", fmtDAB},
	opI64GeUImm:       {"i64.ge_u_imm", fmtDAI},
	opI64Clz:          {"i64.clz", fmtDA},
	opI64Ctz:          {"i64.ctz", fmtDA},
	opI64Popcnt:       {"i64.popcnt", fmtDA},
	opI64Add:          {"i64.add", fmtDAB},
	opI64Sub:          {"i64.sub", fmtDAB},
	opI64Mul:          {"i64.mul", fmtDAB},
	opI64DivS:         {"i64.div_s", fmtDAB},
	opI64DivU:         {"i64.div_u", fmtDAB},
	opI64RemS:         {"i64.rem_s", fmtDAB},
	opI64RemU:         {"i64.rem_u", fmtDAB},
	opI64And:          {"i64.and", fmtDAB},
	opI64Or:           {"i64.or", fmtDAB},
	opI64Xor:          {"i64.xor", fmtDAB},
	opI64Shl:          {"i64.shl", fmtDAB},
	opI64ShrS:         {"i64.shr_s", fmtDAB},
	opI64ShrU:         {"i64.shr_u", fmtDAB},
	opI64Rotl:         {"i64.rotl", fmtDAB},
	opI64Rotr:         {"i64.rotr", fmtDAB},
	opI64AddImm:       {"i64.add_imm", fmtDAI},
	opI64MulImm:       {"i64.mul_imm", fmtDAI},
	opI64AndImm:       {"i64.and_imm", fmtDAI},
	opI64OrImm:        {"i64.or_imm", fmtDAI},
	opI64XorImm:       {"i64.xor_imm", fmtDAI},
	opI64ShlImm:       {"i64.shl_imm", fmtDAI},
	opI64ShrSImm:      {"i64.shr_s_imm", fmtDAI},
	opI64ShrUImm:      {"i64.shr_u_imm", fmtDAI},
	opI64RotlImm:      {"i64.rotl_imm", fmtDAI},
	opI64RotrImm:      {"i64.rotr_imm", fmtDAI},
	opF32Eq:           {"f32.eq", fmtDAB},
	opF32Ne:           {"f32.ne", fmtDAB},
	opF32Lt:           {"f32.lt", fmtDAB},
	opF32Gt:           {"f32.gt", fmtDAB},
	opF32Le:           {"f32.le", fmtDAB},
	opF32Ge:           {"f32.ge", fmtDAB},
	opF32Abs:          {"f32.abs", fmtDA},
	opF32Neg:          {"f32.neg", fmtDA},
	opF32Ceil:         {"f32.ceil", fmtDA},
	opF32Floor:        {"f32.floor", fmtDA},
	opF32Trunc:        {"f32.trunc", fmtDA},
	opF32Nearest:      {"f32.nearest", fmtDA},
	opF32Sqrt:         {"f32.sqrt", fmtDA},
	opF32Add:          {"f32.add", fmtDAB},
	opF32Sub:          {"f32.sub", fmtDAB},
	opF32Mul:          {"f32.mul", fmtDAB},
	opF32Div:          {"f32.div", fmtDAB},
	opF32Min:          {"f32.min", fmtDAB},
	opF32Max:          {"f32.max", fmtDAB},
	opF32Copysign:     {"f32.copysign", fmtDAB},
	opF64Eq:           {"f64.eq", fmtDAB},
	opF64Ne:           {"f64.ne", fmtDAB},
	opF64Lt:           {"f64.lt", fmtDAB},
	opF64Gt:           {"f64.gt", fmtDAB},
	opF64Le:           {"f64.le", fmtDAB},
	opF64Ge:           {"f64.ge", fmtDAB},
	opF64Abs:          {"f64.abs", fmtDA},
	opF64Neg:          {"f64.neg", fmtDA},
	opF64Ceil:         {"f64.ceil", fmtDA},
	opF64Floor:        {"f64.floor", fmtDA},
	opF64Trunc:        {"f64.trunc", fmtDA},
	opF64Nearest:      {"f64.nearest", fmtDA},
	opF64Sqrt:         {"f64.sqrt", fmtDA},
	opF64Add:          {"f64.add", fmtDAB},
	opF64Sub:          {"f64.sub", fmtDAB},
	opF64Mul:          {"f64.mul", fmtDAB},
	opF64Div:          {"f64.div", fmtDAB},
	opF64Min:          {"f64.min", fmtDAB},
	opF64Max:          {"f64.max", fmtDAB},
	opF64Copysign:     {"f64.copysign", fmtDAB},
	opI32WrapI64:      {"i32.wrap_i64", fmtDA},
	opI32TruncF32S:    {"i32.trunc_f32_s", fmtDA},
	opI32TruncF32U:    {"i32.trunc_f32_u", fmtDA},
	opI32TruncF64S:    {"i32.trunc_f64_s", fmtDA},
	opI32TruncF64U:    {"i32.trunc_f64_u", fmtDA},
	opI64ExtendI32S:   {"i64.extend_i32_s", fmtDA},
	opI64ExtendI32U:   {"i64.extend_i32_u", fmtDA},
	opI64TruncF32S:    {"i64.trunc_f32_s", fmtDA},
	opI64TruncF32U:    {"i64.trunc_f32_u", fmtDA},
	opI64TruncF64S:    {"i64.trunc_f64_s", fmtDA},
	opI64TruncF64U:    {"i64.trunc_f64_u", fmtDA},
	opF32ConvertI32S:  {"f32.convert_i32_s", fmtDA},
	opF32ConvertI32U:  {"f32.convert_i32_u", fmtDA},
	opF32ConvertI64S:  {"f32.convert_i64_s", fmtDA},
	opF32ConvertI64U:  {"f32.convert_i64_u", fmtDA},
	opF32DemoteF64:    {"f32.demote_f64", fmtDA},
	opF64ConvertI32S:  {"f64.convert_i32_s", fmtDA},
	opF64ConvertI32U:  {"f64.convert_i32_u", fmtDA},
	opF64ConvertI64S:  {"f64.convert_i64_s", fmtDA},
	opF64ConvertI64U:  {"f64.convert_i64_u", fmtDA},
	opF64PromoteF32:   {"f64.promote_f32", fmtDA},
	opI32Extend8S:     {"i32.extend8_s", fmtDA},
	opI32Extend16S:    {"i32.extend16_s", fmtDA},
	opI64Extend8S:     {"i64.extend8_s", fmtDA},
	opI64Extend16S:    {"i64.extend16_s", fmtDA},
	opI64Extend32S:    {"i64.extend32_s", fmtDA},
	opI32TruncSatF32S: {"i32.trunc_sat_f32_s", fmtDA},
	opI32TruncSatF32U: {"i32.trunc_sat_f32_u", fmtDA},
	opI32TruncSatF64S: {"i32.trunc_sat_f64_s", fmtDA},
	opI32TruncSatF64U: {"i32.trunc_sat_f64_u", fmtDA},
	opI64TruncSatF32S: {"i64.trunc_sat_f32_s", fmtDA},
	opI64TruncSatF32U: {"i64.trunc_sat_f32_u", fmtDA},
	opI64TruncSatF64S: {"i64.trunc_sat_f64_s", fmtDA},
	opI64TruncSatF64U: {"i64.trunc_sat_f64_u", fmtDA},
}
