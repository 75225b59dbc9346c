package engine

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/wpi-dev/wpi/decoder"
)

// Semantics of the fixed-width SIMD instructions of Wasm 2.0 (spec §4.3.2
// vector operations, §4.4.3 vector instructions), as pure functions on
// V128 values. The translator classifies each 0xFD sub-opcode with
// simdInfo; the interpreter loop calls the simd*Op function of its kind.
//
// Lanes are numbered in little-endian order: lane 0 of an i8x16 is the
// low byte of Lo, lane 0 of an i64x2 is Lo. Scalars travel in cell
// encoding: i32 zero-extended to 64 bits, f32/f64 as IEEE bits.
//
// Float results that are NaN are arithmetic NaNs (quiet bit set), and the
// canonical NaN whenever every NaN input is canonical (spec §4.3.3): for
// binary arithmetic a+b of the operands gives that on IEEE hardware; unary
// rounding, sqrt and the conversions quiet the input NaN explicitly.
//
// Lane indices are masked to the lane count, so an out-of-range index
// (which validation rejects) cannot panic.

// V128 is a v128 value: lanes in little-endian order, bytes 0-7 in Lo,
// 8-15 in Hi.
type V128 struct{ Lo, Hi uint64 }

// simdKind classifies a 0xFD sub-opcode by its immediates and its operand
// and result types, for the translator.
type simdKind uint8

const (
	simdLoad      simdKind = iota // memarg; v128.load, v128.loadNxM_s/u, loadN_splat, load32_zero/load64_zero (sub 0-10, 92, 93)
	simdStore                     // memarg; v128.store (11)
	simdConst                     // 16 immediate bytes (12)
	simdShuffle                   // 16 lane-index immediate bytes (13)
	simdExtract                   // lane immediate; v128 -> scalar
	simdReplace                   // lane immediate; v128, scalar -> v128
	simdSplat                     // scalar -> v128
	simdUnary                     // v128 -> v128
	simdBinary                    // v128, v128 -> v128
	simdTernary                   // v128, v128, v128 -> v128 (v128.bitselect)
	simdShift                     // v128, i32 -> v128
	simdTest                      // v128 -> i32 (any_true, all_true, bitmask)
	simdLoadLane                  // memarg + lane; v128.loadN_lane (84-87)
	simdStoreLane                 // memarg + lane; v128.storeN_lane (88-91)
)

// SIMD sub-opcodes (the u32 after the 0xFD prefix), spec §5.4.8.
const (
	simdV128Load        uint32 = 0
	simdV128Load8x8S    uint32 = 1
	simdV128Load8x8U    uint32 = 2
	simdV128Load16x4S   uint32 = 3
	simdV128Load16x4U   uint32 = 4
	simdV128Load32x2S   uint32 = 5
	simdV128Load32x2U   uint32 = 6
	simdV128Load8Splat  uint32 = 7
	simdV128Load16Splat uint32 = 8
	simdV128Load32Splat uint32 = 9
	simdV128Load64Splat uint32 = 10
	simdV128Store       uint32 = 11
	simdV128Const       uint32 = 12
	simdI8x16Shuffle    uint32 = 13
	simdI8x16Swizzle    uint32 = 14
	simdI8x16Splat      uint32 = 15
	simdI16x8Splat      uint32 = 16
	simdI32x4Splat      uint32 = 17
	simdI64x2Splat      uint32 = 18
	simdF32x4Splat      uint32 = 19
	simdF64x2Splat      uint32 = 20

	simdI8x16ExtractLaneS uint32 = 21
	simdI8x16ExtractLaneU uint32 = 22
	simdI8x16ReplaceLane  uint32 = 23
	simdI16x8ExtractLaneS uint32 = 24
	simdI16x8ExtractLaneU uint32 = 25
	simdI16x8ReplaceLane  uint32 = 26
	simdI32x4ExtractLane  uint32 = 27
	simdI32x4ReplaceLane  uint32 = 28
	simdI64x2ExtractLane  uint32 = 29
	simdI64x2ReplaceLane  uint32 = 30
	simdF32x4ExtractLane  uint32 = 31
	simdF32x4ReplaceLane  uint32 = 32
	simdF64x2ExtractLane  uint32 = 33
	simdF64x2ReplaceLane  uint32 = 34

	simdI8x16Eq  uint32 = 35
	simdI8x16Ne  uint32 = 36
	simdI8x16LtS uint32 = 37
	simdI8x16LtU uint32 = 38
	simdI8x16GtS uint32 = 39
	simdI8x16GtU uint32 = 40
	simdI8x16LeS uint32 = 41
	simdI8x16LeU uint32 = 42
	simdI8x16GeS uint32 = 43
	simdI8x16GeU uint32 = 44
	simdI16x8Eq  uint32 = 45
	simdI16x8Ne  uint32 = 46
	simdI16x8LtS uint32 = 47
	simdI16x8LtU uint32 = 48
	simdI16x8GtS uint32 = 49
	simdI16x8GtU uint32 = 50
	simdI16x8LeS uint32 = 51
	simdI16x8LeU uint32 = 52
	simdI16x8GeS uint32 = 53
	simdI16x8GeU uint32 = 54
	simdI32x4Eq  uint32 = 55
	simdI32x4Ne  uint32 = 56
	simdI32x4LtS uint32 = 57
	simdI32x4LtU uint32 = 58
	simdI32x4GtS uint32 = 59
	simdI32x4GtU uint32 = 60
	simdI32x4LeS uint32 = 61
	simdI32x4LeU uint32 = 62
	simdI32x4GeS uint32 = 63
	simdI32x4GeU uint32 = 64
	simdF32x4Eq  uint32 = 65
	simdF32x4Ne  uint32 = 66
	simdF32x4Lt  uint32 = 67
	simdF32x4Gt  uint32 = 68
	simdF32x4Le  uint32 = 69
	simdF32x4Ge  uint32 = 70
	simdF64x2Eq  uint32 = 71
	simdF64x2Ne  uint32 = 72
	simdF64x2Lt  uint32 = 73
	simdF64x2Gt  uint32 = 74
	simdF64x2Le  uint32 = 75
	simdF64x2Ge  uint32 = 76

	simdV128Not       uint32 = 77
	simdV128And       uint32 = 78
	simdV128AndNot    uint32 = 79
	simdV128Or        uint32 = 80
	simdV128Xor       uint32 = 81
	simdV128Bitselect uint32 = 82
	simdV128AnyTrue   uint32 = 83

	simdV128Load8Lane   uint32 = 84
	simdV128Load16Lane  uint32 = 85
	simdV128Load32Lane  uint32 = 86
	simdV128Load64Lane  uint32 = 87
	simdV128Store8Lane  uint32 = 88
	simdV128Store16Lane uint32 = 89
	simdV128Store32Lane uint32 = 90
	simdV128Store64Lane uint32 = 91
	simdV128Load32Zero  uint32 = 92
	simdV128Load64Zero  uint32 = 93

	simdF32x4DemoteF64x2Zero uint32 = 94
	simdF64x2PromoteLowF32x4 uint32 = 95

	simdI8x16Abs          uint32 = 96
	simdI8x16Neg          uint32 = 97
	simdI8x16Popcnt       uint32 = 98
	simdI8x16AllTrue      uint32 = 99
	simdI8x16Bitmask      uint32 = 100
	simdI8x16NarrowI16x8S uint32 = 101
	simdI8x16NarrowI16x8U uint32 = 102
	simdF32x4Ceil         uint32 = 103
	simdF32x4Floor        uint32 = 104
	simdF32x4Trunc        uint32 = 105
	simdF32x4Nearest      uint32 = 106
	simdI8x16Shl          uint32 = 107
	simdI8x16ShrS         uint32 = 108
	simdI8x16ShrU         uint32 = 109
	simdI8x16Add          uint32 = 110
	simdI8x16AddSatS      uint32 = 111
	simdI8x16AddSatU      uint32 = 112
	simdI8x16Sub          uint32 = 113
	simdI8x16SubSatS      uint32 = 114
	simdI8x16SubSatU      uint32 = 115
	simdF64x2Ceil         uint32 = 116
	simdF64x2Floor        uint32 = 117
	simdI8x16MinS         uint32 = 118
	simdI8x16MinU         uint32 = 119
	simdI8x16MaxS         uint32 = 120
	simdI8x16MaxU         uint32 = 121
	simdF64x2Trunc        uint32 = 122
	simdI8x16AvgrU        uint32 = 123

	simdI16x8ExtaddPairwiseI8x16S uint32 = 124
	simdI16x8ExtaddPairwiseI8x16U uint32 = 125
	simdI32x4ExtaddPairwiseI16x8S uint32 = 126
	simdI32x4ExtaddPairwiseI16x8U uint32 = 127

	simdI16x8Abs              uint32 = 128
	simdI16x8Neg              uint32 = 129
	simdI16x8Q15mulrSatS      uint32 = 130
	simdI16x8AllTrue          uint32 = 131
	simdI16x8Bitmask          uint32 = 132
	simdI16x8NarrowI32x4S     uint32 = 133
	simdI16x8NarrowI32x4U     uint32 = 134
	simdI16x8ExtendLowI8x16S  uint32 = 135
	simdI16x8ExtendHighI8x16S uint32 = 136
	simdI16x8ExtendLowI8x16U  uint32 = 137
	simdI16x8ExtendHighI8x16U uint32 = 138
	simdI16x8Shl              uint32 = 139
	simdI16x8ShrS             uint32 = 140
	simdI16x8ShrU             uint32 = 141
	simdI16x8Add              uint32 = 142
	simdI16x8AddSatS          uint32 = 143
	simdI16x8AddSatU          uint32 = 144
	simdI16x8Sub              uint32 = 145
	simdI16x8SubSatS          uint32 = 146
	simdI16x8SubSatU          uint32 = 147
	simdF64x2Nearest          uint32 = 148
	simdI16x8Mul              uint32 = 149
	simdI16x8MinS             uint32 = 150
	simdI16x8MinU             uint32 = 151
	simdI16x8MaxS             uint32 = 152
	simdI16x8MaxU             uint32 = 153
	simdI16x8AvgrU            uint32 = 155
	simdI16x8ExtmulLowI8x16S  uint32 = 156
	simdI16x8ExtmulHighI8x16S uint32 = 157
	simdI16x8ExtmulLowI8x16U  uint32 = 158
	simdI16x8ExtmulHighI8x16U uint32 = 159

	simdI32x4Abs              uint32 = 160
	simdI32x4Neg              uint32 = 161
	simdI32x4AllTrue          uint32 = 163
	simdI32x4Bitmask          uint32 = 164
	simdI32x4ExtendLowI16x8S  uint32 = 167
	simdI32x4ExtendHighI16x8S uint32 = 168
	simdI32x4ExtendLowI16x8U  uint32 = 169
	simdI32x4ExtendHighI16x8U uint32 = 170
	simdI32x4Shl              uint32 = 171
	simdI32x4ShrS             uint32 = 172
	simdI32x4ShrU             uint32 = 173
	simdI32x4Add              uint32 = 174
	simdI32x4Sub              uint32 = 177
	simdI32x4Mul              uint32 = 181
	simdI32x4MinS             uint32 = 182
	simdI32x4MinU             uint32 = 183
	simdI32x4MaxS             uint32 = 184
	simdI32x4MaxU             uint32 = 185
	simdI32x4DotI16x8S        uint32 = 186
	simdI32x4ExtmulLowI16x8S  uint32 = 188
	simdI32x4ExtmulHighI16x8S uint32 = 189
	simdI32x4ExtmulLowI16x8U  uint32 = 190
	simdI32x4ExtmulHighI16x8U uint32 = 191

	simdI64x2Abs              uint32 = 192
	simdI64x2Neg              uint32 = 193
	simdI64x2AllTrue          uint32 = 195
	simdI64x2Bitmask          uint32 = 196
	simdI64x2ExtendLowI32x4S  uint32 = 199
	simdI64x2ExtendHighI32x4S uint32 = 200
	simdI64x2ExtendLowI32x4U  uint32 = 201
	simdI64x2ExtendHighI32x4U uint32 = 202
	simdI64x2Shl              uint32 = 203
	simdI64x2ShrS             uint32 = 204
	simdI64x2ShrU             uint32 = 205
	simdI64x2Add              uint32 = 206
	simdI64x2Sub              uint32 = 209
	simdI64x2Mul              uint32 = 213
	simdI64x2Eq               uint32 = 214
	simdI64x2Ne               uint32 = 215
	simdI64x2LtS              uint32 = 216
	simdI64x2GtS              uint32 = 217
	simdI64x2LeS              uint32 = 218
	simdI64x2GeS              uint32 = 219
	simdI64x2ExtmulLowI32x4S  uint32 = 220
	simdI64x2ExtmulHighI32x4S uint32 = 221
	simdI64x2ExtmulLowI32x4U  uint32 = 222
	simdI64x2ExtmulHighI32x4U uint32 = 223

	simdF32x4Abs  uint32 = 224
	simdF32x4Neg  uint32 = 225
	simdF32x4Sqrt uint32 = 227
	simdF32x4Add  uint32 = 228
	simdF32x4Sub  uint32 = 229
	simdF32x4Mul  uint32 = 230
	simdF32x4Div  uint32 = 231
	simdF32x4Min  uint32 = 232
	simdF32x4Max  uint32 = 233
	simdF32x4Pmin uint32 = 234
	simdF32x4Pmax uint32 = 235
	simdF64x2Abs  uint32 = 236
	simdF64x2Neg  uint32 = 237
	simdF64x2Sqrt uint32 = 239
	simdF64x2Add  uint32 = 240
	simdF64x2Sub  uint32 = 241
	simdF64x2Mul  uint32 = 242
	simdF64x2Div  uint32 = 243
	simdF64x2Min  uint32 = 244
	simdF64x2Max  uint32 = 245
	simdF64x2Pmin uint32 = 246
	simdF64x2Pmax uint32 = 247

	simdI32x4TruncSatF32x4S     uint32 = 248
	simdI32x4TruncSatF32x4U     uint32 = 249
	simdF32x4ConvertI32x4S      uint32 = 250
	simdF32x4ConvertI32x4U      uint32 = 251
	simdI32x4TruncSatF64x2SZero uint32 = 252
	simdI32x4TruncSatF64x2UZero uint32 = 253
	simdF64x2ConvertLowI32x4S   uint32 = 254
	simdF64x2ConvertLowI32x4U   uint32 = 255
)

