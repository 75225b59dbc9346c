package engine

import (
	"math"
	"math/bits"
)

// Float helpers with the spec's semantics (§4.3.3). Where the result is a
// NaN the spec allows any arithmetic NaN (quiet bit set), and requires the
// canonical NaN when every NaN input is canonical; a+b of the inputs gives
// exactly that on IEEE hardware.

func fmin32(a, b float32) float32 {
	switch {
	case a != a || b != b:
		return a + b
	case a == 0 && b == 0:
		if math.Signbit(float64(a)) {
			return a
		}
		return b
	case a < b:
		return a
	}
	return b
}

func fmax32(a, b float32) float32 {
	switch {
	case a != a || b != b:
		return a + b
	case a == 0 && b == 0:
		if math.Signbit(float64(a)) {
			return b
		}
		return a
	case a > b:
		return a
	}
	return b
}

func fmin64(a, b float64) float64 {
	switch {
	case a != a || b != b:
		return a + b
	case a == 0 && b == 0:
		if math.Signbit(a) {
			return a
		}
		return b
	case a < b:
		return a
	}
	return b
}

func fmax64(a, b float64) float64 {
	switch {
	case a != a || b != b:
		return a + b
	case a == 0 && b == 0:
		if math.Signbit(a) {
			return b
		}
		return a
	case a > b:
		return a
	}
	return b
}

const (
	f32Quiet = 1 << 22
	f64Quiet = 1 << 51
)

// unary32 applies a rounding function to f32 bits; a NaN comes back quiet.
func unary32(v uint64, f func(float64) float64) uint64 {
	x := math.Float32frombits(uint32(v))
	if x != x {
		return uint64(uint32(v) | f32Quiet)
	}
	return uint64(math.Float32bits(float32(f(float64(x)))))
}

func unary64(v uint64, f func(float64) float64) uint64 {
	x := math.Float64frombits(v)
	if x != x {
		return v | f64Quiet
	}
	return math.Float64bits(f(x))
}

func sqrt32(v uint64) uint64 {
	x := math.Float32frombits(uint32(v))
	if x != x {
		return uint64(uint32(v) | f32Quiet)
	}
	// The square root rounded to double then to single is correctly
	// rounded: double has more than 2*24+2 bits of precision.
	return uint64(math.Float32bits(float32(math.Sqrt(float64(x)))))
}

// Trapping float-to-int conversions (spec §4.3.3 trunc). ok is false and
// code says which trap when the value is NaN or out of range.

func truncI32S(x float64) (uint64, trapCode) {
	if x != x {
		return 0, trapInvalidConversion
	}
	if !(x > -2147483649.0 && x < 2147483648.0) {
		return 0, trapOverflow
	}
	return uint64(uint32(int32(x))), trapNone
}

func truncI32U(x float64) (uint64, trapCode) {
	if x != x {
		return 0, trapInvalidConversion
	}
	if !(x > -1.0 && x < 4294967296.0) {
		return 0, trapOverflow
	}
	return uint64(uint32(x)), trapNone
}

func truncI64S(x float64) (uint64, trapCode) {
	if x != x {
		return 0, trapInvalidConversion
	}
	if !(x >= -9223372036854775808.0 && x < 9223372036854775808.0) {
		return 0, trapOverflow
	}
	return uint64(int64(x)), trapNone
}

func truncI64U(x float64) (uint64, trapCode) {
	if x != x {
		return 0, trapInvalidConversion
	}
	if !(x > -1.0 && x < 18446744073709551616.0) {
		return 0, trapOverflow
	}
	return uint64(x), trapNone
}

// Saturating conversions (spec §4.3.3 trunc_sat).

func truncSatI32S(x float64) uint64 {
	switch {
	case x != x:
		return 0
	case x <= -2147483648.0:
		return 1 << 31
	case x >= 2147483647.0:
		return math.MaxInt32
	}
	return uint64(uint32(int32(x)))
}

func truncSatI32U(x float64) uint64 {
	switch {
	case x != x || x <= 0:
		return 0
	case x >= 4294967295.0:
		return math.MaxUint32
	}
	return uint64(uint32(x))
}

func truncSatI64S(x float64) uint64 {
	switch {
	case x != x:
		return 0
	case x <= -9223372036854775808.0:
		return 1 << 63
	case x >= 9223372036854775808.0:
		return math.MaxInt64
	}
	return uint64(int64(x))
}

func truncSatI64U(x float64) uint64 {
	switch {
	case x != x || x <= 0:
		return 0
	case x >= 18446744073709551616.0:
		return math.MaxUint64
	}
	return uint64(x)
}

// u64ToF32 converts with a single rounding (round to nearest, ties to
// even), which a conversion through float64 would not guarantee.
func u64ToF32(v uint64) float32 {
	if v>>63 == 0 {
		return float32(int64(v))
	}
	// Halve, keeping the lost bit sticky, convert, double.
	return float32(int64(v>>1|v&1)) * 2
}

func u64ToF64(v uint64) float64 {
	if v>>63 == 0 {
		return float64(int64(v))
	}
	return float64(int64(v>>1|v&1)) * 2
}

func i64ToF32(v int64) float32 { return float32(v) }

func rotl32(a, b uint64) uint64 { return uint64(bits.RotateLeft32(uint32(a), int(b&31))) }
func rotr32(a, b uint64) uint64 { return uint64(bits.RotateLeft32(uint32(a), -int(b&31))) }
func rotl64(a, b uint64) uint64 { return bits.RotateLeft64(a, int(b&63)) }
func rotr64(a, b uint64) uint64 { return bits.RotateLeft64(a, -int(b&63)) }

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
