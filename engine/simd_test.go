package engine

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"
	"github.com/wpi-dev/wpi/decoder"
)

// Lane constructors for test values.

func v8s(l ...int) V128 {
	var r [16]uint8
	for i, x := range l {
		r[i] = uint8(x)
	}
	return fromU8(r)
}

func v16s(l ...int) V128 {
	var r [8]uint16
	for i, x := range l {
		r[i] = uint16(x)
	}
	return fromU16(r)
}

func v32s(l ...int64) V128 {
	var r [4]uint32
	for i, x := range l {
		r[i] = uint32(x)
	}
	return fromU32(r)
}

func v64s(lo, hi int64) V128 { return V128{uint64(lo), uint64(hi)} }

func vf32s(l ...float32) V128 {
	var r [4]uint32
	for i, x := range l {
		r[i] = math.Float32bits(x)
	}
	return fromU32(r)
}

func vf32bits(l ...uint32) V128 { return fromU32([4]uint32(l)) }

func vf64s(lo, hi float64) V128 { return V128{math.Float64bits(lo), math.Float64bits(hi)} }

func splat8(x int) V128 { return simdSplatOp(simdI8x16Splat, uint64(uint8(x))) }

const (
	nan32  = 0x7fc00000 // canonical
	snan32 = 0x7fa00000 // signalling, payload 0x200000
	nan64  = 0x7ff8000000000000
)

var (
	inf32    = float32(math.Inf(1))
	nZero    = math.Float32frombits(1 << 31)
	negZero6 = math.Float64frombits(1 << 63)
)

func TestSIMDInfo(t *testing.T) {
	n := 0
	names := map[string]uint32{}
	for sub := range uint32(300) {
		kind, scalar, ok := simdInfo(sub)
		if !ok {
			if simdName(sub) != "" {
				t.Errorf("sub %d: named %q but not ok", sub, simdName(sub))
			}
			continue
		}
		n++
		name := simdName(sub)
		if prev, dup := names[name]; dup {
			t.Errorf("sub %d and %d both named %q", prev, sub, name)
		}
		names[name] = sub
		switch kind {
		case simdExtract, simdReplace, simdSplat, simdShift, simdTest:
			if scalar == 0 {
				t.Errorf("%s: no scalar type", name)
			}
		default:
			if scalar != 0 {
				t.Errorf("%s: unexpected scalar type %v", name, scalar)
			}
		}
		if kind == simdLoad || kind == simdStore || kind == simdLoadLane || kind == simdStoreLane {
			if simdLoadSize(sub) == 0 {
				t.Errorf("%s: memory access without a size", name)
			}
		} else if simdLoadSize(sub) != 0 {
			t.Errorf("%s: size %d for a non-memory instruction", name, simdLoadSize(sub))
		}
	}
	if n != 236 {
		t.Errorf("%d sub-opcodes defined, want 236", n)
	}
	type info struct {
		Kind   simdKind
		Scalar decoder.ValType
		OK     bool
	}
	for _, tc := range []struct {
		sub  uint32
		want info
	}{
		{0, info{simdLoad, 0, true}},
		{11, info{simdStore, 0, true}},
		{12, info{simdConst, 0, true}},
		{13, info{simdShuffle, 0, true}},
		{14, info{simdBinary, 0, true}},
		{18, info{simdSplat, decoder.I64, true}},
		{21, info{simdExtract, decoder.I32, true}},
		{29, info{simdExtract, decoder.I64, true}},
		{32, info{simdReplace, decoder.F32, true}},
		{33, info{simdExtract, decoder.F64, true}},
		{82, info{simdTernary, 0, true}},
		{83, info{simdTest, decoder.I32, true}},
		{86, info{simdLoadLane, 0, true}},
		{91, info{simdStoreLane, 0, true}},
		{93, info{simdLoad, 0, true}},
		{107, info{simdShift, decoder.I32, true}},
		{110, info{simdBinary, 0, true}},
		{154, info{}},
		{162, info{}},
		{255, info{simdUnary, 0, true}},
		{256, info{}},
		{1 << 31, info{}},
	} {
		k, s, ok := simdInfo(tc.sub)
		if diff := cmp.Diff(tc.want, info{k, s, ok}); diff != "" {
			t.Errorf("simdInfo(%d) (-want +got):\n%s", tc.sub, diff)
		}
	}
}