// simdOp describes one sub-opcode: its text-format name, kind, and the
// type of its scalar operand or result (0 when it has none besides a
// memory address).
type simdOp struct {
	name   string
	kind   simdKind
	scalar decoder.ValType
}

// simdOps is indexed by sub-opcode; unassigned sub-opcodes have no name.
var simdOps = [256]simdOp{
	simdV128Load:        {"v128.load", simdLoad, 0},
	simdV128Load8x8S:    {"v128.load8x8_s", simdLoad, 0},
	simdV128Load8x8U:    {"v128.load8x8_u", simdLoad, 0},
	simdV128Load16x4S:   {"v128.load16x4_s", simdLoad, 0},
	simdV128Load16x4U:   {"v128.load16x4_u", simdLoad, 0},
	simdV128Load32x2S:   {"v128.load32x2_s", simdLoad, 0},
	simdV128Load32x2U:   {"v128.load32x2_u", simdLoad, 0},
	simdV128Load8Splat:  {"v128.load8_splat", simdLoad, 0},
	simdV128Load16Splat: {"v128.load16_splat", simdLoad, 0},
	simdV128Load32Splat: {"v128.load32_splat", simdLoad, 0},
	simdV128Load64Splat: {"v128.load64_splat", simdLoad, 0},
	simdV128Store:       {"v128.store", simdStore, 0},
	simdV128Const:       {"v128.const", simdConst, 0},
	simdI8x16Shuffle:    {"i8x16.shuffle", simdShuffle, 0},
	simdI8x16Swizzle:    {"i8x16.swizzle", simdBinary, 0},
	simdI8x16Splat:      {"i8x16.splat", simdSplat, decoder.I32},
	simdI16x8Splat:      {"i16x8.splat", simdSplat, decoder.I32},
	simdI32x4Splat:      {"i32x4.splat", simdSplat, decoder.I32},
	simdI64x2Splat:      {"i64x2.splat", simdSplat, decoder.I64},
	simdF32x4Splat:      {"f32x4.splat", simdSplat, decoder.F32},
	simdF64x2Splat:      {"f64x2.splat", simdSplat, decoder.F64},

	simdI8x16ExtractLaneS: {"i8x16.extract_lane_s", simdExtract, decoder.I32},
	simdI8x16ExtractLaneU: {"i8x16.extract_lane_u", simdExtract, decoder.I32},
	simdI8x16ReplaceLane:  {"i8x16.replace_lane", simdReplace, decoder.I32},
	simdI16x8ExtractLaneS: {"i16x8.extract_lane_s", simdExtract, decoder.I32},
	simdI16x8ExtractLaneU: {"i16x8.extract_lane_u", simdExtract, decoder.I32},
	simdI16x8ReplaceLane:  {"i16x8.replace_lane", simdReplace, decoder.I32},
	simdI32x4ExtractLane:  {"i32x4.extract_lane", simdExtract, decoder.I32},
	simdI32x4ReplaceLane:  {"i32x4.replace_lane", simdReplace, decoder.I32},
	simdI64x2ExtractLane:  {"i64x2.extract_lane", simdExtract, decoder.I64},
	simdI64x2ReplaceLane:  {"i64x2.replace_lane", simdReplace, decoder.I64},
	simdF32x4ExtractLane:  {"f32x4.extract_lane", simdExtract, decoder.F32},
	simdF32x4ReplaceLane:  {"f32x4.replace_lane", simdReplace, decoder.F32},
	simdF64x2ExtractLane:  {"f64x2.extract_lane", simdExtract, decoder.F64},
	simdF64x2ReplaceLane:  {"f64x2.replace_lane", simdReplace, decoder.F64},

	simdI8x16Eq:  {"i8x16.eq", simdBinary, 0},
	simdI8x16Ne:  {"i8x16.ne", simdBinary, 0},
	simdI8x16LtS: {"i8x16.lt_s", simdBinary, 0},
	simdI8x16LtU: {"i8x16.lt_u", simdBinary, 0},
	simdI8x16GtS: {"i8x16.gt_s", simdBinary, 0},
	simdI8x16GtU: {"i8x16.gt_u", simdBinary, 0},
	simdI8x16LeS: {"i8x16.le_s", simdBinary, 0},
	simdI8x16LeU: {"i8x16.le_u", simdBinary, 0},
	simdI8x16GeS: {"i8x16.ge_s", simdBinary, 0},
	simdI8x16GeU: {"i8x16.ge_u", simdBinary, 0},
	simdI16x8Eq:  {"i16x8.eq", simdBinary, 0},
	simdI16x8Ne:  {"i16x8.ne", simdBinary, 0},
	simdI16x8LtS: {"i16x8.lt_s", simdBinary, 0},
	simdI16x8LtU: {"i16x8.lt_u", simdBinary, 0},
	simdI16x8GtS: {"i16x8.gt_s", simdBinary, 0},
	simdI16x8GtU: {"i16x8.gt_u", simdBinary, 0},
	simdI16x8LeS: {"i16x8.le_s", simdBinary, 0},
	simdI16x8LeU: {"i16x8.le_u", simdBinary, 0},
	simdI16x8GeS: {"i16x8.ge_s", simdBinary, 0},
	simdI16x8GeU: {"i16x8.ge_u", simdBinary, 0},
	simdI32x4Eq:  {"i32x4.eq", simdBinary, 0},
	simdI32x4Ne:  {"i32x4.ne", simdBinary, 0},
	simdI32x4LtS: {"i32x4.lt_s", simdBinary, 0},
	simdI32x4LtU: {"i32x4.lt_u", simdBinary, 0},
	simdI32x4GtS: {"i32x4.gt_s", simdBinary, 0},
	simdI32x4GtU: {"i32x4.gt_u", simdBinary, 0},
	simdI32x4LeS: {"i32x4.le_s", simdBinary, 0},
	simdI32x4LeU: {"i32x4.le_u", simdBinary, 0},
	simdI32x4GeS: {"i32x4.ge_s", simdBinary, 0},
	simdI32x4GeU: {"i32x4.ge_u", simdBinary, 0},
	simdF32x4Eq:  {"f32x4.eq", simdBinary, 0},
	simdF32x4Ne:  {"f32x4.ne", simdBinary, 0},
	simdF32x4Lt:  {"f32x4.lt", simdBinary, 0},
	simdF32x4Gt:  {"f32x4.gt", simdBinary, 0},
	simdF32x4Le:  {"f32x4.le", simdBinary, 0},
	simdF32x4Ge:  {"f32x4.ge", simdBinary, 0},
	simdF64x2Eq:  {"f64x2.eq", simdBinary, 0},
	simdF64x2Ne:  {"f64x2.ne", simdBinary, 0},
	simdF64x2Lt:  {"f64x2.lt", simdBinary, 0},
	simdF64x2Gt:  {"f64x2.gt", simdBinary, 0},
	simdF64x2Le:  {"f64x2.le", simdBinary, 0},
	simdF64x2Ge:  {"f64x2.ge", simdBinary, 0},

	simdV128Not:       {"v128.not", simdUnary, 0},
	simdV128And:       {"v128.and", simdBinary, 0},
	simdV128AndNot:    {"v128.andnot", simdBinary, 0},
	simdV128Or:        {"v128.or", simdBinary, 0},
	simdV128Xor:       {"v128.xor", simdBinary, 0},
	simdV128Bitselect: {"v128.bitselect", simdTernary, 0},
	simdV128AnyTrue:   {"v128.any_true", simdTest, decoder.I32},

	simdV128Load8Lane:   {"v128.load8_lane", simdLoadLane, 0},
	simdV128Load16Lane:  {"v128.load16_lane", simdLoadLane, 0},
	simdV128Load32Lane:  {"v128.load32_lane", simdLoadLane, 0},
	simdV128Load64Lane:  {"v128.load64_lane", simdLoadLane, 0},
	simdV128Store8Lane:  {"v128.store8_lane", simdStoreLane, 0},
	simdV128Store16Lane: {"v128.store16_lane", simdStoreLane, 0},
	simdV128Store32Lane: {"v128.store32_lane", simdStoreLane, 0},
	simdV128Store64Lane: {"v128.store64_lane", simdStoreLane, 0},
	simdV128Load32Zero:  {"v128.load32_zero", simdLoad, 0},
	simdV128Load64Zero:  {"v128.load64_zero", simdLoad, 0},

	simdF32x4DemoteF64x2Zero: {"f32x4.demote_f64x2_zero", simdUnary, 0},
	simdF64x2PromoteLowF32x4: {"f64x2.promote_low_f32x4", simdUnary, 0},

	simdI8x16Abs:          {"i8x16.abs", simdUnary, 0},
	simdI8x16Neg:          {"i8x16.neg", simdUnary, 0},
	simdI8x16Popcnt:       {"i8x16.popcnt", simdUnary, 0},
	simdI8x16AllTrue:      {"i8x16.all_true", simdTest, decoder.I32},
	simdI8x16Bitmask:      {"i8x16.bitmask", simdTest, decoder.I32},
	simdI8x16NarrowI16x8S: {"i8x16.narrow_i16x8_s", simdBinary, 0},
	simdI8x16NarrowI16x8U: {"i8x16.narrow_i16x8_u", simdBinary, 0},
	simdF32x4Ceil:         {"f32x4.ceil", simdUnary, 0},
	simdF32x4Floor:        {"f32x4.floor", simdUnary, 0},
	simdF32x4Trunc:        {"f32x4.trunc", simdUnary, 0},
	simdF32x4Nearest:      {"f32x4.nearest", simdUnary, 0},
	simdI8x16Shl:          {"i8x16.shl", simdShift, decoder.I32},
	simdI8x16ShrS:         {"i8x16.shr_s", simdShift, decoder.I32},
	simdI8x16ShrU:         {"i8x16.shr_u", simdShift, decoder.I32},
	simdI8x16Add:          {"i8x16.add", simdBinary, 0},
	simdI8x16AddSatS:      {"i8x16.add_sat_s", simdBinary, 0},
	simdI8x16AddSatU:      {"i8x16.add_sat_u", simdBinary, 0},
	simdI8x16Sub:          {"i8x16.sub", simdBinary, 0},
	simdI8x16SubSatS:      {"i8x16.sub_sat_s", simdBinary, 0},
	simdI8x16SubSatU:      {"i8x16.sub_sat_u", simdBinary, 0},
	simdF64x2Ceil:         {"f64x2.ceil", simdUnary, 0},
	simdF64x2Floor:        {"f64x2.floor", simdUnary, 0},
	simdI8x16MinS:         {"i8x16.min_s", simdBinary, 0},
	simdI8x16MinU:         {"i8x16.min_u", simdBinary, 0},
	simdI8x16MaxS:         {"i8x16.max_s", simdBinary, 0},
	simdI8x16MaxU:         {"i8x16.max_u", simdBinary, 0},
	simdF64x2Trunc:        {"f64x2.trunc", simdUnary, 0},
	simdI8x16AvgrU:        {"i8x16.avgr_u", simdBinary, 0},

	simdI16x8ExtaddPairwiseI8x16S: {"i16x8.extadd_pairwise_i8x16_s", simdUnary, 0},
	simdI16x8ExtaddPairwiseI8x16U: {"i16x8.extadd_pairwise_i8x16_u", simdUnary, 0},
	simdI32x4ExtaddPairwiseI16x8S: {"i32x4.extadd_pairwise_i16x8_s", simdUnary, 0},
	simdI32x4ExtaddPairwiseI16x8U: {"i32x4.extadd_pairwise_i16x8_u", simdUnary, 0},

	simdI16x8Abs:              {"i16x8.abs", simdUnary, 0},
	simdI16x8Neg:              {"i16x8.neg", simdUnary, 0},
	simdI16x8Q15mulrSatS:      {"i16x8.q15mulr_sat_s", simdBinary, 0},
	simdI16x8AllTrue:          {"i16x8.all_true", simdTest, decoder.I32},
	simdI16x8Bitmask:          {"i16x8.bitmask", simdTest, decoder.I32},
	simdI16x8NarrowI32x4S:     {"i16x8.narrow_i32x4_s", simdBinary, 0},
	simdI16x8NarrowI32x4U:     {"i16x8.narrow_i32x4_u", simdBinary, 0},
	simdI16x8ExtendLowI8x16S:  {"i16x8.extend_low_i8x16_s", simdUnary, 0},
	simdI16x8ExtendHighI8x16S: {"i16x8.extend_high_i8x16_s", simdUnary, 0},
	simdI16x8ExtendLowI8x16U:  {"i16x8.extend_low_i8x16_u", simdUnary, 0},
	simdI16x8ExtendHighI8x16U: {"i16x8.extend_high_i8x16_u", simdUnary, 0},
	simdI16x8Shl:              {"i16x8.shl", simdShift, decoder.I32},
	simdI16x8ShrS:             {"i16x8.shr_s", simdShift, decoder.I32},
	simdI16x8ShrU:             {"i16x8.shr_u", simdShift, decoder.I32},
	simdI16x8Add:              {"i16x8.add", simdBinary, 0},
	simdI16x8AddSatS:          {"i16x8.add_sat_s", simdBinary, 0},
	simdI16x8AddSatU:          {"i16x8.add_sat_u", simdBinary, 0},
	simdI16x8Sub:              {"i16x8.sub", simdBinary, 0},
	simdI16x8SubSatS:          {"i16x8.sub_sat_s", simdBinary, 0},
	simdI16x8SubSatU:          {"i16x8.sub_sat_u", simdBinary, 0},
	simdF64x2Nearest:          {"f64x2.nearest", simdUnary, 0},
	simdI16x8Mul:              {"i16x8.mul", simdBinary, 0},
	simdI16x8MinS:             {"i16x8.min_s", simdBinary, 0},
	simdI16x8MinU:             {"i16x8.min_u", simdBinary, 0},
	simdI16x8MaxS:             {"i16x8.max_s", simdBinary, 0},
	simdI16x8MaxU:             {"i16x8.max_u", simdBinary, 0},
	simdI16x8AvgrU:            {"i16x8.avgr_u", simdBinary, 0},
	simdI16x8ExtmulLowI8x16S:  {"i16x8.extmul_low_i8x16_s", simdBinary, 0},
	simdI16x8ExtmulHighI8x16S: {"i16x8.extmul_high_i8x16_s", simdBinary, 0},
	simdI16x8ExtmulLowI8x16U:  {"i16x8.extmul_low_i8x16_u", simdBinary, 0},
	simdI16x8ExtmulHighI8x16U: {"i16x8.extmul_high_i8x16_u", simdBinary, 0},

	simdI32x4Abs:              {"i32x4.abs", simdUnary, 0},
	simdI32x4Neg:              {"i32x4.neg", simdUnary, 0},
	simdI32x4AllTrue:          {"i32x4.all_true", simdTest, decoder.I32},
	simdI32x4Bitmask:          {"i32x4.bitmask", simdTest, decoder.I32},
	simdI32x4ExtendLowI16x8S:  {"i32x4.extend_low_i16x8_s", simdUnary, 0},
	simdI32x4ExtendHighI16x8S: {"i32x4.extend_high_i16x8_s", simdUnary, 0},
	simdI32x4ExtendLowI16x8U:  {"i32x4.extend_low_i16x8_u", simdUnary, 0},
	simdI32x4ExtendHighI16x8U: {"i32x4.extend_high_i16x8_u", simdUnary, 0},
	simdI32x4Shl:              {"i32x4.shl", simdShift, decoder.I32},
	simdI32x4ShrS:             {"i32x4.shr_s", simdShift, decoder.I32},
	simdI32x4ShrU:             {"i32x4.shr_u", simdShift, decoder.I32},
	simdI32x4Add:              {"i32x4.add", simdBinary, 0},
	simdI32x4Sub:              {"i32x4.sub", simdBinary, 0},
	simdI32x4Mul:              {"i32x4.mul", simdBinary, 0},
	simdI32x4MinS:             {"i32x4.min_s", simdBinary, 0},
	simdI32x4MinU:             {"i32x4.min_u", simdBinary, 0},
	simdI32x4MaxS:             {"i32x4.max_s", simdBinary, 0},
	simdI32x4MaxU:             {"i32x4.max_u", simdBinary, 0},
	simdI32x4DotI16x8S:        {"i32x4.dot_i16x8_s", simdBinary, 0},
	simdI32x4ExtmulLowI16x8S:  {"i32x4.extmul_low_i16x8_s", simdBinary, 0},
	simdI32x4ExtmulHighI16x8S: {"i32x4.extmul_high_i16x8_s", simdBinary, 0},
	simdI32x4ExtmulLowI16x8U:  {"i32x4.extmul_low_i16x8_u", simdBinary, 0},
	simdI32x4ExtmulHighI16x8U: {"i32x4.extmul_high_i16x8_u", simdBinary, 0},

	simdI64x2Abs:              {"i64x2.abs", simdUnary, 0},
	simdI64x2Neg:              {"i64x2.neg", simdUnary, 0},
	simdI64x2AllTrue:          {"i64x2.all_true", simdTest, decoder.I32},
	simdI64x2Bitmask:          {"i64x2.bitmask", simdTest, decoder.I32},
	simdI64x2ExtendLowI32x4S:  {"i64x2.extend_low_i32x4_s", simdUnary, 0},
	simdI64x2ExtendHighI32x4S: {"i64x2.extend_high_i32x4_s", simdUnary, 0},
	simdI64x2ExtendLowI32x4U:  {"i64x2.extend_low_i32x4_u", simdUnary, 0},
	simdI64x2ExtendHighI32x4U: {"i64x2.extend_high_i32x4_u", simdUnary, 0},
	simdI64x2Shl:              {"i64x2.shl", simdShift, decoder.I32},
	simdI64x2ShrS:             {"i64x2.shr_s", simdShift, decoder.I32},
	simdI64x2ShrU:             {"i64x2.shr_u", simdShift, decoder.I32},
	simdI64x2Add:              {"i64x2.add", simdBinary, 0},
	simdI64x2Sub:              {"i64x2.sub", simdBinary, 0},
	simdI64x2Mul:              {"i64x2.mul", simdBinary, 0},
	simdI64x2Eq:               {"i64x2.eq", simdBinary, 0},
	simdI64x2Ne:               {"i64x2.ne", simdBinary, 0},
	simdI64x2LtS:              {"i64x2.lt_s", simdBinary, 0},
	simdI64x2GtS:              {"i64x2.gt_s", simdBinary, 0},
	simdI64x2LeS:              {"i64x2.le_s", simdBinary, 0},
	simdI64x2GeS:              {"i64x2.ge_s", simdBinary, 0},
	simdI64x2ExtmulLowI32x4S:  {"i64x2.extmul_low_i32x4_s", simdBinary, 0},
	simdI64x2ExtmulHighI32x4S: {"i64x2.extmul_high_i32x4_s", simdBinary, 0},
	simdI64x2ExtmulLowI32x4U:  {"i64x2.extmul_low_i32x4_u", simdBinary, 0},
	simdI64x2ExtmulHighI32x4U: {"i64x2.extmul_high_i32x4_u", simdBinary, 0},

	simdF32x4Abs:  {"f32x4.abs", simdUnary, 0},
	simdF32x4Neg:  {"f32x4.neg", simdUnary, 0},
	simdF32x4Sqrt: {"f32x4.sqrt", simdUnary, 0},
	simdF32x4Add:  {"f32x4.add", simdBinary, 0},
	simdF32x4Sub:  {"f32x4.sub", simdBinary, 0},
	simdF32x4Mul:  {"f32x4.mul", simdBinary, 0},
	simdF32x4Div:  {"f32x4.div", simdBinary, 0},
	simdF32x4Min:  {"f32x4.min", simdBinary, 0},
	simdF32x4Max:  {"f32x4.max", simdBinary, 0},
	simdF32x4Pmin: {"f32x4.pmin", simdBinary, 0},
	simdF32x4Pmax: {"f32x4.pmax", simdBinary, 0},
	simdF64x2Abs:  {"f64x2.abs", simdUnary, 0},
	simdF64x2Neg:  {"f64x2.neg", simdUnary, 0},
	simdF64x2Sqrt: {"f64x2.sqrt", simdUnary, 0},
	simdF64x2Add:  {"f64x2.add", simdBinary, 0},
	simdF64x2Sub:  {"f64x2.sub", simdBinary, 0},
	simdF64x2Mul:  {"f64x2.mul", simdBinary, 0},
	simdF64x2Div:  {"f64x2.div", simdBinary, 0},
	simdF64x2Min:  {"f64x2.min", simdBinary, 0},
	simdF64x2Max:  {"f64x2.max", simdBinary, 0},
	simdF64x2Pmin: {"f64x2.pmin", simdBinary, 0},
	simdF64x2Pmax: {"f64x2.pmax", simdBinary, 0},

	simdI32x4TruncSatF32x4S:     {"i32x4.trunc_sat_f32x4_s", simdUnary, 0},
	simdI32x4TruncSatF32x4U:     {"i32x4.trunc_sat_f32x4_u", simdUnary, 0},
	simdF32x4ConvertI32x4S:      {"f32x4.convert_i32x4_s", simdUnary, 0},
	simdF32x4ConvertI32x4U:      {"f32x4.convert_i32x4_u", simdUnary, 0},
	simdI32x4TruncSatF64x2SZero: {"i32x4.trunc_sat_f64x2_s_zero", simdUnary, 0},
	simdI32x4TruncSatF64x2UZero: {"i32x4.trunc_sat_f64x2_u_zero", simdUnary, 0},
	simdF64x2ConvertLowI32x4S:   {"f64x2.convert_low_i32x4_s", simdUnary, 0},
	simdF64x2ConvertLowI32x4U:   {"f64x2.convert_low_i32x4_u", simdUnary, 0},
}

