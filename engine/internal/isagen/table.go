package isagen

// The interpreter's instruction set, defined once. The order of Table is
// the order of the opcodes.
//
// Each row is one instruction, or, for a family helper (intCmp, binImm),
// the few instructions of one operation in its operand forms. A row gives
// the listing name (also the Go name: "i32.add_imm" is opI32AddImm), the
// format, and either an expression from which the interpreter's case is
// generated or hand (the case is written in interp.go) or slow (written in
// machine.slow). Rows that translate a wasm numeric, load or store opcode
// carry it, so that the translator's tables come from here too.
//
// In generated expressions, b and c are the operand cells' values (c is
// the immediate word in _imm forms), p the effective address in memory
// for loads and stores, v the stored value (all uint64 but p, an
// unsafe.Pointer).

// Formats, in the order of the format constants: name, extra words after
// the first, and what the fields hold.
var Formats = []Format{
	{"None", 0, "no operands"},
	{"A", 0, "A: cell read"},
	{"D", 0, "A: cell written"},
	{"DA", 0, "A: dst cell, B: src cell"},
	{"DAB", 0, "A: dst, B, C: src cells"},
	{"DAI", 1, "A: dst, B: src cell; +1 word: immediate"},
	{"DK32", 0, "A: dst, B|C<<16: 32-bit constant"},
	{"DK64", 1, "A: dst; +1 word: 64-bit constant"},
	{"Br", 1, "+1 word: target"},
	{"BrA", 1, "A: condition cell; +1 word: target"},
	{"BrAB", 1, "B, C: cells compared; +1 word: target"},
	{"BrAI", 2, "B: cell; +1 word: target, +1 word: immediate"},
	{"BrDAI", 2, "A: dst, B: src; +1 word: target, +1 word: immediate (fused: A = B op imm, then a branch on A)"},
	{"BrDAIC", 2, "A: dst, B: src, C: cell compared with A; +1 word: target, +1 word: immediate"},
	{"BrCopy", 1, "A: dst, B: src (a copy), C: cell tested; +1 word: target"},
	{"BrCopyI", 2, "A: dst, B: src (a copy), C: cell compared; +1 word: target, +1 word: immediate"},
	{"BrK32", 1, "A: dst, B, C: a 32-bit constant; +1 word: target (A = the constant, then a br)"},
	{"BrLoad", 2, "A: dst, B: base cell; +1 word: target, +1 word: k | offset<<32 (A is loaded, then tested)"},
	{"BrDAII", 2, "A: dst, B: src; +1 word: target, +1 word: immediate | the immediate compared with A<<32"},
	{"BrTable", 1, "A: index cell, B: n; +n+1 words: targets (last = default; Extra counts one)"},
	{"Call", 1, "A: first argument cell; +1 word: funcidx"},
	{"CallIndirect", 1, "A: first argument cell, B: element index cell, C: tableidx; +1 word: type id"},
	{"Select", 1, "A: dst, B: val1, C: val2; +1 word: condition cell"},
	{"GlobalGet", 0, "A: dst, B: globalidx"},
	{"GlobalSet", 0, "A: globalidx, B: src"},
	{"Load", 1, "A: dst, B: base cell; +1 word: k | offset<<32"},
	{"LoadIdx", 1, "A: dst, B, C: base cells (added); +1 word: k | offset<<32"},
	{"LoadShl", 1, "A: dst, B: base cell, C: shift; +1 word: k | offset<<32 (the address is B<<C + k)"},
	{"LoadIdxShl", 1, "A: dst, B, C: base cells; +1 word: shift | offset<<32 (the address is B + C<<shift)"},
	{"Store", 1, "A: base cell, B: value cell; +1 word: k | offset<<32"},
	{"ABCX", 1, "A, B, C: cells read; +1 word: index (or two, low and high 32 bits)"},
	{"DABX", 1, "A: dst, B, C: cells read; +1 word: index"},
	{"DAX", 1, "A: dst, B: cell read; +1 word: index"},
	{"ABX", 1, "A, B: cells read; +1 word: index"},
	{"DX", 1, "A: dst; +1 word: index"},
	{"X", 1, "+1 word: index"},
	{"DAS", 0, "A: dst, B: src cell, C: sub-operation"},
	{"V128Const", 2, "A: dst; +2 words: low, high"},
	{"V128Shuffle", 2, "A: dst, B, C: cells; +2 words: lane bytes"},
	{"DAIDAI", 2, "A: dst, B: src, C: dst2; +1 word: imm | imm2<<32, +1 word: src2 (two _imm operations)"},
	{"DABDAI", 1, "A: dst, B, C: src cells; +1 word: dst2 | src2<<16 | imm2<<32 (a DAB then a DAI operation)"},
	{"DAII", 1, "A: dst, B: src; +1 word: imm | imm2<<32"},
	{"DABI", 1, "A: dst, B, C: src cells; +1 word: immediate"},
	{"CopyLoad", 1, "A: copy dst, B: copy src, C: load dst; +1 word: k | offset<<32 (the load's base is A)"},
	{"StoreCopy", 1, "A: base, B: value, C: copy dst; +1 word: k | offset<<32 (then C = A)"},
	{"LoadB", 1, "A: dst, B: base cell, C: the second operand; +1 word: k | offset<<32"},
	{"DABC", 1, "A: dst, B, C: src cells; +1 word: a third src cell"},
	{"GlobalSetI", 1, "A: globalidx, B: src, C: dst; +1 word: immediate (C = B + imm, the global = C)"},
	{"DKDA", 1, "A: dst of the constant, B: dst of the copy, C: its src; +1 word: the constant"},
	{"DASII", 1, "A: dst, B: src, C: shift; +1 word: imm | imm2<<32"},
	{"AddImmLoad", 2, "A: load dst, B: load base cell, C: add dst; +1 word: k | offset<<32, +1 word: imm | add src<<48 (C = src + imm, then A is loaded)"},
	{"LoadLoad", 2, "A: dst, B: base cell, C: the first load's dst; +1 word: k | offset<<32, +1 word: k2 | offset2<<32 (C = [B + k] + offset, A = [C + k2] + offset2)"},
	{"AndLoadIdxShl", 2, "A: dst, B, C: src cells (A = B & C); +1 word: shift | offset<<32, +1 word: dst2<<16 | base2<<32 | index2<<48, the fields of a first word (then dst2 = [base2 + index2<<shift + offset])"},
}