func TestSIMDUnary(t *testing.T) {
	for _, tc := range []struct {
		sub     uint32
		a, want V128
	}{
		{simdV128Not, V128{0, 0xff}, V128{math.MaxUint64, ^uint64(0xff)}},
		{simdI8x16Abs, v8s(-128, -1, 1, 0, 127), v8s(-128, 1, 1, 0, 127)},
		{simdI8x16Neg, v8s(-128, -1, 1, 0, 127), v8s(-128, 1, -1, 0, -127)},
		{simdI8x16Popcnt, v8s(0xff, 0x81, 0, 7), v8s(8, 2, 0, 3)},
		{simdI16x8Abs, v16s(-32768, -5), v16s(-32768, 5)},
		{simdI32x4Neg, v32s(math.MinInt32, 1), v32s(math.MinInt32, -1)},
		{simdI64x2Abs, v64s(math.MinInt64, -3), v64s(math.MinInt64, 3)},
		{simdI16x8ExtaddPairwiseI8x16S, v8s(-128, -128, 127, 127, -1, 1), v16s(-256, 254, 0)},
		{simdI16x8ExtaddPairwiseI8x16U, v8s(255, 255, 1, 2), v16s(510, 3)},
		{simdI32x4ExtaddPairwiseI16x8S, v16s(-32768, -32768, 5, -6), v32s(-65536, -1)},
		{simdI32x4ExtaddPairwiseI16x8U, v16s(0xffff, 0xffff), v32s(0x1fffe)},
		{simdI16x8ExtendLowI8x16S, v8s(-1, 2, 0, 0, 0, 0, 0, -128, 9), v16s(-1, 2, 0, 0, 0, 0, 0, -128)},
		{simdI16x8ExtendHighI8x16U, v8s(0, 0, 0, 0, 0, 0, 0, 0, 0xff, 1), v16s(255, 1)},
		{simdI32x4ExtendHighI16x8S, v16s(0, 0, 0, 0, -2, 3), v32s(-2, 3)},
		{simdI64x2ExtendLowI32x4S, v32s(-7, 8, 9), v64s(-7, 8)},
		{simdI64x2ExtendHighI32x4U, v32s(0, 0, -1, 2), v64s(0xffffffff, 2)},
		{simdF32x4Abs, vf32bits(1<<31, snan32|1<<31, 0x3f800000|1<<31, 0), vf32bits(0, snan32, 0x3f800000, 0)},
		{simdF64x2Neg, vf64s(0, math.Inf(-1)), vf64s(negZero6, math.Inf(1))},
		{simdF32x4Sqrt, vf32s(4, -1, 2, inf32), vf32bits(0x40000000, nan32|1<<31, math.Float32bits(float32(math.Sqrt2)), 0x7f800000)},
		// A signalling NaN comes back quiet with its payload.
		{simdF32x4Ceil, vf32bits(snan32, math.Float32bits(-0.5), math.Float32bits(1.25), nan32), vf32bits(snan32|1<<22, 1<<31, 0x40000000, nan32)},
		{simdF32x4Floor, vf32s(-0.5, 1.5, nZero, 8388609), vf32s(-1, 1, nZero, 8388609)},
		{simdF32x4Trunc, vf32s(-1.9, 1.9), vf32s(-1, 1)},
		{simdF32x4Nearest, vf32s(0.5, 1.5, 2.5, -0.5), vf32s(0, 2, 2, nZero)},
		{simdF64x2Nearest, vf64s(2.5, -3.5), vf64s(2, -4)},
		{simdF64x2Sqrt, V128{0x7ff4000000000000, math.Float64bits(9)}, V128{0x7ffc000000000000, math.Float64bits(3)}},
		{simdI32x4TruncSatF32x4S, vf32bits(nan32, 0xcf000001, 0x4f000000, math.Float32bits(-1.5)), v32s(0, math.MinInt32, math.MaxInt32, -1)},
		{simdI32x4TruncSatF32x4U, vf32s(-1.5, 4294967296, 3.99, float32(math.NaN())), v32s(0, 0xffffffff, 3, 0)},
		{simdF32x4ConvertI32x4S, v32s(-1, 16777217, math.MinInt32), vf32s(-1, 16777216, -2147483648)},
		{simdF32x4ConvertI32x4U, v32s(-1, 16777219), vf32s(4294967296, 16777220)},
		{simdI32x4TruncSatF64x2SZero, vf64s(-2147483649, 2147483647.9), v32s(math.MinInt32, math.MaxInt32, 0, 0)},
		{simdI32x4TruncSatF64x2UZero, vf64s(-0.9, 4294967296), v32s(0, 0xffffffff, 0, 0)},
		{simdF64x2ConvertLowI32x4S, v32s(-1, math.MinInt32, 5, 5), vf64s(-1, -2147483648)},
		{simdF64x2ConvertLowI32x4U, v32s(-1, 0, 5, 5), vf64s(4294967295, 0)},
		// Rounds to nearest, overflows to infinity, keeps NaN canonical.
		{simdF32x4DemoteF64x2Zero, vf64s(1+1.0/(1<<24), 1e300), vf32bits(0x3f800000, 0x7f800000, 0, 0)},
		{simdF32x4DemoteF64x2Zero, V128{nan64, 1 << 63}, vf32bits(nan32, 1<<31, 0, 0)},
		{simdF64x2PromoteLowF32x4, vf32bits(nan32|1<<31, math.Float32bits(0.1), 7, 7), V128{nan64 | 1<<63, math.Float64bits(float64(float32(0.1)))}},
	} {
		t.Run(simdName(tc.sub), func(t *testing.T) {
			if diff := cmp.Diff(tc.want, simdUnaryOp(tc.sub, tc.a)); diff != "" {
				t.Errorf("%s(%#x) (-want +got):\n%s", simdName(tc.sub), tc.a, diff)
			}
		})
	}
}