// simdInfo returns the kind of sub-opcode sub and, for scalar operands and
// results, the scalar value type: the type extracted, replaced or splatted,
// decoder.I32 for shift counts and for the result of the test kind, and 0
// otherwise (the address operand of memory instructions is not reported).
// ok is false for sub-opcodes that Wasm 2.0 does not define.
func simdInfo(sub uint32) (kind simdKind, scalar decoder.ValType, ok bool) {
	if sub >= uint32(len(simdOps)) || simdOps[sub].name == "" {
		return 0, 0, false
	}
	op := &simdOps[sub]
	return op.kind, op.scalar, true
}

// simdName returns the text-format name of sub-opcode sub, or "" if Wasm
// 2.0 does not define it.
func simdName(sub uint32) string {
	if sub >= uint32(len(simdOps)) {
		return ""
	}
	return simdOps[sub].name
}

// Lane views. The arrays are values: converting costs a few shifts and
// nothing escapes.

func (v V128) u8() (r [16]uint8) {
	binary.LittleEndian.PutUint64(r[:8], v.Lo)
	binary.LittleEndian.PutUint64(r[8:], v.Hi)
	return r
}

func fromU8(r [16]uint8) V128 {
	return V128{binary.LittleEndian.Uint64(r[:8]), binary.LittleEndian.Uint64(r[8:])}
}

