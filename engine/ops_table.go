package engine

import "github.com/wpi-dev/wpi/decoder"

// numericOps maps the wasm opcode of each numeric instruction (spec
// §5.4.7, 0x45-0xc4 less the reinterpretations) to its translation.
var numericOps = map[byte]numInfo{}

// satOps holds the non-trapping float-to-int conversions, 0xfc 0-7.
var satOps [8]numInfo

// cmpBranch maps integer compares to their compare-and-branch forms.
var cmpBranch = map[opcode]struct{ br, inv opcode }{}

func init() {
	un := func(wasm byte, op opcode, res decoder.ValType) {
		numericOps[wasm] = numInfo{op: op, unary: true, res: res}
	}
	bin := func(wasm byte, op opcode, res decoder.ValType) {
		numericOps[wasm] = numInfo{op: op, res: res}
	}
	type cmpRow struct {
		wasm            byte
		op, imm, mirror opcode
		br, brImm       opcode
		inv, invImm     opcode
	}
	const (
		i32, i64, f32, f64 = decoder.I32, decoder.I64, decoder.F32, decoder.F64
	)
	// Integer compares: opcode, imm form, the imm form with swapped
	// operands, branch forms, and the branch forms of the negation.
	cmps := []cmpRow{
		{0x46, opI32Eq, opI32EqImm, opI32EqImm, opBrI32Eq, opBrI32EqImm, opBrI32Ne, opBrI32NeImm},
		{0x47, opI32Ne, opI32NeImm, opI32NeImm, opBrI32Ne, opBrI32NeImm, opBrI32Eq, opBrI32EqImm},
		{0x48, opI32LtS, opI32LtSImm, opI32GtSImm, opBrI32LtS, opBrI32LtSImm, opBrI32GeS, opBrI32GeSImm},
		{0x49, opI32LtU, opI32LtUImm, opI32GtUImm, opBrI32LtU, opBrI32LtUImm, opBrI32GeU, opBrI32GeUImm},
		{0x4a, opI32GtS, opI32GtSImm, opI32LtSImm, opBrI32GtS, opBrI32GtSImm, opBrI32LeS, opBrI32LeSImm},
		{0x4b, opI32GtU, opI32GtUImm, opI32LtUImm, opBrI32GtU, opBrI32GtUImm, opBrI32LeU, opBrI32LeUImm},
		{0x4c, opI32LeS, opI32LeSImm, opI32GeSImm, opBrI32LeS, opBrI32LeSImm, opBrI32GtS, opBrI32GtSImm},
		{0x4d, opI32LeU, opI32LeUImm, opI32GeUImm, opBrI32LeU, opBrI32LeUImm, opBrI32GtU, opBrI32GtUImm},
		{0x4e, opI32GeS, opI32GeSImm, opI32LeSImm, opBrI32GeS, opBrI32GeSImm, opBrI32LtS, opBrI32LtSImm},
		{0x4f, opI32GeU, opI32GeUImm, opI32LeUImm, opBrI32GeU, opBrI32GeUImm, opBrI32LtU, opBrI32LtUImm},
		{0x51, opI64Eq, opI64EqImm, opI64EqImm, opBrI64Eq, opBrI64EqImm, opBrI64Ne, opBrI64NeImm},
		{0x52, opI64Ne, opI64NeImm, opI64NeImm, opBrI64Ne, opBrI64NeImm, opBrI64Eq, opBrI64EqImm},
		{0x53, opI64LtS, opI64LtSImm, opI64GtSImm, opBrI64LtS, opBrI64LtSImm, opBrI64GeS, opBrI64GeSImm},
		{0x54, opI64LtU, opI64LtUImm, opI64GtUImm, opBrI64LtU, opBrI64LtUImm, opBrI64GeU, opBrI64GeUImm},
		{0x55, opI64GtS, opI64GtSImm, opI64LtSImm, opBrI64GtS, opBrI64GtSImm, opBrI64LeS, opBrI64LeSImm},
		{0x56, opI64GtU, opI64GtUImm, opI64LtUImm, opBrI64GtU, opBrI64GtUImm, opBrI64LeU, opBrI64LeUImm},
		{0x57, opI64LeS, opI64LeSImm, opI64GeSImm, opBrI64LeS, opBrI64LeSImm, opBrI64GtS, opBrI64GtSImm},
		{0x58, opI64LeU, opI64LeUImm, opI64GeUImm, opBrI64LeU, opBrI64LeUImm, opBrI64GtU, opBrI64GtUImm},
		{0x59, opI64GeS, opI64GeSImm, opI64LeSImm, opBrI64GeS, opBrI64GeSImm, opBrI64LtS, opBrI64LtSImm},
		{0x5a, opI64GeU, opI64GeUImm, opI64LeUImm, opBrI64GeU, opBrI64GeUImm, opBrI64LtU, opBrI64LtUImm},
	}
	for _, r := range cmps {
		wide := r.wasm >= 0x51
		comm := r.op == opI32Eq || r.op == opI32Ne || r.op == opI64Eq || r.op == opI64Ne
		numericOps[r.wasm] = numInfo{op: r.op, imm: r.imm, mirror: r.mirror, comm: comm, wide: wide, res: i32}
		cmpBranch[r.op] = struct{ br, inv opcode }{r.br, r.inv}
		cmpBranch[r.imm] = struct{ br, inv opcode }{r.brImm, r.invImm}
	}
	un(0x45, opI32Eqz, i32)
	un(0x50, opI64Eqz, i32)
	for i, op := range []opcode{opF32Eq, opF32Ne, opF32Lt, opF32Gt, opF32Le, opF32Ge} {
		bin(0x5b+byte(i), op, i32)
	}
	for i, op := range []opcode{opF64Eq, opF64Ne, opF64Lt, opF64Gt, opF64Le, opF64Ge} {
		bin(0x61+byte(i), op, i32)
	}
	type arith struct {
		op, imm opcode
		comm    bool
		sub     bool
	}
	intOps := func(first byte, res decoder.ValType, wide bool, clz, ctz, popcnt opcode, ops []arith) {
		un(first, clz, res)
		un(first+1, ctz, res)
		un(first+2, popcnt, res)
		for i, a := range ops {
			numericOps[first+3+byte(i)] = numInfo{op: a.op, imm: a.imm, comm: a.comm, sub: a.sub, wide: wide, res: res}
		}
	}
	intOps(0x67, i32, false, opI32Clz, opI32Ctz, opI32Popcnt, []arith{
		{opI32Add, opI32AddImm, true, false}, {opI32Sub, opI32AddImm, false, true}, {opI32Mul, opI32MulImm, true, false},
		{opI32DivS, 0, false, false}, {opI32DivU, 0, false, false}, {opI32RemS, 0, false, false}, {opI32RemU, 0, false, false},
		{opI32And, opI32AndImm, true, false}, {opI32Or, opI32OrImm, true, false}, {opI32Xor, opI32XorImm, true, false},
		{opI32Shl, opI32ShlImm, false, false}, {opI32ShrS, opI32ShrSImm, false, false}, {opI32ShrU, opI32ShrUImm, false, false},
		{opI32Rotl, opI32RotlImm, false, false}, {opI32Rotr, opI32RotrImm, false, false},
	})
	intOps(0x79, i64, true, opI64Clz, opI64Ctz, opI64Popcnt, []arith{
		{opI64Add, opI64AddImm, true, false}, {opI64Sub, opI64AddImm, false, true}, {opI64Mul, opI64MulImm, true, false},
		{opI64DivS, 0, false, false}, {opI64DivU, 0, false, false}, {opI64RemS, 0, false, false}, {opI64RemU, 0, false, false},
		{opI64And, opI64AndImm, true, false}, {opI64Or, opI64OrImm, true, false}, {opI64Xor, opI64XorImm, true, false},
		{opI64Shl, opI64ShlImm, false, false}, {opI64ShrS, opI64ShrSImm, false, false}, {opI64ShrU, opI64ShrUImm, false, false},
		{opI64Rotl, opI64RotlImm, false, false}, {opI64Rotr, opI64RotrImm, false, false},
	})
	floatOps := func(first byte, res decoder.ValType, un7 []opcode, bin7 []opcode) {
		for i, op := range un7 {
			un(first+byte(i), op, res)
		}
		for i, op := range bin7 {
			bin(first+7+byte(i), op, res)
		}
	}
	floatOps(0x8b, f32,
		[]opcode{opF32Abs, opF32Neg, opF32Ceil, opF32Floor, opF32Trunc, opF32Nearest, opF32Sqrt},
		[]opcode{opF32Add, opF32Sub, opF32Mul, opF32Div, opF32Min, opF32Max, opF32Copysign})
	floatOps(0x99, f64,
		[]opcode{opF64Abs, opF64Neg, opF64Ceil, opF64Floor, opF64Trunc, opF64Nearest, opF64Sqrt},
		[]opcode{opF64Add, opF64Sub, opF64Mul, opF64Div, opF64Min, opF64Max, opF64Copysign})
	conv := []struct {
		op  opcode
		res decoder.ValType
	}{
		{opI32WrapI64, i32}, {opI32TruncF32S, i32}, {opI32TruncF32U, i32}, {opI32TruncF64S, i32}, {opI32TruncF64U, i32},
		{opI64ExtendI32S, i64}, {opI64ExtendI32U, i64}, {opI64TruncF32S, i64}, {opI64TruncF32U, i64}, {opI64TruncF64S, i64}, {opI64TruncF64U, i64},
		{opF32ConvertI32S, f32}, {opF32ConvertI32U, f32}, {opF32ConvertI64S, f32}, {opF32ConvertI64U, f32}, {opF32DemoteF64, f32},
		{opF64ConvertI32S, f64}, {opF64ConvertI32U, f64}, {opF64ConvertI64S, f64}, {opF64ConvertI64U, f64}, {opF64PromoteF32, f64},
	}
	for i, c := range conv {
		un(0xa7+byte(i), c.op, c.res)
	}
	un(0xc0, opI32Extend8S, i32)
	un(0xc1, opI32Extend16S, i32)
	un(0xc2, opI64Extend8S, i64)
	un(0xc3, opI64Extend16S, i64)
	un(0xc4, opI64Extend32S, i64)
	for i, c := range []struct {
		op  opcode
		res decoder.ValType
	}{
		{opI32TruncSatF32S, i32}, {opI32TruncSatF32U, i32}, {opI32TruncSatF64S, i32}, {opI32TruncSatF64U, i32},
		{opI64TruncSatF32S, i64}, {opI64TruncSatF32U, i64}, {opI64TruncSatF64S, i64}, {opI64TruncSatF64U, i64},
	} {
		satOps[i] = numInfo{op: c.op, unary: true, res: c.res}
	}
}