func TestSIMDBinary(t *testing.T) {
	iota8 := v8s(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
	for _, tc := range []struct {
		sub        uint32
		a, b, want V128
	}{
		{simdV128AndNot, V128{0xff, 0xf0}, V128{0x0f, 0xff}, V128{0xf0, 0}},
		{simdI8x16Add, v8s(0xff, 0x80, 1, 0x7f), v8s(1, 0x80, 1, 1), v8s(0, 0, 2, 0x80)},
		{simdI8x16Sub, v8s(0, 0x80, 1), v8s(1, 1, 2), v8s(0xff, 0x7f, 0xff)},
		{simdI16x8Add, v16s(0xffff, 0x8000, 1), v16s(1, 0x8000, 0xffff), v16s(0, 0, 0)},
		{simdI32x4Sub, v32s(0, math.MinInt32), v32s(1, 1), v32s(-1, math.MaxInt32)},
		{simdI64x2Mul, v64s(-2, 1<<62), v64s(3, 4), v64s(-6, 0)},
		{simdI8x16AddSatS, v8s(127, -128, 100, -1), v8s(1, -1, -50, -1), v8s(127, -128, 50, -2)},
		{simdI8x16AddSatU, v8s(255, 200, 1), v8s(1, 100, 1), v8s(255, 255, 2)},
		{simdI8x16SubSatU, v8s(0, 200, 5), v8s(1, 100, 6), v8s(0, 100, 0)},
		{simdI16x8SubSatS, v16s(-32768, 32767), v16s(1, -1), v16s(-32768, 32767)},
		{simdI8x16MinS, v8s(-1, 5), v8s(1, 4), v8s(-1, 4)},
		{simdI8x16MinU, v8s(-1, 5), v8s(1, 4), v8s(1, 4)},
		{simdI32x4MaxU, v32s(-1, 5), v32s(1, 4), v32s(-1, 5)},
		{simdI32x4MaxS, v32s(-1, 5), v32s(1, 4), v32s(1, 5)},
		{simdI8x16AvgrU, v8s(255, 0, 1), v8s(255, 1, 2), v8s(255, 1, 2)},
		{simdI16x8AvgrU, v16s(0xffff, 3), v16s(0xfffe, 4), v16s(0xffff, 4)},
		{simdI8x16Eq, v8s(1, 2), v8s(1, 3), v8s(-1, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)},
		{simdI8x16LtS, v8s(-1, 1), v8s(1, -1), v8s(-1, 0)},
		{simdI8x16LtU, v8s(-1, 1), v8s(1, -1), v8s(0, -1)},
		{simdI16x8GeU, v16s(0, 0x8000), v16s(1, 0x7fff), v16s(0, -1, -1, -1, -1, -1, -1, -1)},
		{simdI32x4LeS, v32s(-1, 2, 3, 4), v32s(0, 2, 2, 4), v32s(-1, -1, 0, -1)},
		{simdI64x2GtS, v64s(-1, 2), v64s(-2, 2), v64s(-1, 0)},
		{simdF32x4Eq, vf32s(0, 1, 2, 3), vf32bits(1<<31, nan32, 0x40000000, 0), v32s(-1, 0, -1, 0)},
		{simdF32x4Ne, vf32bits(nan32, 0, 0, 0), vf32bits(nan32, 0, 0, 0), v32s(-1, 0, 0, 0)},
		{simdF64x2Lt, vf64s(math.NaN(), -1), vf64s(0, 0), v64s(0, -1)},
		{simdF64x2Ge, vf64s(negZero6, 1), vf64s(0, math.NaN()), v64s(-1, 0)},
		{simdI8x16Swizzle, iota8, v8s(15, 16, 0xff, 0, 0x80, 3), v8s(15, 0, 0, 0, 0, 3)},
		{simdI8x16NarrowI16x8S, v16s(-129, 128, 5, -5), v16s(0x7fff, -32768), v8s(-128, 127, 5, -5, 0, 0, 0, 0, 127, -128)},
		{simdI8x16NarrowI16x8U, v16s(-1, 256, 255), v16s(-32768, 0x7fff), v8s(0, 255, 255, 0, 0, 0, 0, 0, 0, 255)},
		{simdI16x8NarrowI32x4S, v32s(-32769, 32768), v32s(math.MaxInt32, 1), v16s(-32768, 32767, 0, 0, 32767, 1)},
		{simdI16x8NarrowI32x4U, v32s(-1, 65536), v32s(65535, 2), v16s(0, 65535, 0, 0, 65535, 2)},
		{simdI16x8Q15mulrSatS, v16s(-32768, 16384, -16384, 1), v16s(-32768, 16384, 16384, 16384), v16s(32767, 8192, -8192, 1)},
		{simdI32x4DotI16x8S, v16s(-32768, -32768, 1, 2, 3), v16s(-32768, -32768, 3, -4, 7), v32s(math.MinInt32, -5, 21, 0)},
		{simdI16x8ExtmulLowI8x16S, v8s(-128, 127), v8s(-128, -128), v16s(16384, -16256)},
		{simdI16x8ExtmulHighI8x16U, v8s(0, 0, 0, 0, 0, 0, 0, 0, 255), v8s(0, 0, 0, 0, 0, 0, 0, 0, 255), v16s(65025)},
		{simdI32x4ExtmulHighI16x8S, v16s(0, 0, 0, 0, -32768, 2), v16s(0, 0, 0, 0, -32768, -3), v32s(1<<30, -6)},
		{simdI64x2ExtmulLowI32x4S, v32s(math.MinInt32, -1), v32s(math.MinInt32, 5), v64s(1<<62, -5)},
		{simdI64x2ExtmulHighI32x4U, v32s(0, 0, -1, 2), v32s(0, 0, -1, 3), V128{0xfffffffe00000001, 6}},
		{simdF32x4Add, vf32s(1, 2, inf32, 0), vf32bits(0x3f800000, nan32, 0xff800000, snan32), vf32bits(0x40000000, nan32, nan32|1<<31, snan32|1<<22)},
		{simdF32x4Div, vf32s(1, 0, -1, 3), vf32s(0, 0, 0, 2), vf32bits(0x7f800000, nan32|1<<31, 0xff800000, math.Float32bits(1.5))},
		{simdF32x4Min, vf32s(0, nZero, 1, 0), vf32bits(1<<31, 0, nan32, snan32), vf32bits(1<<31, 1<<31, nan32, snan32|1<<22)},
		{simdF32x4Max, vf32s(0, nZero, 1, -2), vf32s(nZero, 0, 2, -3), vf32s(0, 0, 2, -2)},
		{simdF64x2Min, vf64s(0, 3), vf64s(negZero6, math.Inf(-1)), vf64s(negZero6, math.Inf(-1))},
		{simdF64x2Max, vf64s(negZero6, 1), V128{0, nan64}, V128{0, nan64}},
		// pmin/pmax return an operand unchanged, NaN or not.
		{simdF32x4Pmin, vf32bits(snan32, 0, 1<<31, 0x3f800000), vf32bits(0, snan32, 0, 0), vf32bits(snan32, 0, 1<<31, 0)},
		{simdF32x4Pmax, vf32bits(snan32, 0, 1<<31, 0x3f800000), vf32bits(0, snan32, 0, 0), vf32bits(snan32, 0, 1<<31, 0x3f800000)},
		{simdF64x2Pmax, vf64s(1, negZero6), vf64s(2, 0), vf64s(2, negZero6)},
		{simdF64x2Sub, vf64s(math.Inf(1), 1), vf64s(math.Inf(1), 0.5), V128{nan64 | 1<<63, math.Float64bits(0.5)}},
	} {
		t.Run(simdName(tc.sub), func(t *testing.T) {
			if diff := cmp.Diff(tc.want, simdBinaryOp(tc.sub, tc.a, tc.b)); diff != "" {
				t.Errorf("%s(%#x, %#x) (-want +got):\n%s", simdName(tc.sub), tc.a, tc.b, diff)
			}
		})
	}
}

func TestSIMDShift(t *testing.T) {
	for _, tc := range []struct {
		sub     uint32
		a       V128
		s       uint32
		want    V128
		comment string
	}{
		{simdI8x16Shl, v8s(0x81, 1, 0xff), 1, v8s(2, 2, 0xfe), ""},
		{simdI8x16Shl, v8s(0x81, 1), 9, v8s(2, 2), "count modulo 8"},
		{simdI8x16ShrU, v8s(0x80, 0xff), 7, v8s(1, 1), ""},
		{simdI8x16ShrS, v8s(0x80, 0x7f, 0xff), 15, v8s(-1, 0, -1), "count modulo 8"},
		{simdI16x8Shl, v16s(0x8001, 3), 16, v16s(0x8001, 3), "count modulo 16"},
		{simdI16x8ShrS, v16s(-32768, 0x4000), 14, v16s(-2, 1), ""},
		{simdI16x8ShrU, v16s(0xffff, 0x8000), 15, v16s(1, 1), ""},
		{simdI32x4Shl, v32s(-1, 1), 31, v32s(math.MinInt32, math.MinInt32), ""},
		{simdI32x4ShrU, v32s(-1, 1), 33, v32s(0x7fffffff, 0), "count modulo 32"},
		{simdI32x4ShrS, v32s(-8, 8), 0xffffffe3, v32s(-1, 1), "count modulo 32"},
		{simdI64x2Shl, v64s(1, 3), 65, v64s(2, 6), "count modulo 64"},
		{simdI64x2ShrS, v64s(math.MinInt64, 4), 63, v64s(-1, 0), ""},
		{simdI64x2ShrU, v64s(math.MinInt64, 4), 127, v64s(1, 0), "count modulo 64"},
	} {
		t.Run(simdName(tc.sub), func(t *testing.T) {
			if diff := cmp.Diff(tc.want, simdShiftOp(tc.sub, tc.a, tc.s)); diff != "" {
				t.Errorf("%s(%#x, %d) %s (-want +got):\n%s", simdName(tc.sub), tc.a, tc.s, tc.comment, diff)
			}
		})
	}
}

func TestSIMDTernaryTest(t *testing.T) {
	got := simdTernaryOp(simdV128Bitselect, V128{0xff00, 1}, V128{0x0ff0, 2}, V128{0xf0f0, 3})
	if diff := cmp.Diff(V128{0xf0f0&0xff00 | 0x0f0f&0x0ff0, 1}, got); diff != "" {
		t.Errorf("bitselect (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		sub  uint32
		a    V128
		want uint32
	}{
		{simdV128AnyTrue, V128{}, 0},
		{simdV128AnyTrue, V128{0, 1 << 63}, 1},
		{simdI8x16AllTrue, splat8(1), 1},
		{simdI8x16AllTrue, simdReplaceOp(simdI8x16ReplaceLane, splat8(1), 15, 0), 0},
		{simdI16x8AllTrue, v16s(1, 1, 1, 1, 1, 1, 1, 0x100), 1},
		{simdI16x8AllTrue, v16s(1, 1, 1, 1, 1, 1, 1, 0), 0},
		{simdI32x4AllTrue, v32s(1, 1, 1, 0), 0},
		{simdI32x4AllTrue, v32s(1, -1, 1<<31, 2), 1},
		{simdI64x2AllTrue, v64s(1<<32, 1), 1},
		{simdI64x2AllTrue, v64s(0, 1), 0},
		{simdI8x16Bitmask, v8s(0x80, 0, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80), 0x8005},
		{simdI16x8Bitmask, v16s(-1, 0, 0, 0x7fff, 0, 0, 0, 0x8000), 0x81},
		{simdI32x4Bitmask, v32s(-1, 1, 0, math.MinInt32), 0b1001},
		{simdI64x2Bitmask, v64s(1, -1), 0b10},
	} {
		if got := simdTestOp(tc.sub, tc.a); got != tc.want {
			t.Errorf("%s(%#x) = %#x, want %#x", simdName(tc.sub), tc.a, got, tc.want)
		}
	}
}

func TestSIMDLanes(t *testing.T) {
	iota8 := v8s(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
	// splat
	for _, tc := range []struct {
		sub  uint32
		x    uint64
		want V128
	}{
		{simdI8x16Splat, 0x1ff, splat8(-1)},
		{simdI16x8Splat, 0x12345, v16s(0x2345, 0x2345, 0x2345, 0x2345, 0x2345, 0x2345, 0x2345, 0x2345)},
		{simdI32x4Splat, 0xdeadbeef, v32s(0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef)},
		{simdI64x2Splat, 1 << 63, v64s(math.MinInt64, math.MinInt64)},
		{simdF32x4Splat, snan32, vf32bits(snan32, snan32, snan32, snan32)},
		{simdF64x2Splat, nan64, V128{nan64, nan64}},
	} {
		if diff := cmp.Diff(tc.want, simdSplatOp(tc.sub, tc.x)); diff != "" {
			t.Errorf("%s(%#x) (-want +got):\n%s", simdName(tc.sub), tc.x, diff)
		}
	}
	// extract
	neg := v8s(0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff)
	for _, tc := range []struct {
		sub  uint32
		a    V128
		lane byte
		want uint64
	}{
		{simdI8x16ExtractLaneS, neg, 15, 0xffffffff},
		{simdI8x16ExtractLaneU, neg, 15, 0xff},
		{simdI8x16ExtractLaneU, iota8, 9, 9},
		{simdI16x8ExtractLaneS, neg, 7, 0xfffffffe},
		{simdI16x8ExtractLaneU, neg, 7, 0xfffe},
		{simdI16x8ExtractLaneU, neg, 2, 0xf5f4},
		{simdI32x4ExtractLane, neg, 3, 0xfffefdfc},
		{simdF32x4ExtractLane, vf32s(1, 2, 3, 4), 1, 0x40000000},
		{simdI64x2ExtractLane, neg, 1, 0xfffefdfcfbfaf9f8},
		{simdF64x2ExtractLane, vf64s(1, 2), 0, 0x3ff0000000000000},
	} {
		if got := simdExtractOp(tc.sub, tc.a, tc.lane); got != tc.want {
			t.Errorf("%s(%#x, %d) = %#x, want %#x", simdName(tc.sub), tc.a, tc.lane, got, tc.want)
		}
	}
	// replace
	for _, tc := range []struct {
		sub     uint32
		a       V128
		lane    byte
		x       uint64
		want    V128
		comment string
	}{
		{simdI8x16ReplaceLane, iota8, 8, 0x1ff, v8s(0, 1, 2, 3, 4, 5, 6, 7, 0xff, 9, 10, 11, 12, 13, 14, 15), ""},
		{simdI16x8ReplaceLane, V128{}, 3, 0xabcdef, v16s(0, 0, 0, 0xcdef), ""},
		{simdI16x8ReplaceLane, V128{}, 4, 1, v16s(0, 0, 0, 0, 1), ""},
		{simdI32x4ReplaceLane, v32s(1, 2, 3, 4), 2, 0xffffffff, v32s(1, 2, -1, 4), ""},
		{simdF32x4ReplaceLane, v32s(1, 2, 3, 4), 1, nan32, v32s(1, nan32, 3, 4), ""},
		{simdI64x2ReplaceLane, v64s(1, 2), 1, 7, v64s(1, 7), ""},
		{simdF64x2ReplaceLane, v64s(1, 2), 0, nan64, V128{nan64, 2}, ""},
	} {
		if diff := cmp.Diff(tc.want, simdReplaceOp(tc.sub, tc.a, tc.lane, tc.x)); diff != "" {
			t.Errorf("%s(%#x, %d, %#x) (-want +got):\n%s", simdName(tc.sub), tc.a, tc.lane, tc.x, diff)
		}
	}
	// shuffle
	b := simdBinaryOp(simdI8x16Add, iota8, splat8(16))
	lanes := [16]byte{31, 0, 16, 15, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22}
	want := v8s(31, 0, 16, 15, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22)
	if diff := cmp.Diff(want, simdShuffleOp(iota8, b, &lanes)); diff != "" {
		t.Errorf("shuffle (-want +got):\n%s", diff)
	}
}

func TestSIMDMemory(t *testing.T) {
	mem := make([]byte, 16)
	for i := range mem {
		mem[i] = byte(0xf0 + i)
	}
	for _, tc := range []struct {
		sub  uint32
		want V128
	}{
		{simdV128Load, v8s(0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff)},
		{simdV128Load8x8S, v16s(-16, -15, -14, -13, -12, -11, -10, -9)},
		{simdV128Load8x8U, v16s(0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7)},
		{simdV128Load16x4S, v32s(-0x0e10, -0x0c0e, -0x0a0c, -0x080a)},
		{simdV128Load16x4U, v32s(0xf1f0, 0xf3f2, 0xf5f4, 0xf7f6)},
		{simdV128Load32x2S, v64s(int64(int32(-0x0c0d0e10)), int64(int32(-0x08090a0c)))},
		{simdV128Load32x2U, v64s(0xf3f2f1f0, 0xf7f6f5f4)},
		{simdV128Load8Splat, splat8(0xf0)},
		{simdV128Load16Splat, v16s(0xf1f0, 0xf1f0, 0xf1f0, 0xf1f0, 0xf1f0, 0xf1f0, 0xf1f0, 0xf1f0)},
		{simdV128Load32Splat, v32s(0xf3f2f1f0, 0xf3f2f1f0, 0xf3f2f1f0, 0xf3f2f1f0)},
		{simdV128Load64Splat, V128{0xf7f6f5f4f3f2f1f0, 0xf7f6f5f4f3f2f1f0}},
		{simdV128Load32Zero, V128{0xf3f2f1f0, 0}},
		{simdV128Load64Zero, V128{0xf7f6f5f4f3f2f1f0, 0}},
	} {
		if diff := cmp.Diff(tc.want, simdLoadOp(tc.sub, mem[:simdLoadSize(tc.sub)])); diff != "" {
			t.Errorf("%s (-want +got):\n%s", simdName(tc.sub), diff)
		}
	}
	base := v64s(0x0706050403020100, 0x0f0e0d0c0b0a0908)
	for _, tc := range []struct {
		sub  uint32
		lane byte
		want V128
	}{
		{simdV128Load8Lane, 9, V128{0x0706050403020100, 0x0f0e0d0c0b0af008}},
		{simdV128Load16Lane, 7, V128{0x0706050403020100, 0xf1f00d0c0b0a0908}},
		{simdV128Load32Lane, 1, V128{0xf3f2f1f003020100, 0x0f0e0d0c0b0a0908}},
		{simdV128Load64Lane, 1, V128{0x0706050403020100, 0xf7f6f5f4f3f2f1f0}},
	} {
		if diff := cmp.Diff(tc.want, simdLoadLaneOp(tc.sub, base, tc.lane, mem[:simdLoadSize(tc.sub)])); diff != "" {
			t.Errorf("%s lane %d (-want +got):\n%s", simdName(tc.sub), tc.lane, diff)
		}
	}
	for _, tc := range []struct {
		sub  uint32
		lane byte
		want []byte
	}{
		{simdV128Store8Lane, 13, []byte{13}},
		{simdV128Store16Lane, 5, []byte{10, 11}},
		{simdV128Store32Lane, 2, []byte{8, 9, 10, 11}},
		{simdV128Store64Lane, 0, []byte{0, 1, 2, 3, 4, 5, 6, 7}},
		{simdV128Store, 0, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
	} {
		out := make([]byte, simdLoadSize(tc.sub))
		simdStoreLaneOp(tc.sub, base, tc.lane, out)
		if diff := cmp.Diff(tc.want, out); diff != "" {
			t.Errorf("%s lane %d (-want +got):\n%s", simdName(tc.sub), tc.lane, diff)
		}
	}
}

// The spec-driven test: the simd_*.json scripts of the Wasm 2.0 suite
// shipped with wazero, evaluated with the functions of simd.go alone.
// A function is covered when its body is straight-line code made of
// local.get/set/tee, drop, scalar and vector constants and SIMD
// instructions (memory ones included, on a plain byte slice initialised
// from the module's active data segments); the single-instruction ones
// (local.get 0..n-1, one SIMD instruction, end) are counted apart.

type simdSpecCommand struct {
	Type     string          `json:"type"`
	Line     int             `json:"line"`
	Filename string          `json:"filename"`
	Action   simdSpecAction  `json:"action"`
	Expected []simdSpecValue `json:"expected"`
}

type simdSpecAction struct {
	Type   string          `json:"type"`
	Module string          `json:"module"`
	Field  string          `json:"field"`
	Args   []simdSpecValue `json:"args"`
}

type simdSpecValue struct {
	Type     string          `json:"type"`
	LaneType string          `json:"lane_type"`
	Value    json.RawMessage `json:"value"`
}

// simdSpecInstr is one decoded instruction of a covered body.
type simdSpecInstr struct {
	op   byte   // 0xFD for SIMD, else the opcode
	sub  uint32 // SIMD sub-opcode
	imm  uint64 // local index, constant, memarg offset
	v    V128   // v128.const, i8x16.shuffle lanes
	lane byte
}

// simdSpecFunc is a covered function.
type simdSpecFunc struct {
	params, locals int
	results        int
	body           []simdSpecInstr
	single         bool // local.get 0..n-1, one SIMD instruction
}

func simdSpecDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/tetratelabs/wazero").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("cannot locate the wazero module: %v", err)
	}
	dir = filepath.Join(dir, "internal", "integration_test", "spectest", "v2", "testdata")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("spec tests not available: %v", err)
	}
	return dir
}

// simdSpecCompile decodes the body of a defined function into
// straight-line instructions, or returns nil if it uses anything else.
func simdSpecCompile(m *decoder.Module, funcidx uint32) *simdSpecFunc {
	if funcidx < m.NumImportedFuncs {
		return nil
	}
	code := &m.Code[funcidx-m.NumImportedFuncs]
	ft := m.FuncTypeOf(funcidx)
	f := &simdSpecFunc{params: len(ft.Params), locals: len(ft.Params) + int(code.NumLocals), results: len(ft.Results)}
	body := code.Body
	pos := 0
	fail := false
	uleb := func() uint64 {
		var x uint64
		for sh := 0; pos < len(body); sh += 7 {
			b := body[pos]
			pos++
			x |= uint64(b&0x7f) << sh
			if b < 0x80 {
				return x
			}
		}
		fail = true
		return 0
	}
	sleb := func() uint64 {
		var x uint64
		sh := 0
		for pos < len(body) {
			b := body[pos]
			pos++
			x |= uint64(b&0x7f) << sh
			sh += 7
			if b < 0x80 {
				if sh < 64 && b&0x40 != 0 {
					x |= ^uint64(0) << sh
				}
				return x
			}
		}
		fail = true
		return 0
	}
	fixed := func(n int) []byte {
		if pos+n > len(body) {
			fail = true
			return make([]byte, n)
		}
		b := body[pos : pos+n]
		pos += n
		return b
	}
	hasMem := len(m.Memories) > 0 && m.NumImportedMemories == 0
	for pos < len(body) && !fail {
		op := body[pos]
		pos++
		in := simdSpecInstr{op: op}
		switch op {
		case 0x0b: // end
			if pos != len(body) {
				return nil
			}
			f.single = simdSpecSingle(f)
			return f
		case 0x1a: // drop
		case 0x20, 0x21, 0x22: // local.get, set, tee
			in.imm = uleb()
		case 0x23, 0x24: // global.get, global.set of a defined global
			g := uint32(uleb())
			if g < m.NumImportedGlobals {
				return nil
			}
			in.imm = uint64(g - m.NumImportedGlobals)
		case 0x28, 0x29: // i32.load, i64.load
			if !hasMem {
				return nil
			}
			uleb()
			in.imm = uleb()
		case 0x41: // i32.const
			in.imm = uint64(uint32(sleb()))
		case 0x42: // i64.const
			in.imm = sleb()
		case 0x43:
			in.imm = uint64(binary.LittleEndian.Uint32(fixed(4)))
		case 0x44:
			in.imm = binary.LittleEndian.Uint64(fixed(8))
		case 0xfd:
			in.sub = uint32(uleb())
			kind, _, ok := simdInfo(in.sub)
			if !ok {
				return nil
			}
			switch kind {
			case simdLoad, simdStore, simdLoadLane, simdStoreLane:
				if !hasMem {
					return nil
				}
				if align := uleb(); align >= 1<<6 {
					return nil // multi-memory
				}
				in.imm = uleb()
				if kind == simdLoadLane || kind == simdStoreLane {
					in.lane = fixed(1)[0]
				}
			case simdConst, simdShuffle:
				b := fixed(16)
				in.v = V128{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])}
			case simdExtract, simdReplace:
				in.lane = fixed(1)[0]
			}
		default:
			return nil
		}
		f.body = append(f.body, in)
	}
	return nil
}