func (v V128) u16() [8]uint16 {
	return [8]uint16{
		uint16(v.Lo), uint16(v.Lo >> 16), uint16(v.Lo >> 32), uint16(v.Lo >> 48),
		uint16(v.Hi), uint16(v.Hi >> 16), uint16(v.Hi >> 32), uint16(v.Hi >> 48),
	}
}

func fromU16(r [8]uint16) V128 {
	return V128{
		uint64(r[0]) | uint64(r[1])<<16 | uint64(r[2])<<32 | uint64(r[3])<<48,
		uint64(r[4]) | uint64(r[5])<<16 | uint64(r[6])<<32 | uint64(r[7])<<48,
	}
}

func (v V128) u32() [4]uint32 {
	return [4]uint32{uint32(v.Lo), uint32(v.Lo >> 32), uint32(v.Hi), uint32(v.Hi >> 32)}
}

func fromU32(r [4]uint32) V128 {
	return V128{uint64(r[0]) | uint64(r[1])<<32, uint64(r[2]) | uint64(r[3])<<32}
}

// Lane-wise maps for 64-bit lanes; narrower lanes loop over arrays.

func map64(a V128, f func(x uint64) uint64) V128 { return V128{f(a.Lo), f(a.Hi)} }

func zip64(a, b V128, f func(x, y uint64) uint64) V128 {
	return V128{f(a.Lo, b.Lo), f(a.Hi, b.Hi)}
}

// Comparison results: all ones for true, zero for false.

func mask8(c bool) uint8 {
	if c {
		return math.MaxUint8
	}
	return 0
}

func mask16(c bool) uint16 {
	if c {
		return math.MaxUint16
	}
	return 0
}

func mask32(c bool) uint32 {
	if c {
		return math.MaxUint32
	}
	return 0
}

func mask64(c bool) uint64 {
	if c {
		return math.MaxUint64
	}
	return 0
}

// Saturation of a wide signed intermediate to a lane.

func satS8(x int32) uint8 {
	return uint8(int8(min(max(x, math.MinInt8), math.MaxInt8)))
}

func satU8(x int32) uint8 { return uint8(min(max(x, 0), math.MaxUint8)) }

func satS16(x int32) uint16 {
	return uint16(int16(min(max(x, math.MinInt16), math.MaxInt16)))
}

func satU16(x int32) uint16 { return uint16(min(max(x, 0), math.MaxUint16)) }

// SWAR add and subtract for 8-, 16- and 32-bit lanes: add the lanes
// without their top bits (no carry can cross a lane), then fix the top
// bits with an exclusive or. h has the top bit of every lane set.

const (
	simdHi8  = 0x8080808080808080
	simdHi16 = 0x8000800080008000
	simdHi32 = 0x8000000080000000
)

func swarAdd(a, b, h uint64) uint64 { return ((a &^ h) + (b &^ h)) ^ ((a ^ b) & h) }

func swarSub(a, b, h uint64) uint64 { return ((a | h) - (b &^ h)) ^ ((a ^ ^b) & h) }

// Float lanes.

const (
	simdSign32  = 1 << 31
	simdSign64  = 1 << 63
	simdQuiet32 = 1 << 22
	simdQuiet64 = 1 << 51
)

func f32of(x uint32) float32    { return math.Float32frombits(x) }
func bitsOf32(f float32) uint32 { return math.Float32bits(f) }
func f64of(x uint64) float64    { return math.Float64frombits(x) }

// fminBits32 is f32 min on bits: a NaN if either operand is one, and -0
// below +0. Equal non-NaN operands have equal bits except for zeros of
// opposite signs, where or-ing the bits gives -0.
func fminBits32(x, y uint32) uint32 {
	a, b := f32of(x), f32of(y)
	switch {
	case a != a || b != b:
		return bitsOf32(a + b)
	case a < b:
		return x
	case b < a:
		return y
	}
	return x | y
}

// fmaxBits32 is f32 max on bits; for equal operands and-ing the bits gives
// +0 from zeros of opposite signs.
func fmaxBits32(x, y uint32) uint32 {
	a, b := f32of(x), f32of(y)
	switch {
	case a != a || b != b:
		return bitsOf32(a + b)
	case a > b:
		return x
	case b > a:
		return y
	}
	return x & y
}

func fminBits64(x, y uint64) uint64 {
	a, b := f64of(x), f64of(y)
	switch {
	case a != a || b != b:
		return math.Float64bits(a + b)
	case a < b:
		return x
	case b < a:
		return y
	}
	return x | y
}

func fmaxBits64(x, y uint64) uint64 {
	a, b := f64of(x), f64of(y)
	switch {
	case a != a || b != b:
		return math.Float64bits(a + b)
	case a > b:
		return x
	case b > a:
		return y
	}
	return x & y
}