// Table is the instruction set.
var Table = concat(
	// Control.
	hand("unreachable", "None"),
	hand("nop", "None"),
	hand("br", "Br"),
	hand("br_if_nz", "BrA"),
	hand("br_if_z", "BrA"),
	hand("br_table", "BrTable"),
	hand("return", "None"),
	hand("return1", "A"),
	hand("call", "Call"),
	hand("call_indirect", "CallIndirect"),
	// Tail calls (the callee reuses the caller's frame; a host callee's
	// results are moved to the frame's start and the return after the
	// instruction runs) and typed function references (call_ref: B is
	// the funcref cell, C and the word unused).
	hand("return_call", "Call"),
	hand("return_call_indirect", "CallIndirect"),
	hand("call_ref", "CallIndirect"),
	hand("return_call_ref", "CallIndirect"),
	hand("ref.as_non_null", "A"),
	// Exception handling: throw (A: the first value cell; +1 word:
	// tagidx) and throw_ref (A: the exnref cell) unwind to a try_table's
	// catch clause (see Code.Handlers) or out of the call.
	slow("throw", "DX"),
	slow("throw_ref", "A"),
	hand("copy", "DA"),
	hand("const32", "DK32"),
	hand("const64", "DK64"),
	hand("select", "Select"),
	hand("global.get", "GlobalGet"),
	hand("global.set", "GlobalSet"),

	// Integer compares: wasm opcode, name, operand type, operator, the
	// compare with swapped operands (for a constant left operand) and the
	// negation (for branches that jump when false). Each row is the
	// compare, its _imm form, and the two compare-and-branch forms.
	intCmp(0x46, "i32.eq", "uint32", "==", "eq", "ne"),
	intCmp(0x47, "i32.ne", "uint32", "!=", "ne", "eq"),
	intCmp(0x48, "i32.lt_s", "int32", "<", "gt_s", "ge_s"),
	intCmp(0x49, "i32.lt_u", "uint32", "<", "gt_u", "ge_u"),
	intCmp(0x4a, "i32.gt_s", "int32", ">", "lt_s", "le_s"),
	intCmp(0x4b, "i32.gt_u", "uint32", ">", "lt_u", "le_u"),
	intCmp(0x4c, "i32.le_s", "int32", "<=", "ge_s", "gt_s"),
	intCmp(0x4d, "i32.le_u", "uint32", "<=", "ge_u", "gt_u"),
	intCmp(0x4e, "i32.ge_s", "int32", ">=", "le_s", "lt_s"),
	intCmp(0x4f, "i32.ge_u", "uint32", ">=", "le_u", "lt_u"),
	intCmp(0x51, "i64.eq", "uint64", "==", "eq", "ne"),
	intCmp(0x52, "i64.ne", "uint64", "!=", "ne", "eq"),
	intCmp(0x53, "i64.lt_s", "int64", "<", "gt_s", "ge_s"),
	intCmp(0x54, "i64.lt_u", "uint64", "<", "gt_u", "ge_u"),
	intCmp(0x55, "i64.gt_s", "int64", ">", "lt_s", "le_s"),
	intCmp(0x56, "i64.gt_u", "uint64", ">", "lt_u", "le_u"),
	intCmp(0x57, "i64.le_s", "int64", "<=", "ge_s", "gt_s"),
	intCmp(0x58, "i64.le_u", "uint64", "<=", "ge_u", "gt_u"),
	intCmp(0x59, "i64.ge_s", "int64", ">=", "le_s", "lt_s"),
	intCmp(0x5a, "i64.ge_u", "uint64", ">=", "le_u", "lt_u"),

	// Memory: wasm opcode, name, access size in bytes, value type, and
	// the load's result from p / the store's write of v at p. Multi-byte
	// accesses go through le16/le32/le64 and putLE16/32/64 (engine's
	// endian_*.go): wasm memory is little-endian on every host.
	load(0x28, "i32.load", 4, "i32", "uint64(le32(p))"),
	load(0x29, "i64.load", 8, "i64", "le64(p)"),
	load(0x2a, "f32.load", 4, "f32", "uint64(le32(p))"),
	load(0x2b, "f64.load", 8, "f64", "le64(p)"),
	load(0x2c, "i32.load8_s", 1, "i32", "uint64(uint32(int32(*(*int8)(p))))"),
	load(0x2d, "i32.load8_u", 1, "i32", "uint64(*(*uint8)(p))"),
	load(0x2e, "i32.load16_s", 2, "i32", "uint64(uint32(int32(int16(le16(p)))))"),
	load(0x2f, "i32.load16_u", 2, "i32", "uint64(le16(p))"),
	load(0x30, "i64.load8_s", 1, "i64", "uint64(int64(*(*int8)(p)))"),
	load(0x31, "i64.load8_u", 1, "i64", "uint64(*(*uint8)(p))"),
	load(0x32, "i64.load16_s", 2, "i64", "uint64(int64(int16(le16(p))))"),
	load(0x33, "i64.load16_u", 2, "i64", "uint64(le16(p))"),
	load(0x34, "i64.load32_s", 4, "i64", "uint64(int64(int32(le32(p))))"),
	load(0x35, "i64.load32_u", 4, "i64", "uint64(le32(p))"),
	store(0x36, "i32.store", 4, "putLE32(p, uint32(v))"),
	store(0x37, "i64.store", 8, "putLE64(p, v)"),
	store(0x38, "f32.store", 4, "putLE32(p, uint32(v))"),
	store(0x39, "f64.store", 8, "putLE64(p, v)"),
	store(0x3a, "i32.store8", 1, "*(*uint8)(p) = uint8(v)"),
	store(0x3b, "i32.store16", 2, "putLE16(p, uint16(v))"),
	store(0x3c, "i64.store8", 1, "*(*uint8)(p) = uint8(v)"),
	store(0x3d, "i64.store16", 2, "putLE16(p, uint16(v))"),
	store(0x3e, "i64.store32", 4, "putLE32(p, uint32(v))"),
	hand("memory.size", "D"),
	slow("memory.grow", "DA"),

	// i32: wasm opcode, name, expression; binImm adds the _imm form
	// (comm: a constant left operand may use it too; sub: a constant right
	// operand uses add_imm with the negated constant).
	un(0x45, "i32.eqz", "i32", "b2u(uint32(b) == 0)"),
	un(0x67, "i32.clz", "i32", "uint64(bits.LeadingZeros32(uint32(b)))"),
	un(0x68, "i32.ctz", "i32", "uint64(bits.TrailingZeros32(uint32(b)))"),
	numSlow(0x69, "i32.popcnt", "DA", "i32"),
	binImm(0x6a, "i32.add", "i32", "uint64(uint32(b + c))", comm),
	sub(0x6b, "i32.sub", "i32", "uint64(uint32(b - c))", "i32.add_imm"),
	binImm(0x6c, "i32.mul", "i32", "uint64(uint32(b) * uint32(c))", comm),
	numHand(0x6d, "i32.div_s", "DAB", "i32"),
	numHand(0x6e, "i32.div_u", "DAB", "i32"),
	numHand(0x6f, "i32.rem_s", "DAB", "i32"),
	numHand(0x70, "i32.rem_u", "DAB", "i32"),
	binImm(0x71, "i32.and", "i32", "b & c", comm),
	binImm(0x72, "i32.or", "i32", "b | c", comm),
	binImm(0x73, "i32.xor", "i32", "b ^ c", comm),
	binImm(0x74, "i32.shl", "i32", "uint64(uint32(b) << (c & 31))", 0),
	binImm(0x75, "i32.shr_s", "i32", "uint64(uint32(int32(b) >> (c & 31)))", 0),
	binImm(0x76, "i32.shr_u", "i32", "uint64(uint32(b) >> (c & 31))", 0),
	binImm(0x77, "i32.rotl", "i32", "rotl32(b, c)", 0),
	binImm(0x78, "i32.rotr", "i32", "rotr32(b, c)", 0),

	// i64.
	un(0x50, "i64.eqz", "i32", "b2u(b == 0)"),
	un(0x79, "i64.clz", "i64", "uint64(bits.LeadingZeros64(b))"),
	un(0x7a, "i64.ctz", "i64", "uint64(bits.TrailingZeros64(b))"),
	numSlow(0x7b, "i64.popcnt", "DA", "i64"),
	binImm(0x7c, "i64.add", "i64", "b + c", comm),
	sub(0x7d, "i64.sub", "i64", "b - c", "i64.add_imm"),
	binImm(0x7e, "i64.mul", "i64", "b * c", comm),
	numHand(0x7f, "i64.div_s", "DAB", "i64"),
	numHand(0x80, "i64.div_u", "DAB", "i64"),
	numHand(0x81, "i64.rem_s", "DAB", "i64"),
	numHand(0x82, "i64.rem_u", "DAB", "i64"),
	binImm(0x83, "i64.and", "i64", "b & c", comm),
	binImm(0x84, "i64.or", "i64", "b | c", comm),
	binImm(0x85, "i64.xor", "i64", "b ^ c", comm),
	binImm(0x86, "i64.shl", "i64", "b << (c & 63)", 0),
	binImm(0x87, "i64.shr_s", "i64", "uint64(int64(b) >> (c & 63))", 0),
	binImm(0x88, "i64.shr_u", "i64", "b >> (c & 63)", 0),
	binImm(0x89, "i64.rotl", "i64", "rotl64(b, c)", 0),
	binImm(0x8a, "i64.rotr", "i64", "rotr64(b, c)", 0),

	// Fused forms (superinstructions): two instructions that the counts
	// in engine/testdata/freq.md show running one after the other, as
	// one (the translator's fuse and condBranch make them). A pair whose
	// second reads the first's result through a temporary writes only
	// the second's result; the other pairs do both operations in order.
	hand("i32.add_imm2", "DAIDAI"),                    // A = B + imm; C = src2 + imm2
	hand("i32.add.add_imm", "DABDAI"),                 // A = B + C; dst2 = src2 + imm2
	hand("i32.add_imm.br_nz", "BrDAI"),                // A = B + imm; branch if A != 0
	hand("i32.add_imm.br_ne", "BrDAIC"),               // A = B + imm; branch if A != C
	hand("i32.add_imm.br_gt_u_imm", "BrDAII"),         // A = B + imm; branch if A > imm2 (unsigned)
	hand("copy.br_nz", "BrCopy"),                      // A = B; branch if C != 0
	hand("copy.br_i32_ne_imm", "BrCopyI"),             // A = B; branch if C != imm
	hand("copy.i32.load", "CopyLoad"),                 // A = B; C = [A + k] + offset
	hand("i32.load.br_nz", "BrLoad"),                  // A = [B + k] + offset; branch if A != 0: load, br_if
	hand("i32.load.br_z", "BrLoad"),                   // A = [B + k] + offset; branch if A == 0: load, if
	hand("i32.load8_u.br_nz", "BrLoad"),               // as i32.load.br_nz, a byte
	hand("i32.load8_u.br_z", "BrLoad"),                // as i32.load.br_z, a byte
	hand("i32.store.copy", "StoreCopy"),               // [A + k] + offset = B; C = A
	hand("i32.xor.mul_imm", "DABI"),                   // A = (B ^ C) * imm: xor, mul_imm
	hand("i32.xor.shl_imm", "DABI"),                   // A = (B ^ C) << imm: xor, shl_imm
	hand("i32.shr_u_imm.xor", "DABI"),                 // A = B >> imm ^ C: shr_u_imm, xor
	hand("i64.shr_u_imm.xor", "DABI"),                 // A = B >> imm ^ C: shr_u_imm, xor (hash finalisers)
	hand("i64.xor.mul_imm", "DABI"),                   // A = (B ^ C) * imm: xor, mul_imm (FNV-1a)
	hand("f64.mul.add", "DABC"),                       // A = B * C + x, rounded twice: mul, add
	hand("i32.load8_u.xor", "LoadB"),                  // A = [B + k] + offset ^ C: load8_u, xor
	hand("i32.bitfield_u", "DAII"),                    // A = (B >> imm) & imm2: shr_u_imm, and_imm
	hand("i32.mul_add", "DABC"),                       // A = B * C + x: mul, add
	hand("i32.shl_add", "DABI"),                       // A = B << imm + C: shl_imm, add
	hand("const32.br", "BrK32"),                       // A = k; br: const32, br (Go's state machines)
	hand("i32.add_imm.global.set", "GlobalSetI"),      // C = B + imm; global = C: add_imm, global.set (Go's stack pointer)
	hand("const32.copy", "DKDA"),                      // A = k; B = C: const32, copy (sequential)
	hand("i32.add_imm.and_imm", "DAII"),               // A = (B + imm) & imm2: add_imm, and_imm
	hand("i32.bitfield_u.xor_imm", "DASII"),           // A = (B >> C) & imm ^ imm2: bitfield_u, xor_imm
	hand("i32.add_imm.load8_u", "AddImmLoad"),         // C = src + imm; A = [B + k] + offset (sequential; B is not C)
	hand("i32.add_imm.load8_u_via", "AddImmLoad"),     // C = src + imm; A = [C + k] + offset (a pointer bumped, then read through)
	hand("i32.load.load8_u", "LoadLoad"),              // C = [B + k] + offset; A = [C + k2] + offset2 (a pointer loaded, then a byte through it)
	hand("i32.and.i64.load_idx_shl", "AndLoadIdxShl"), // A = B & C; then an i64.load_idx_shl (sequential: hash tables' masked probe index)

	// f32.
	bin(0x5b, "f32.eq", "i32", "b2u(f32(b) == f32(c))"),
	bin(0x5c, "f32.ne", "i32", "b2u(f32(b) != f32(c))"),
	bin(0x5d, "f32.lt", "i32", "b2u(f32(b) < f32(c))"),
	bin(0x5e, "f32.gt", "i32", "b2u(f32(b) > f32(c))"),
	bin(0x5f, "f32.le", "i32", "b2u(f32(b) <= f32(c))"),
	bin(0x60, "f32.ge", "i32", "b2u(f32(b) >= f32(c))"),
	un(0x8b, "f32.abs", "f32", "b & 0x7fffffff"),
	un(0x8c, "f32.neg", "f32", "(b ^ 0x80000000) & 0xffffffff"),
	numSlow(0x8d, "f32.ceil", "DA", "f32"),
	numSlow(0x8e, "f32.floor", "DA", "f32"),
	numSlow(0x8f, "f32.trunc", "DA", "f32"),
	numSlow(0x90, "f32.nearest", "DA", "f32"),
	numSlow(0x91, "f32.sqrt", "DA", "f32"),
	bin(0x92, "f32.add", "f32", "u32f(f32(b) + f32(c))"),
	bin(0x93, "f32.sub", "f32", "u32f(f32(b) - f32(c))"),
	bin(0x94, "f32.mul", "f32", "u32f(f32(b) * f32(c))"),
	bin(0x95, "f32.div", "f32", "u32f(f32(b) / f32(c))"),
	numSlow(0x96, "f32.min", "DAB", "f32"),
	numSlow(0x97, "f32.max", "DAB", "f32"),
	bin(0x98, "f32.copysign", "f32", "b&0x7fffffff | c&0x80000000"),

	// f64.
	bin(0x61, "f64.eq", "i32", "b2u(f64(b) == f64(c))"),
	bin(0x62, "f64.ne", "i32", "b2u(f64(b) != f64(c))"),
	bin(0x63, "f64.lt", "i32", "b2u(f64(b) < f64(c))"),
	bin(0x64, "f64.gt", "i32", "b2u(f64(b) > f64(c))"),
	bin(0x65, "f64.le", "i32", "b2u(f64(b) <= f64(c))"),
	bin(0x66, "f64.ge", "i32", "b2u(f64(b) >= f64(c))"),
	un(0x99, "f64.abs", "f64", "b & (1<<63 - 1)"),
	un(0x9a, "f64.neg", "f64", "b ^ 1<<63"),
	numSlow(0x9b, "f64.ceil", "DA", "f64"),
	numSlow(0x9c, "f64.floor", "DA", "f64"),
	numSlow(0x9d, "f64.trunc", "DA", "f64"),
	numSlow(0x9e, "f64.nearest", "DA", "f64"),
	numSlow(0x9f, "f64.sqrt", "DA", "f64"),
	bin(0xa0, "f64.add", "f64", "u64f(f64(b) + f64(c))"),
	bin(0xa1, "f64.sub", "f64", "u64f(f64(b) - f64(c))"),
	bin(0xa2, "f64.mul", "f64", "u64f(f64(b) * f64(c))"),
	bin(0xa3, "f64.div", "f64", "u64f(f64(b) / f64(c))"),
	numSlow(0xa4, "f64.min", "DAB", "f64"),
	numSlow(0xa5, "f64.max", "DAB", "f64"),
	bin(0xa6, "f64.copysign", "f64", "b&(1<<63-1) | c&(1<<63)"),

	// Conversions.
	un(0xa7, "i32.wrap_i64", "i32", "uint64(uint32(b))"),
	numSlow(0xa8, "i32.trunc_f32_s", "DA", "i32"),
	numSlow(0xa9, "i32.trunc_f32_u", "DA", "i32"),
	numSlow(0xaa, "i32.trunc_f64_s", "DA", "i32"),
	numSlow(0xab, "i32.trunc_f64_u", "DA", "i32"),
	un(0xac, "i64.extend_i32_s", "i64", "uint64(int64(int32(b)))"),
	un(0xad, "i64.extend_i32_u", "i64", "uint64(uint32(b))"),
	numSlow(0xae, "i64.trunc_f32_s", "DA", "i64"),
	numSlow(0xaf, "i64.trunc_f32_u", "DA", "i64"),
	numSlow(0xb0, "i64.trunc_f64_s", "DA", "i64"),
	numSlow(0xb1, "i64.trunc_f64_u", "DA", "i64"),
	numSlow(0xb2, "f32.convert_i32_s", "DA", "f32"),
	numSlow(0xb3, "f32.convert_i32_u", "DA", "f32"),
	numSlow(0xb4, "f32.convert_i64_s", "DA", "f32"),
	numSlow(0xb5, "f32.convert_i64_u", "DA", "f32"),
	numSlow(0xb6, "f32.demote_f64", "DA", "f32"),
	numSlow(0xb7, "f64.convert_i32_s", "DA", "f64"),
	numSlow(0xb8, "f64.convert_i32_u", "DA", "f64"),
	numSlow(0xb9, "f64.convert_i64_s", "DA", "f64"),
	numSlow(0xba, "f64.convert_i64_u", "DA", "f64"),
	numSlow(0xbb, "f64.promote_f32", "DA", "f64"),
	un(0xc0, "i32.extend8_s", "i32", "uint64(uint32(int32(int8(b))))"),
	un(0xc1, "i32.extend16_s", "i32", "uint64(uint32(int32(int16(b))))"),
	un(0xc2, "i64.extend8_s", "i64", "uint64(int64(int8(b)))"),
	un(0xc3, "i64.extend16_s", "i64", "uint64(int64(int16(b)))"),
	un(0xc4, "i64.extend32_s", "i64", "uint64(int64(int32(b)))"),
	sat(0, "i32.trunc_sat_f32_s", "i32"),
	sat(1, "i32.trunc_sat_f32_u", "i32"),
	sat(2, "i32.trunc_sat_f64_s", "i32"),
	sat(3, "i32.trunc_sat_f64_u", "i32"),
	sat(4, "i64.trunc_sat_f32_s", "i64"),
	sat(5, "i64.trunc_sat_f32_u", "i64"),
	sat(6, "i64.trunc_sat_f64_s", "i64"),
	sat(7, "i64.trunc_sat_f64_u", "i64"),

	// Bulk memory and reference types (Wasm 2.0), in machine.slow.
	slow("memory.init", "ABCX"), // [A .. A+C) = data[x][B .. B+C)
	slow("data.drop", "X"),
	slow("memory.copy", "ABCX"), // [A .. A+C) = [B .. B+C)
	slow("memory.fill", "ABCX"), // [A .. A+C) = B
	slow("table.init", "ABCX"),  // table[x>>32][A .. A+C) = elem[x&0xffffffff][B .. B+C)
	slow("elem.drop", "X"),
	slow("table.copy", "ABCX"), // table[x&0xffffffff][A .. A+C) = table[x>>32][B .. B+C)
	slow("table.grow", "DABX"), // A = grow table[x] by C cells of B
	slow("table.size", "DX"),
	slow("table.fill", "ABCX"), // table[x][A .. A+C) = B
	slow("table.get", "DAX"),
	slow("table.set", "ABX"),
	slow("ref.func", "DX"),
	slow("global.set_ref", "GlobalSet"), // global.set of a funcref global: also keeps the function reachable

	// v128 values (two cells: low half first); the SIMD operations are
	// selected by a sub-operation (see simd.go).
	hand("copy2", "DA"),
	hand("v128.const", "V128Const"),
	hand("select128", "Select"),
	hand("global.get128", "GlobalGet"),
	hand("global.set128", "GlobalSet"),
	slow("v128.load", "DAX"),       // A = load sub-op C at [B + x]
	slow("v128.store", "ABX"),      // [A + x] = B (v128)
	slow("v128.load_lane", "DABX"), // A = C with lane (x>>32)&0xff of sub-op x>>40 loaded from [B + x&0xffffffff]
	slow("v128.store_lane", "ABX"), // [A + x&0xffffffff] = lane x>>32 of B; C: sub-op
	slow("v128.shuffle", "V128Shuffle"),
	slow("v128.extract", "DAX"),  // A = lane x of B; C: sub-op
	slow("v128.replace", "DABX"), // A = B with lane x>>32 replaced by C; sub-op x&0xffff
	slow("v128.splat", "DAS"),    // A = splat of scalar B
	slow("v128.unary", "DAS"),    // A = op C of B
	slow("v128.binary", "DABX"),  // A = op x of B, C
	slow("v128.ternary", "DABX"), // A = op x>>16 of B, C, cell x&0xffff
	slow("v128.shift", "DABX"),   // A = op x of B shifted by i32 C
	slow("v128.test", "DAS"),     // A (i32) = op C of B

	// Threads: atomic memory accesses, wait and notify (see atomic.go).
	// The 0xfe sub-opcode selects the access at run time; x's low 32
	// bits are the memarg offset.
	slow("atomic.load", "DAX"),           // A = atomic load sub-op C at [B + x]
	slow("atomic.store", "ABX"),          // [A + x] = B; C: sub-op
	slow("atomic.rmw", "DABX"),           // A = [B + x&0xffffffff], which becomes it op C (sub-op x>>32)
	slow("atomic.cmpxchg", "DABX"),       // A = [B + x&0xffffffff], replaced by cell x>>32&0xffff if equal to C; sub-op x>>48
	slow("memory.atomic.wait", "DABX"),   // A = wait at [B + x&0xffffffff] while it holds C, timeout cell x>>32&0xffff; sub-op x>>48
	slow("memory.atomic.notify", "DABX"), // A = waiters woken at [B + x], at most C
	slow("atomic.fence", "None"),
)