// simdSpecSingle reports whether f is local.get 0..n-1 and one SIMD
// instruction other than v128.const.
func simdSpecSingle(f *simdSpecFunc) bool {
	if len(f.body) != f.params+1 {
		return false
	}
	for i, in := range f.body[:f.params] {
		if in.op != 0x20 || in.imm != uint64(i) {
			return false
		}
	}
	last := f.body[f.params]
	return last.op == 0xfd && last.sub != simdV128Const
}

// simdSpecRun evaluates f; scalars travel in the Lo half. trapped is set
// on an out-of-bounds memory access.
func simdSpecRun(f *simdSpecFunc, mem []byte, globals, args []V128, used map[uint32]bool) (results []V128, trapped bool) {
	locals := make([]V128, f.locals)
	copy(locals, args)
	var stack []V128
	pop := func() V128 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		return v
	}
	push := func(v V128) { stack = append(stack, v) }
	access := func(addr V128, offset uint64, sub uint32) []byte {
		ea := uint64(uint32(addr.Lo)) + offset
		n := uint64(simdLoadSize(sub))
		if ea+n > uint64(len(mem)) {
			return nil
		}
		return mem[ea : ea+n]
	}
	for _, in := range f.body {
		switch in.op {
		case 0x1a:
			pop()
		case 0x20:
			push(locals[in.imm])
		case 0x21:
			locals[in.imm] = pop()
		case 0x22:
			locals[in.imm] = stack[len(stack)-1]
		case 0x23:
			push(globals[in.imm])
		case 0x24:
			globals[in.imm] = pop()
		case 0x41, 0x42, 0x43, 0x44:
			push(V128{Lo: in.imm})
		case 0x28, 0x29:
			n := uint64(4 << (in.op - 0x28))
			ea := uint64(uint32(pop().Lo)) + in.imm
			if ea+n > uint64(len(mem)) {
				return nil, true
			}
			var b [8]byte
			copy(b[:], mem[ea:ea+n])
			push(V128{Lo: binary.LittleEndian.Uint64(b[:])})
		case 0xfd:
			used[in.sub] = true
			kind, _, _ := simdInfo(in.sub)
			switch kind {
			case simdLoad:
				b := access(pop(), in.imm, in.sub)
				if b == nil {
					return nil, true
				}
				push(simdLoadOp(in.sub, b))
			case simdStore, simdStoreLane:
				v := pop()
				b := access(pop(), in.imm, in.sub)
				if b == nil {
					return nil, true
				}
				simdStoreLaneOp(in.sub, v, in.lane, b)
			case simdLoadLane:
				v := pop()
				b := access(pop(), in.imm, in.sub)
				if b == nil {
					return nil, true
				}
				push(simdLoadLaneOp(in.sub, v, in.lane, b))
			case simdConst:
				push(in.v)
			case simdShuffle:
				lanes := [16]byte(in.v.u8())
				y := pop()
				push(simdShuffleOp(pop(), y, &lanes))
			case simdExtract:
				push(V128{Lo: simdExtractOp(in.sub, pop(), in.lane)})
			case simdReplace:
				x := pop().Lo
				push(simdReplaceOp(in.sub, pop(), in.lane, x))
			case simdSplat:
				push(simdSplatOp(in.sub, pop().Lo))
			case simdUnary:
				push(simdUnaryOp(in.sub, pop()))
			case simdBinary:
				y := pop()
				push(simdBinaryOp(in.sub, pop(), y))
			case simdTernary:
				c, y := pop(), pop()
				push(simdTernaryOp(in.sub, pop(), y, c))
			case simdShift:
				s := uint32(pop().Lo)
				push(simdShiftOp(in.sub, pop(), s))
			case simdTest:
				push(V128{Lo: uint64(simdTestOp(in.sub, pop()))})
			}
		}
	}
	return stack[len(stack)-f.results:], false
}