// round32 applies an integral rounding function to an f32 lane. Computing
// in float64 is exact: the result is an integer or the input itself. A
// NaN comes back quieted.
func round32(x uint32, f func(float64) float64) uint32 {
	a := f32of(x)
	if a != a {
		return x | simdQuiet32
	}
	return bitsOf32(float32(f(float64(a))))
}

func round64(x uint64, f func(float64) float64) uint64 {
	a := f64of(x)
	if a != a {
		return x | simdQuiet64
	}
	return math.Float64bits(f(a))
}

func sqrtBits32(x uint32) uint32 {
	// math.Sqrt on the widened value, rounded to f32, is correctly
	// rounded: float64 has more than 2*24+2 bits of precision.
	return round32(x, math.Sqrt)
}

// truncSat32S and friends convert a float (an f32 widened exactly, or an
// f64) to an integer lane, truncating, saturating and sending NaN to 0.

func truncSat32S(x float64) uint32 {
	switch {
	case x != x:
		return 0
	case x <= math.MinInt32:
		return 1 << 31
	case x >= math.MaxInt32:
		return math.MaxInt32
	}
	return uint32(int32(x))
}

func truncSat32U(x float64) uint32 {
	switch {
	case x != x || x <= 0:
		return 0
	case x >= math.MaxUint32:
		return math.MaxUint32
	}
	return uint32(x)
}

// demoteBits converts an f64 lane to f32 rounding to nearest; a NaN keeps
// its sign and the top of its payload and comes back quiet, so a canonical
// NaN stays canonical.
func demoteBits(x uint64) uint32 {
	a := f64of(x)
	if a != a {
		return uint32(x>>32)&simdSign32 | 0x7f800000 | simdQuiet32 | uint32(x>>29)&(simdQuiet32-1)
	}
	return bitsOf32(float32(a))
}

// promoteBits converts an f32 lane to f64 exactly; a NaN comes back quiet
// with its payload in the top payload bits.
func promoteBits(x uint32) uint64 {
	a := f32of(x)
	if a != a {
		return uint64(x&simdSign32)<<32 | 0x7ff0000000000000 | simdQuiet64 | uint64(x&(simdQuiet32-1))<<29
	}
	return math.Float64bits(float64(a))
}

// simdUnaryOp evaluates a unary v128 -> v128 sub-opcode (kind simdUnary).
func simdUnaryOp(sub uint32, a V128) V128 {
	switch sub {
	case simdV128Not:
		return V128{^a.Lo, ^a.Hi}

	case simdI8x16Abs:
		x := a.u8()
		for i, l := range x {
			if int8(l) < 0 {
				x[i] = -l
			}
		}
		return fromU8(x)
	case simdI8x16Neg:
		x := a.u8()
		for i := range x {
			x[i] = -x[i]
		}
		return fromU8(x)
	case simdI8x16Popcnt:
		x := a.u8()
		for i := range x {
			x[i] = uint8(bits.OnesCount8(x[i]))
		}
		return fromU8(x)
	case simdI16x8Abs:
		x := a.u16()
		for i, l := range x {
			if int16(l) < 0 {
				x[i] = -l
			}
		}
		return fromU16(x)
	case simdI16x8Neg:
		x := a.u16()
		for i := range x {
			x[i] = -x[i]
		}
		return fromU16(x)
	case simdI32x4Abs:
		x := a.u32()
		for i, l := range x {
			if int32(l) < 0 {
				x[i] = -l
			}
		}
		return fromU32(x)
	case simdI32x4Neg:
		x := a.u32()
		for i := range x {
			x[i] = -x[i]
		}
		return fromU32(x)
	case simdI64x2Abs:
		return map64(a, func(x uint64) uint64 {
			if int64(x) < 0 {
				return -x
			}
			return x
		})
	case simdI64x2Neg:
		return V128{-a.Lo, -a.Hi}

	case simdI16x8ExtaddPairwiseI8x16S:
		x := a.u8()
		var r [8]uint16
		for i := range r {
			r[i] = uint16(int16(int8(x[2*i])) + int16(int8(x[2*i+1])))
		}
		return fromU16(r)
	case simdI16x8ExtaddPairwiseI8x16U:
		x := a.u8()
		var r [8]uint16
		for i := range r {
			r[i] = uint16(x[2*i]) + uint16(x[2*i+1])
		}
		return fromU16(r)
	case simdI32x4ExtaddPairwiseI16x8S:
		x := a.u16()
		var r [4]uint32
		for i := range r {
			r[i] = uint32(int32(int16(x[2*i])) + int32(int16(x[2*i+1])))
		}
		return fromU32(r)
	case simdI32x4ExtaddPairwiseI16x8U:
		x := a.u16()
		var r [4]uint32
		for i := range r {
			r[i] = uint32(x[2*i]) + uint32(x[2*i+1])
		}
		return fromU32(r)

	case simdI16x8ExtendLowI8x16S, simdI16x8ExtendHighI8x16S:
		x := a.u8()
		base := 0
		if sub == simdI16x8ExtendHighI8x16S {
			base = 8
		}
		var r [8]uint16
		for i := range r {
			r[i] = uint16(int16(int8(x[base+i])))
		}
		return fromU16(r)
	case simdI16x8ExtendLowI8x16U, simdI16x8ExtendHighI8x16U:
		x := a.u8()
		base := 0
		if sub == simdI16x8ExtendHighI8x16U {
			base = 8
		}
		var r [8]uint16
		for i := range r {
			r[i] = uint16(x[base+i])
		}
		return fromU16(r)
	case simdI32x4ExtendLowI16x8S, simdI32x4ExtendHighI16x8S:
		x := a.u16()
		base := 0
		if sub == simdI32x4ExtendHighI16x8S {
			base = 4
		}
		var r [4]uint32
		for i := range r {
			r[i] = uint32(int32(int16(x[base+i])))
		}
		return fromU32(r)
	case simdI32x4ExtendLowI16x8U, simdI32x4ExtendHighI16x8U:
		x := a.u16()
		base := 0
		if sub == simdI32x4ExtendHighI16x8U {
			base = 4
		}
		var r [4]uint32
		for i := range r {
			r[i] = uint32(x[base+i])
		}
		return fromU32(r)
	case simdI64x2ExtendLowI32x4S:
		return V128{uint64(int64(int32(a.Lo))), uint64(int64(int32(a.Lo >> 32)))}
	case simdI64x2ExtendHighI32x4S:
		return V128{uint64(int64(int32(a.Hi))), uint64(int64(int32(a.Hi >> 32)))}
	case simdI64x2ExtendLowI32x4U:
		return V128{a.Lo & math.MaxUint32, a.Lo >> 32}
	case simdI64x2ExtendHighI32x4U:
		return V128{a.Hi & math.MaxUint32, a.Hi >> 32}

	case simdF32x4Abs:
		const m = simdSign32<<32 | simdSign32
		return V128{a.Lo &^ m, a.Hi &^ m}
	case simdF32x4Neg:
		const m = simdSign32<<32 | simdSign32
		return V128{a.Lo ^ m, a.Hi ^ m}
	case simdF32x4Sqrt:
		x := a.u32()
		for i := range x {
			x[i] = sqrtBits32(x[i])
		}
		return fromU32(x)
	case simdF32x4Ceil:
		x := a.u32()
		for i := range x {
			x[i] = round32(x[i], math.Ceil)
		}
		return fromU32(x)
	case simdF32x4Floor:
		x := a.u32()
		for i := range x {
			x[i] = round32(x[i], math.Floor)
		}
		return fromU32(x)
	case simdF32x4Trunc:
		x := a.u32()
		for i := range x {
			x[i] = round32(x[i], math.Trunc)
		}
		return fromU32(x)
	case simdF32x4Nearest:
		x := a.u32()
		for i := range x {
			x[i] = round32(x[i], math.RoundToEven)
		}
		return fromU32(x)
	case simdF64x2Abs:
		return V128{a.Lo &^ simdSign64, a.Hi &^ simdSign64}
	case simdF64x2Neg:
		return V128{a.Lo ^ simdSign64, a.Hi ^ simdSign64}
	case simdF64x2Sqrt:
		return map64(a, func(x uint64) uint64 { return round64(x, math.Sqrt) })
	case simdF64x2Ceil:
		return map64(a, func(x uint64) uint64 { return round64(x, math.Ceil) })
	case simdF64x2Floor:
		return map64(a, func(x uint64) uint64 { return round64(x, math.Floor) })
	case simdF64x2Trunc:
		return map64(a, func(x uint64) uint64 { return round64(x, math.Trunc) })
	case simdF64x2Nearest:
		return map64(a, func(x uint64) uint64 { return round64(x, math.RoundToEven) })

	case simdI32x4TruncSatF32x4S:
		x := a.u32()
		for i := range x {
			x[i] = truncSat32S(float64(f32of(x[i])))
		}
		return fromU32(x)
	case simdI32x4TruncSatF32x4U:
		x := a.u32()
		for i := range x {
			x[i] = truncSat32U(float64(f32of(x[i])))
		}
		return fromU32(x)
	case simdF32x4ConvertI32x4S:
		x := a.u32()
		for i := range x {
			x[i] = bitsOf32(float32(int32(x[i])))
		}
		return fromU32(x)
	case simdF32x4ConvertI32x4U:
		x := a.u32()
		for i := range x {
			x[i] = bitsOf32(float32(x[i]))
		}
		return fromU32(x)
	case simdI32x4TruncSatF64x2SZero:
		return V128{uint64(truncSat32S(f64of(a.Lo))) | uint64(truncSat32S(f64of(a.Hi)))<<32, 0}
	case simdI32x4TruncSatF64x2UZero:
		return V128{uint64(truncSat32U(f64of(a.Lo))) | uint64(truncSat32U(f64of(a.Hi)))<<32, 0}
	case simdF64x2ConvertLowI32x4S:
		return V128{math.Float64bits(float64(int32(a.Lo))), math.Float64bits(float64(int32(a.Lo >> 32)))}
	case simdF64x2ConvertLowI32x4U:
		return V128{math.Float64bits(float64(uint32(a.Lo))), math.Float64bits(float64(uint32(a.Lo >> 32)))}
	case simdF32x4DemoteF64x2Zero:
		return V128{uint64(demoteBits(a.Lo)) | uint64(demoteBits(a.Hi))<<32, 0}
	case simdF64x2PromoteLowF32x4:
		return V128{promoteBits(uint32(a.Lo)), promoteBits(uint32(a.Lo >> 32))}
	}
	panic("engine: not a unary SIMD sub-opcode")
}