// simdSpecLaneBits returns the lane width in bits of a lane_type.
func simdSpecLaneBits(laneType string) int {
	switch laneType {
	case "i8":
		return 8
	case "i16":
		return 16
	case "i32", "f32":
		return 32
	}
	return 64
}

func simdSpecParse(s string) (uint64, error) {
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		return u, nil
	}
	i, err := strconv.ParseInt(s, 10, 64)
	return uint64(i), err
}

// simdSpecArg converts a JSON argument to a cell (scalars in Lo).
func simdSpecArg(v simdSpecValue) (V128, error) {
	if v.Type != "v128" {
		var s string
		if err := json.Unmarshal(v.Value, &s); err != nil {
			return V128{}, err
		}
		x, err := simdSpecParse(s)
		return V128{Lo: x}, err
	}
	var lanes []string
	if err := json.Unmarshal(v.Value, &lanes); err != nil {
		return V128{}, err
	}
	w := simdSpecLaneBits(v.LaneType)
	var b [16]byte
	for i, s := range lanes {
		x, err := simdSpecParse(s)
		if err != nil {
			return V128{}, err
		}
		for k := range w / 8 {
			b[i*w/8+k] = byte(x >> (8 * k))
		}
	}
	return fromU8(b), nil
}

// simdSpecMatch checks one lane or scalar of width bits (32 or 64 for
// floats) against an expected string, which may be a NaN pattern.
func simdSpecMatch(got uint64, want string, width int, float bool) bool {
	if float && strings.HasPrefix(want, "nan:") {
		exp, quiet := uint64(0x7f800000), uint64(1<<22)
		if width == 64 {
			exp, quiet = 0x7ff0000000000000, 1<<51
		}
		mag := got &^ (1 << (width - 1))
		if want == "nan:canonical" {
			return mag == exp|quiet
		}
		return mag&(exp|quiet) == exp|quiet
	}
	x, err := simdSpecParse(want)
	if err != nil {
		return false
	}
	if width < 64 {
		x &= 1<<width - 1
		got &= 1<<width - 1
	}
	return got == x
}