// simdBinaryOp evaluates a binary v128, v128 -> v128 sub-opcode (kind
// simdBinary); a is the first (deeper) operand.
func simdBinaryOp(sub uint32, a, b V128) V128 {
	switch sub {
	case simdV128And:
		return V128{a.Lo & b.Lo, a.Hi & b.Hi}
	case simdV128AndNot:
		return V128{a.Lo &^ b.Lo, a.Hi &^ b.Hi}
	case simdV128Or:
		return V128{a.Lo | b.Lo, a.Hi | b.Hi}
	case simdV128Xor:
		return V128{a.Lo ^ b.Lo, a.Hi ^ b.Hi}

	case simdI8x16Swizzle:
		x, idx := a.u8(), b.u8()
		var r [16]uint8
		for i, j := range idx {
			if j < 16 {
				r[i] = x[j]
			}
		}
		return fromU8(r)

	// Integer comparisons.
	case simdI8x16Eq:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = mask8(x[i] == y[i])
		}
		return fromU8(x)
	case simdI8x16Ne:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = mask8(x[i] != y[i])
		}
		return fromU8(x)
	case simdI8x16LtS:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = mask8(int8(x[i]) < int8(y[i]))
		}
		return fromU8(x)
	case simdI8x16LtU:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = mask8(x[i] < y[i])
		}
		return fromU8(x)
	case simdI8x16GtS:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = mask8(int8(x[i]) > int8(y[i]))
		}
		return fromU8(x)
	case simdI8x16GtU:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = mask8(x[i] > y[i])
		}
		return fromU8(x)
	case simdI8x16LeS:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = mask8(int8(x[i]) <= int8(y[i]))
		}
		return fromU8(x)
	case simdI8x16LeU:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = mask8(x[i] <= y[i])
		}
		return fromU8(x)
	case simdI8x16GeS:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = mask8(int8(x[i]) >= int8(y[i]))
		}
		return fromU8(x)
	case simdI8x16GeU:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = mask8(x[i] >= y[i])
		}
		return fromU8(x)
	case simdI16x8Eq:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = mask16(x[i] == y[i])
		}
		return fromU16(x)
	case simdI16x8Ne:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = mask16(x[i] != y[i])
		}
		return fromU16(x)
	case simdI16x8LtS:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = mask16(int16(x[i]) < int16(y[i]))
		}
		return fromU16(x)
	case simdI16x8LtU:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = mask16(x[i] < y[i])
		}
		return fromU16(x)
	case simdI16x8GtS:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = mask16(int16(x[i]) > int16(y[i]))
		}
		return fromU16(x)
	case simdI16x8GtU:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = mask16(x[i] > y[i])
		}
		return fromU16(x)
	case simdI16x8LeS:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = mask16(int16(x[i]) <= int16(y[i]))
		}
		return fromU16(x)
	case simdI16x8LeU:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = mask16(x[i] <= y[i])
		}
		return fromU16(x)
	case simdI16x8GeS:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = mask16(int16(x[i]) >= int16(y[i]))
		}
		return fromU16(x)
	case simdI16x8GeU:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = mask16(x[i] >= y[i])
		}
		return fromU16(x)
	case simdI32x4Eq:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(x[i] == y[i])
		}
		return fromU32(x)
	case simdI32x4Ne:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(x[i] != y[i])
		}
		return fromU32(x)
	case simdI32x4LtS:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(int32(x[i]) < int32(y[i]))
		}
		return fromU32(x)
	case simdI32x4LtU:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(x[i] < y[i])
		}
		return fromU32(x)
	case simdI32x4GtS:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(int32(x[i]) > int32(y[i]))
		}
		return fromU32(x)
	case simdI32x4GtU:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(x[i] > y[i])
		}
		return fromU32(x)
	case simdI32x4LeS:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(int32(x[i]) <= int32(y[i]))
		}
		return fromU32(x)
	case simdI32x4LeU:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(x[i] <= y[i])
		}
		return fromU32(x)
	case simdI32x4GeS:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(int32(x[i]) >= int32(y[i]))
		}
		return fromU32(x)
	case simdI32x4GeU:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(x[i] >= y[i])
		}
		return fromU32(x)
	case simdI64x2Eq:
		return zip64(a, b, func(x, y uint64) uint64 { return mask64(x == y) })
	case simdI64x2Ne:
		return zip64(a, b, func(x, y uint64) uint64 { return mask64(x != y) })
	case simdI64x2LtS:
		return zip64(a, b, func(x, y uint64) uint64 { return mask64(int64(x) < int64(y)) })
	case simdI64x2GtS:
		return zip64(a, b, func(x, y uint64) uint64 { return mask64(int64(x) > int64(y)) })
	case simdI64x2LeS:
		return zip64(a, b, func(x, y uint64) uint64 { return mask64(int64(x) <= int64(y)) })
	case simdI64x2GeS:
		return zip64(a, b, func(x, y uint64) uint64 { return mask64(int64(x) >= int64(y)) })

	// Float comparisons: IEEE, so every comparison but ne is false on NaN.
	case simdF32x4Eq:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(f32of(x[i]) == f32of(y[i]))
		}
		return fromU32(x)
	case simdF32x4Ne:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(f32of(x[i]) != f32of(y[i]))
		}
		return fromU32(x)
	case simdF32x4Lt:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(f32of(x[i]) < f32of(y[i]))
		}
		return fromU32(x)
	case simdF32x4Gt:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(f32of(x[i]) > f32of(y[i]))
		}
		return fromU32(x)
	case simdF32x4Le:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(f32of(x[i]) <= f32of(y[i]))
		}
		return fromU32(x)
	case simdF32x4Ge:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = mask32(f32of(x[i]) >= f32of(y[i]))
		}
		return fromU32(x)
	case simdF64x2Eq:
		return zip64(a, b, func(x, y uint64) uint64 { return mask64(f64of(x) == f64of(y)) })
	case simdF64x2Ne:
		return zip64(a, b, func(x, y uint64) uint64 { return mask64(f64of(x) != f64of(y)) })
	case simdF64x2Lt:
		return zip64(a, b, func(x, y uint64) uint64 { return mask64(f64of(x) < f64of(y)) })
	case simdF64x2Gt:
		return zip64(a, b, func(x, y uint64) uint64 { return mask64(f64of(x) > f64of(y)) })
	case simdF64x2Le:
		return zip64(a, b, func(x, y uint64) uint64 { return mask64(f64of(x) <= f64of(y)) })
	case simdF64x2Ge:
		return zip64(a, b, func(x, y uint64) uint64 { return mask64(f64of(x) >= f64of(y)) })

	// Wrapping add, subtract, multiply.
	case simdI8x16Add:
		return V128{swarAdd(a.Lo, b.Lo, simdHi8), swarAdd(a.Hi, b.Hi, simdHi8)}
	case simdI8x16Sub:
		return V128{swarSub(a.Lo, b.Lo, simdHi8), swarSub(a.Hi, b.Hi, simdHi8)}
	case simdI16x8Add:
		return V128{swarAdd(a.Lo, b.Lo, simdHi16), swarAdd(a.Hi, b.Hi, simdHi16)}
	case simdI16x8Sub:
		return V128{swarSub(a.Lo, b.Lo, simdHi16), swarSub(a.Hi, b.Hi, simdHi16)}
	case simdI32x4Add:
		return V128{swarAdd(a.Lo, b.Lo, simdHi32), swarAdd(a.Hi, b.Hi, simdHi32)}
	case simdI32x4Sub:
		return V128{swarSub(a.Lo, b.Lo, simdHi32), swarSub(a.Hi, b.Hi, simdHi32)}
	case simdI64x2Add:
		return V128{a.Lo + b.Lo, a.Hi + b.Hi}
	case simdI64x2Sub:
		return V128{a.Lo - b.Lo, a.Hi - b.Hi}
	case simdI16x8Mul:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = x[i] * y[i]
		}
		return fromU16(x)
	case simdI32x4Mul:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = x[i] * y[i]
		}
		return fromU32(x)
	case simdI64x2Mul:
		return V128{a.Lo * b.Lo, a.Hi * b.Hi}

	// Saturating add and subtract.
	case simdI8x16AddSatS:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = satS8(int32(int8(x[i])) + int32(int8(y[i])))
		}
		return fromU8(x)
	case simdI8x16AddSatU:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = satU8(int32(x[i]) + int32(y[i]))
		}
		return fromU8(x)
	case simdI8x16SubSatS:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = satS8(int32(int8(x[i])) - int32(int8(y[i])))
		}
		return fromU8(x)
	case simdI8x16SubSatU:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = satU8(int32(x[i]) - int32(y[i]))
		}
		return fromU8(x)
	case simdI16x8AddSatS:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = satS16(int32(int16(x[i])) + int32(int16(y[i])))
		}
		return fromU16(x)
	case simdI16x8AddSatU:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = satU16(int32(x[i]) + int32(y[i]))
		}
		return fromU16(x)
	case simdI16x8SubSatS:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = satS16(int32(int16(x[i])) - int32(int16(y[i])))
		}
		return fromU16(x)
	case simdI16x8SubSatU:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = satU16(int32(x[i]) - int32(y[i]))
		}
		return fromU16(x)

	// Integer min, max, rounding average.
	case simdI8x16MinS:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = uint8(min(int8(x[i]), int8(y[i])))
		}
		return fromU8(x)
	case simdI8x16MinU:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = min(x[i], y[i])
		}
		return fromU8(x)
	case simdI8x16MaxS:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = uint8(max(int8(x[i]), int8(y[i])))
		}
		return fromU8(x)
	case simdI8x16MaxU:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = max(x[i], y[i])
		}
		return fromU8(x)
	case simdI16x8MinS:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = uint16(min(int16(x[i]), int16(y[i])))
		}
		return fromU16(x)
	case simdI16x8MinU:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = min(x[i], y[i])
		}
		return fromU16(x)
	case simdI16x8MaxS:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = uint16(max(int16(x[i]), int16(y[i])))
		}
		return fromU16(x)
	case simdI16x8MaxU:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = max(x[i], y[i])
		}
		return fromU16(x)
	case simdI32x4MinS:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = uint32(min(int32(x[i]), int32(y[i])))
		}
		return fromU32(x)
	case simdI32x4MinU:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = min(x[i], y[i])
		}
		return fromU32(x)
	case simdI32x4MaxS:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = uint32(max(int32(x[i]), int32(y[i])))
		}
		return fromU32(x)
	case simdI32x4MaxU:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = max(x[i], y[i])
		}
		return fromU32(x)
	case simdI8x16AvgrU:
		x, y := a.u8(), b.u8()
		for i := range x {
			x[i] = uint8((uint32(x[i]) + uint32(y[i]) + 1) >> 1)
		}
		return fromU8(x)
	case simdI16x8AvgrU:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = uint16((uint32(x[i]) + uint32(y[i]) + 1) >> 1)
		}
		return fromU16(x)

	// Narrowing: a's lanes fill the low half of the result, b's the high
	// half, each saturated.
	case simdI8x16NarrowI16x8S:
		x, y := a.u16(), b.u16()
		var r [16]uint8
		for i := range 8 {
			r[i] = satS8(int32(int16(x[i])))
			r[i+8] = satS8(int32(int16(y[i])))
		}
		return fromU8(r)
	case simdI8x16NarrowI16x8U:
		x, y := a.u16(), b.u16()
		var r [16]uint8
		for i := range 8 {
			r[i] = satU8(int32(int16(x[i])))
			r[i+8] = satU8(int32(int16(y[i])))
		}
		return fromU8(r)
	case simdI16x8NarrowI32x4S:
		x, y := a.u32(), b.u32()
		var r [8]uint16
		for i := range 4 {
			r[i] = satS16(int32(x[i]))
			r[i+4] = satS16(int32(y[i]))
		}
		return fromU16(r)
	case simdI16x8NarrowI32x4U:
		x, y := a.u32(), b.u32()
		var r [8]uint16
		for i := range 4 {
			r[i] = satU16(int32(x[i]))
			r[i+4] = satU16(int32(y[i]))
		}
		return fromU16(r)

	case simdI16x8Q15mulrSatS:
		x, y := a.u16(), b.u16()
		for i := range x {
			x[i] = satS16((int32(int16(x[i]))*int32(int16(y[i])) + 1<<14) >> 15)
		}
		return fromU16(x)
	case simdI32x4DotI16x8S:
		x, y := a.u16(), b.u16()
		var r [4]uint32
		for i := range r {
			// Wraps only for -32768*-32768 twice, as the spec's
			// modular addition does.
			r[i] = uint32(int32(int16(x[2*i]))*int32(int16(y[2*i])) + int32(int16(x[2*i+1]))*int32(int16(y[2*i+1])))
		}
		return fromU32(r)

	// Extending multiplications: the low or high half of the lanes,
	// widened, multiplied into lanes of twice the width (no overflow).
	case simdI16x8ExtmulLowI8x16S, simdI16x8ExtmulHighI8x16S:
		x, y := a.u8(), b.u8()
		base := 0
		if sub == simdI16x8ExtmulHighI8x16S {
			base = 8
		}
		var r [8]uint16
		for i := range r {
			r[i] = uint16(int16(int8(x[base+i])) * int16(int8(y[base+i])))
		}
		return fromU16(r)
	case simdI16x8ExtmulLowI8x16U, simdI16x8ExtmulHighI8x16U:
		x, y := a.u8(), b.u8()
		base := 0
		if sub == simdI16x8ExtmulHighI8x16U {
			base = 8
		}
		var r [8]uint16
		for i := range r {
			r[i] = uint16(x[base+i]) * uint16(y[base+i])
		}
		return fromU16(r)
	case simdI32x4ExtmulLowI16x8S, simdI32x4ExtmulHighI16x8S:
		x, y := a.u16(), b.u16()
		base := 0
		if sub == simdI32x4ExtmulHighI16x8S {
			base = 4
		}
		var r [4]uint32
		for i := range r {
			r[i] = uint32(int32(int16(x[base+i])) * int32(int16(y[base+i])))
		}
		return fromU32(r)
	case simdI32x4ExtmulLowI16x8U, simdI32x4ExtmulHighI16x8U:
		x, y := a.u16(), b.u16()
		base := 0
		if sub == simdI32x4ExtmulHighI16x8U {
			base = 4
		}
		var r [4]uint32
		for i := range r {
			r[i] = uint32(x[base+i]) * uint32(y[base+i])
		}
		return fromU32(r)
	case simdI64x2ExtmulLowI32x4S:
		return V128{uint64(int64(int32(a.Lo)) * int64(int32(b.Lo))), uint64(int64(int32(a.Lo>>32)) * int64(int32(b.Lo>>32)))}
	case simdI64x2ExtmulHighI32x4S:
		return V128{uint64(int64(int32(a.Hi)) * int64(int32(b.Hi))), uint64(int64(int32(a.Hi>>32)) * int64(int32(b.Hi>>32)))}
	case simdI64x2ExtmulLowI32x4U:
		return V128{(a.Lo & math.MaxUint32) * (b.Lo & math.MaxUint32), (a.Lo >> 32) * (b.Lo >> 32)}
	case simdI64x2ExtmulHighI32x4U:
		return V128{(a.Hi & math.MaxUint32) * (b.Hi & math.MaxUint32), (a.Hi >> 32) * (b.Hi >> 32)}

	// Float arithmetic. Each lane is computed in its own precision (no
	// double rounding); a NaN operand propagates quieted through a+b.
	case simdF32x4Add:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = bitsOf32(f32of(x[i]) + f32of(y[i]))
		}
		return fromU32(x)
	case simdF32x4Sub:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = bitsOf32(f32of(x[i]) - f32of(y[i]))
		}
		return fromU32(x)
	case simdF32x4Mul:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = bitsOf32(f32of(x[i]) * f32of(y[i]))
		}
		return fromU32(x)
	case simdF32x4Div:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = bitsOf32(f32of(x[i]) / f32of(y[i]))
		}
		return fromU32(x)
	case simdF32x4Min:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = fminBits32(x[i], y[i])
		}
		return fromU32(x)
	case simdF32x4Max:
		x, y := a.u32(), b.u32()
		for i := range x {
			x[i] = fmaxBits32(x[i], y[i])
		}
		return fromU32(x)
	case simdF32x4Pmin:
		x, y := a.u32(), b.u32()
		for i := range x {
			if f32of(y[i]) < f32of(x[i]) {
				x[i] = y[i]
			}
		}
		return fromU32(x)
	case simdF32x4Pmax:
		x, y := a.u32(), b.u32()
		for i := range x {
			if f32of(x[i]) < f32of(y[i]) {
				x[i] = y[i]
			}
		}
		return fromU32(x)
	case simdF64x2Add:
		return zip64(a, b, func(x, y uint64) uint64 { return math.Float64bits(f64of(x) + f64of(y)) })
	case simdF64x2Sub:
		return zip64(a, b, func(x, y uint64) uint64 { return math.Float64bits(f64of(x) - f64of(y)) })
	case simdF64x2Mul:
		return zip64(a, b, func(x, y uint64) uint64 { return math.Float64bits(f64of(x) * f64of(y)) })
	case simdF64x2Div:
		return zip64(a, b, func(x, y uint64) uint64 { return math.Float64bits(f64of(x) / f64of(y)) })
	case simdF64x2Min:
		return zip64(a, b, fminBits64)
	case simdF64x2Max:
		return zip64(a, b, fmaxBits64)
	case simdF64x2Pmin:
		return zip64(a, b, func(x, y uint64) uint64 {
			if f64of(y) < f64of(x) {
				return y
			}
			return x
		})
	case simdF64x2Pmax:
		return zip64(a, b, func(x, y uint64) uint64 {
			if f64of(x) < f64of(y) {
				return y
			}
			return x
		})
	}
	panic("engine: not a binary SIMD sub-opcode")
}