func simdSpecCheck(got V128, want simdSpecValue) bool {
	switch want.Type {
	case "v128":
		var lanes []string
		if err := json.Unmarshal(want.Value, &lanes); err != nil {
			return false
		}
		w := simdSpecLaneBits(want.LaneType)
		b := got.u8()
		for i, s := range lanes {
			var x uint64
			for k := range w / 8 {
				x |= uint64(b[i*w/8+k]) << (8 * k)
			}
			if !simdSpecMatch(x, s, w, want.LaneType[0] == 'f') {
				return false
			}
		}
		return true
	default:
		var s string
		if err := json.Unmarshal(want.Value, &s); err != nil {
			return false
		}
		return simdSpecMatch(got.Lo, s, simdSpecLaneBits(want.Type), want.Type[0] == 'f')
	}
}

// simdSpecModule is an instantiated module of a script.
type simdSpecModule struct {
	funcs   map[string]*simdSpecFunc
	mem     []byte
	globals []V128
	tainted bool // an uncovered function was invoked: state unknown
}

func simdSpecInstantiate(t *testing.T, path string) *simdSpecModule {
	bin, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := decoder.Decode(bin, api.CoreFeaturesV2)
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	sm := &simdSpecModule{funcs: map[string]*simdSpecFunc{}}
	if m.NumImportedGlobals > 0 {
		return sm
	}
	for _, g := range m.Globals {
		if len(g.Init) != 1 {
			return sm
		}
		switch in := g.Init[0]; in.Op {
		case decoder.OpI32Const, decoder.OpI64Const, decoder.OpF32Const, decoder.OpF64Const, decoder.OpV128Const:
			sm.globals = append(sm.globals, V128{in.Value, in.Value2})
		default:
			return sm
		}
	}
	if len(m.Memories) > 0 && m.NumImportedMemories == 0 {
		sm.mem = make([]byte, m.Memories[0].Limits.Min*65536)
		for _, d := range m.Data {
			if d.Mode != decoder.SegmentActive {
				continue
			}
			if len(d.Offset) != 1 || d.Offset[0].Op != decoder.OpI32Const {
				return sm // cannot place it: cover nothing
			}
			copy(sm.mem[d.Offset[0].Value:], d.Init)
		}
	}
	for _, e := range m.Exports {
		if e.Kind != decoder.ExternFunc {
			continue
		}
		if f := simdSpecCompile(m, e.Index); f != nil {
			sm.funcs[e.Name] = f
		}
	}
	return sm
}