// simdTernaryOp evaluates v128.bitselect(a, b, c): the bits of a where c
// is 1, of b where c is 0.
func simdTernaryOp(sub uint32, a, b, c V128) V128 {
	if sub != simdV128Bitselect {
		panic("engine: not a ternary SIMD sub-opcode")
	}
	return V128{a.Lo&c.Lo | b.Lo&^c.Lo, a.Hi&c.Hi | b.Hi&^c.Hi}
}

// simdShiftOp shifts every lane of a by s modulo the lane width.
func simdShiftOp(sub uint32, a V128, s uint32) V128 {
	switch sub {
	case simdI8x16Shl:
		s &= 7
		m := uint64(uint8(0xff<<s)) * 0x0101010101010101
		return V128{a.Lo << s & m, a.Hi << s & m}
	case simdI8x16ShrU:
		s &= 7
		m := uint64(0xff>>s) * 0x0101010101010101
		return V128{a.Lo >> s & m, a.Hi >> s & m}
	case simdI8x16ShrS:
		s &= 7
		x := a.u8()
		for i := range x {
			x[i] = uint8(int8(x[i]) >> s)
		}
		return fromU8(x)
	case simdI16x8Shl:
		s &= 15
		m := uint64(uint16(0xffff<<s)) * 0x0001000100010001
		return V128{a.Lo << s & m, a.Hi << s & m}
	case simdI16x8ShrU:
		s &= 15
		m := uint64(0xffff>>s) * 0x0001000100010001
		return V128{a.Lo >> s & m, a.Hi >> s & m}
	case simdI16x8ShrS:
		s &= 15
		x := a.u16()
		for i := range x {
			x[i] = uint16(int16(x[i]) >> s)
		}
		return fromU16(x)
	case simdI32x4Shl:
		s &= 31
		m := uint64(uint32(0xffffffff<<s)) * 0x0000000100000001
		return V128{a.Lo << s & m, a.Hi << s & m}
	case simdI32x4ShrU:
		s &= 31
		m := uint64(0xffffffff>>s) * 0x0000000100000001
		return V128{a.Lo >> s & m, a.Hi >> s & m}
	case simdI32x4ShrS:
		s &= 31
		x := a.u32()
		for i := range x {
			x[i] = uint32(int32(x[i]) >> s)
		}
		return fromU32(x)
	case simdI64x2Shl:
		s &= 63
		return V128{a.Lo << s, a.Hi << s}
	case simdI64x2ShrU:
		s &= 63
		return V128{a.Lo >> s, a.Hi >> s}
	case simdI64x2ShrS:
		s &= 63
		return V128{uint64(int64(a.Lo) >> s), uint64(int64(a.Hi) >> s)}
	}
	panic("engine: not a SIMD shift sub-opcode")
}