func TestSIMDSpec(t *testing.T) {
	dir := simdSpecDir(t)
	scripts, _ := filepath.Glob(filepath.Join(dir, "simd_*.json"))
	if len(scripts) == 0 {
		t.Skip("no simd_*.json scripts")
	}
	var total, covered, single, traps int
	used := map[uint32]bool{}
	uncovered := map[string]int{}
	for _, script := range scripts {
		data, err := os.ReadFile(script)
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Commands []simdSpecCommand `json:"commands"`
		}
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatalf("%s: %v", script, err)
		}
		name := filepath.Base(script)
		var mod *simdSpecModule
		for _, c := range s.Commands {
			switch c.Type {
			case "module":
				mod = simdSpecInstantiate(t, filepath.Join(dir, c.Filename))
				continue
			case "assert_return", "assert_trap":
			default:
				continue
			}
			if c.Type == "assert_return" {
				total++
			}
			if mod == nil || c.Action.Type != "invoke" || c.Action.Module != "" {
				continue
			}
			if mod.tainted {
				continue
			}
			f := mod.funcs[c.Action.Field]
			if f == nil {
				// It may change memory or globals the covered functions
				// read: give up on this module.
				mod.tainted = mod.mem != nil || mod.globals != nil
				if testing.Verbose() && c.Type == "assert_return" {
					uncovered[name+" "+c.Action.Field]++
				}
				continue
			}
			args := make([]V128, len(c.Action.Args))
			for i, a := range c.Action.Args {
				if args[i], err = simdSpecArg(a); err != nil {
					t.Fatalf("%s:%d: argument %d: %v", name, c.Line, i, err)
				}
			}
			results, trapped := simdSpecRun(f, mod.mem, mod.globals, args, used)
			where := fmt.Sprintf("%s:%d %s%s", name, c.Line, c.Action.Field, c.Action.Args)
			if c.Type == "assert_trap" {
				traps++
				if !trapped {
					t.Errorf("%s: no trap", where)
				}
				continue
			}
			covered++
			if f.single {
				single++
			}
			if trapped {
				t.Errorf("%s: unexpected trap", where)
				continue
			}
			for i, want := range c.Expected {
				if !simdSpecCheck(results[i], want) {
					t.Errorf("%s: result %d = %#x, want %s %s %s", where, i, results[i], want.Type, want.LaneType, want.Value)
				}
			}
		}
	}
	var unused []string
	for sub := range uint32(256) {
		if _, _, ok := simdInfo(sub); ok && !used[sub] {
			unused = append(unused, simdName(sub))
		}
	}
	sort.Strings(unused)
	t.Logf("%d scripts: %d of %d assert_return covered (%d by single-instruction functions), %d assert_trap; %d of 236 sub-opcodes exercised",
		len(scripts), covered, total, single, traps, len(used))
	if len(unused) > 0 {
		t.Logf("not exercised: %s", strings.Join(unused, " "))
	}
	if len(uncovered) > 0 {
		var fields []string
		for k, n := range uncovered {
			fields = append(fields, fmt.Sprintf("%s(%d)", k, n))
		}
		sort.Strings(fields)
		t.Logf("uncovered functions (not straight-line): %s", strings.Join(fields, ", "))
	}
}