// simdTestOp evaluates a v128 -> i32 sub-opcode (kind simdTest).
func simdTestOp(sub uint32, a V128) uint32 {
	switch sub {
	case simdV128AnyTrue:
		return b2u32(a.Lo|a.Hi != 0)
	case simdI8x16AllTrue:
		x := a.u8()
		for _, l := range x {
			if l == 0 {
				return 0
			}
		}
		return 1
	case simdI16x8AllTrue:
		x := a.u16()
		for _, l := range x {
			if l == 0 {
				return 0
			}
		}
		return 1
	case simdI32x4AllTrue:
		x := a.u32()
		for _, l := range x {
			if l == 0 {
				return 0
			}
		}
		return 1
	case simdI64x2AllTrue:
		return b2u32(a.Lo != 0 && a.Hi != 0)
	case simdI8x16Bitmask:
		var r uint32
		for i := range 8 {
			r |= uint32(a.Lo>>(8*i+7)&1) << i
			r |= uint32(a.Hi>>(8*i+7)&1) << (i + 8)
		}
		return r
	case simdI16x8Bitmask:
		var r uint32
		for i := range 4 {
			r |= uint32(a.Lo>>(16*i+15)&1) << i
			r |= uint32(a.Hi>>(16*i+15)&1) << (i + 4)
		}
		return r
	case simdI32x4Bitmask:
		return uint32(a.Lo>>31&1 | a.Lo>>63<<1 | a.Hi>>31&1<<2 | a.Hi>>63<<3)
	case simdI64x2Bitmask:
		return uint32(a.Lo>>63 | a.Hi>>63<<1)
	}
	panic("engine: not a SIMD test sub-opcode")
}

func b2u32(c bool) uint32 {
	if c {
		return 1
	}
	return 0
}

// simdSplatOp builds a v128 with every lane equal to the scalar x (cell
// encoding; only the low bits of the lane width are used).
func simdSplatOp(sub uint32, x uint64) V128 {
	var l uint64
	switch sub {
	case simdI8x16Splat:
		l = uint64(uint8(x)) * 0x0101010101010101
	case simdI16x8Splat:
		l = uint64(uint16(x)) * 0x0001000100010001
	case simdI32x4Splat, simdF32x4Splat:
		l = uint64(uint32(x)) * 0x0000000100000001
	case simdI64x2Splat, simdF64x2Splat:
		l = x
	default:
		panic("engine: not a SIMD splat sub-opcode")
	}
	return V128{l, l}
}

// half returns the 64-bit half of a holding byte lane i (0-15) and the
// bit offset of that byte within it.
func (v V128) half(i byte) (uint64, uint) {
	i &= 15
	if i < 8 {
		return v.Lo, uint(i) * 8
	}
	return v.Hi, uint(i-8) * 8
}

// simdExtractOp returns lane of a in cell encoding: i8 and i16 lanes
// sign- or zero-extended to i32, and i32/f32 results zero-extended to 64
// bits.
func simdExtractOp(sub uint32, a V128, lane byte) uint64 {
	switch sub {
	case simdI8x16ExtractLaneS:
		h, sh := a.half(lane)
		return uint64(uint32(int32(int8(h >> sh))))
	case simdI8x16ExtractLaneU:
		h, sh := a.half(lane)
		return uint64(uint8(h >> sh))
	case simdI16x8ExtractLaneS:
		h, sh := a.half(lane * 2)
		return uint64(uint32(int32(int16(h >> sh))))
	case simdI16x8ExtractLaneU:
		h, sh := a.half(lane * 2)
		return uint64(uint16(h >> sh))
	case simdI32x4ExtractLane, simdF32x4ExtractLane:
		h, sh := a.half(lane * 4)
		return uint64(uint32(h >> sh))
	case simdI64x2ExtractLane, simdF64x2ExtractLane:
		if lane&1 == 0 {
			return a.Lo
		}
		return a.Hi
	}
	panic("engine: not a SIMD extract_lane sub-opcode")
}

// simdReplaceOp returns a with lane replaced by the low bits of the scalar
// x (cell encoding).
func simdReplaceOp(sub uint32, a V128, lane byte, x uint64) V128 {
	var width, i uint
	switch sub {
	case simdI8x16ReplaceLane:
		width, i = 8, uint(lane&15)
	case simdI16x8ReplaceLane:
		width, i = 16, uint(lane&7)
	case simdI32x4ReplaceLane, simdF32x4ReplaceLane:
		width, i = 32, uint(lane&3)
	case simdI64x2ReplaceLane, simdF64x2ReplaceLane:
		if lane&1 == 0 {
			a.Lo = x
		} else {
			a.Hi = x
		}
		return a
	default:
		panic("engine: not a SIMD replace_lane sub-opcode")
	}
	return replaceBits(a, width, i, x)
}

// replaceBits replaces lane i of width bits (8, 16 or 32) with the low
// bits of x.
func replaceBits(a V128, width, i uint, x uint64) V128 {
	m := uint64(1)<<width - 1
	sh := i * width % 64
	if i*width < 64 {
		a.Lo = a.Lo&^(m<<sh) | (x&m)<<sh
	} else {
		a.Hi = a.Hi&^(m<<sh) | (x&m)<<sh
	}
	return a
}

// simdShuffleOp is i8x16.shuffle: lane i of the result is byte lanes[i]
// of the 32-byte concatenation a, b (indices are masked to 0-31).
func simdShuffleOp(a, b V128, lanes *[16]byte) V128 {
	x, y := a.u8(), b.u8()
	var r [16]uint8
	for i, j := range lanes {
		j &= 31
		if j < 16 {
			r[i] = x[j]
		} else {
			r[i] = y[j-16]
		}
	}
	return fromU8(r)
}

// simdLoadSize returns the number of bytes a memory sub-opcode accesses:
// read by a load or load_lane, written by a store or store_lane. It is 0
// for other sub-opcodes.
func simdLoadSize(sub uint32) int {
	switch sub {
	case simdV128Load, simdV128Store:
		return 16
	case simdV128Load8x8S, simdV128Load8x8U, simdV128Load16x4S, simdV128Load16x4U,
		simdV128Load32x2S, simdV128Load32x2U, simdV128Load64Splat, simdV128Load64Zero,
		simdV128Load64Lane, simdV128Store64Lane:
		return 8
	case simdV128Load32Splat, simdV128Load32Zero, simdV128Load32Lane, simdV128Store32Lane:
		return 4
	case simdV128Load16Splat, simdV128Load16Lane, simdV128Store16Lane:
		return 2
	case simdV128Load8Splat, simdV128Load8Lane, simdV128Store8Lane:
		return 1
	}
	return 0
}

// simdLoadOp builds the v128 that a load sub-opcode (kind simdLoad)
// produces from mem, the simdLoadSize(sub) bytes read at the effective
// address.
func simdLoadOp(sub uint32, mem []byte) V128 {
	switch sub {
	case simdV128Load:
		_ = mem[15]
		return V128{binary.LittleEndian.Uint64(mem), binary.LittleEndian.Uint64(mem[8:])}
	case simdV128Load8x8S:
		_ = mem[7]
		var r [8]uint16
		for i := range r {
			r[i] = uint16(int16(int8(mem[i])))
		}
		return fromU16(r)
	case simdV128Load8x8U:
		_ = mem[7]
		var r [8]uint16
		for i := range r {
			r[i] = uint16(mem[i])
		}
		return fromU16(r)
	case simdV128Load16x4S:
		_ = mem[7]
		var r [4]uint32
		for i := range r {
			r[i] = uint32(int32(int16(binary.LittleEndian.Uint16(mem[2*i:]))))
		}
		return fromU32(r)
	case simdV128Load16x4U:
		_ = mem[7]
		var r [4]uint32
		for i := range r {
			r[i] = uint32(binary.LittleEndian.Uint16(mem[2*i:]))
		}
		return fromU32(r)
	case simdV128Load32x2S:
		return V128{uint64(int64(int32(binary.LittleEndian.Uint32(mem)))), uint64(int64(int32(binary.LittleEndian.Uint32(mem[4:]))))}
	case simdV128Load32x2U:
		return V128{uint64(binary.LittleEndian.Uint32(mem)), uint64(binary.LittleEndian.Uint32(mem[4:]))}
	case simdV128Load8Splat:
		return simdSplatOp(simdI8x16Splat, uint64(mem[0]))
	case simdV128Load16Splat:
		return simdSplatOp(simdI16x8Splat, uint64(binary.LittleEndian.Uint16(mem)))
	case simdV128Load32Splat:
		return simdSplatOp(simdI32x4Splat, uint64(binary.LittleEndian.Uint32(mem)))
	case simdV128Load64Splat:
		return simdSplatOp(simdI64x2Splat, binary.LittleEndian.Uint64(mem))
	case simdV128Load32Zero:
		return V128{uint64(binary.LittleEndian.Uint32(mem)), 0}
	case simdV128Load64Zero:
		return V128{binary.LittleEndian.Uint64(mem), 0}
	}
	panic("engine: not a SIMD load sub-opcode")
}

// simdLoadLaneOp is v128.loadN_lane: v with lane replaced by the
// simdLoadSize(sub) bytes of mem.
func simdLoadLaneOp(sub uint32, v V128, lane byte, mem []byte) V128 {
	switch sub {
	case simdV128Load8Lane:
		return replaceBits(v, 8, uint(lane&15), uint64(mem[0]))
	case simdV128Load16Lane:
		return replaceBits(v, 16, uint(lane&7), uint64(binary.LittleEndian.Uint16(mem)))
	case simdV128Load32Lane:
		return replaceBits(v, 32, uint(lane&3), uint64(binary.LittleEndian.Uint32(mem)))
	case simdV128Load64Lane:
		return simdReplaceOp(simdI64x2ReplaceLane, v, lane, binary.LittleEndian.Uint64(mem))
	}
	panic("engine: not a SIMD load_lane sub-opcode")
}

// simdStoreLaneOp is v128.storeN_lane: it writes lane of v to the
// simdLoadSize(sub) bytes of mem. For v128.store (lane ignored) it writes
// all of v.
func simdStoreLaneOp(sub uint32, v V128, lane byte, mem []byte) {
	switch sub {
	case simdV128Store8Lane:
		mem[0] = uint8(simdExtractOp(simdI8x16ExtractLaneU, v, lane))
	case simdV128Store16Lane:
		binary.LittleEndian.PutUint16(mem, uint16(simdExtractOp(simdI16x8ExtractLaneU, v, lane)))
	case simdV128Store32Lane:
		binary.LittleEndian.PutUint32(mem, uint32(simdExtractOp(simdI32x4ExtractLane, v, lane)))
	case simdV128Store64Lane:
		binary.LittleEndian.PutUint64(mem, simdExtractOp(simdI64x2ExtractLane, v, lane))
	case simdV128Store:
		_ = mem[15]
		binary.LittleEndian.PutUint64(mem, v.Lo)
		binary.LittleEndian.PutUint64(mem[8:], v.Hi)
	default:
		panic("engine: not a SIMD store_lane sub-opcode")
	}
}