func TestSIMDNoAllocs(t *testing.T) {
	a, b := v32s(1, -2, 3, -4), vf32s(0.5, -1, 2, 3)
	var lanes [16]byte
	mem := make([]byte, 16)
	n := testing.AllocsPerRun(100, func() {
		for sub := range uint32(256) {
			kind, _, _ := simdInfo(sub)
			switch kind {
			case simdUnary:
				a = simdUnaryOp(sub, a)
			case simdBinary:
				a = simdBinaryOp(sub, a, b)
			case simdShift:
				a = simdShiftOp(sub, a, 3)
			}
		}
		a = simdShuffleOp(a, b, &lanes)
		simdStoreLaneOp(simdV128Store, a, 0, mem)
	})
	if n != 0 {
		t.Errorf("%v allocations per run", n)
	}
}

func BenchmarkSIMD(b *testing.B) {
	x, y := v32s(1, -2, 3, -4), vf32s(0.5, -1, 2, 3)
	for _, sub := range []uint32{simdI8x16Add, simdI8x16AddSatS, simdI16x8Mul, simdI32x4Add, simdI32x4MinS, simdF32x4Add, simdF32x4Min, simdF64x2Mul, simdI8x16Swizzle} {
		b.Run(simdName(sub), func(b *testing.B) {
			for b.Loop() {
				x = simdBinaryOp(sub, x, y)
			}
		})
	}
	b.Run("i8x16.shr_s", func(b *testing.B) {
		for b.Loop() {
			x = simdShiftOp(simdI8x16ShrS, x, 3)
		}
	})
}
