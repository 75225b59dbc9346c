// Package leb128 decodes the LEB128 integers of the WebAssembly binary
// format (spec §5.2.2), for the decoder and the engine's translator, which
// reads immediates from function bodies again, and encodes them for the
// decoder's Encode.
package leb128

import "errors"

// Errors, with the spec suite's messages.
var (
	// ErrEOF: the input ends inside the integer.
	ErrEOF = errors.New("unexpected end")
	// ErrTooLong: more bytes than ceil(N/7) for an N-bit integer.
	ErrTooLong = errors.New("integer representation too long")
	// ErrTooLarge: the last byte's unused bits are not zero (unsigned) or
	// copies of the sign bit (signed).
	ErrTooLarge = errors.New("integer too large")
)

// U32 decodes an unsigned LEB128 integer of at most 32 bits from the start
// of b: at most 5 bytes, the unused high bits of the 5th zero. It returns
// the value and the number of bytes read, or 0, 0 and one of the errors.
func U32(b []byte) (uint32, int, error) {
	var v uint32
	for i := 0; ; i++ {
		if i >= len(b) {
			return 0, 0, ErrEOF
		}
		c := b[i]
		if i == 4 {
			if c&0x80 != 0 {
				return 0, 0, ErrTooLong
			}
			if c&0x70 != 0 {
				return 0, 0, ErrTooLarge
			}
		}
		v |= uint32(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v, i + 1, nil
		}
	}
}

// Signed decodes a signed LEB128 integer of at most n bits (32, 33 or 64)
// from the start of b: at most ceil(n/7) bytes, the last byte's bits past
// bit n-1 copies of the sign bit. It returns the value sign-extended to
// 64 bits and the number of bytes read, or 0, 0 and one of the errors.
func Signed(b []byte, n int) (int64, int, error) {
	last := (n - 1) / 7        // index of the last byte allowed
	used := n - 7*last         // value bits in that byte
	ones := 0x7f >> (used - 1) // its sign bit and extension, all set
	var v uint64
	for i := 0; ; i++ {
		if i >= len(b) {
			return 0, 0, ErrEOF
		}
		c := b[i]
		if i == last {
			if c&0x80 != 0 {
				return 0, 0, ErrTooLong
			}
			if ext := int(c&0x7f) >> (used - 1); ext != 0 && ext != ones {
				return 0, 0, ErrTooLarge
			}
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			if 7*(i+1) < 64 && c&0x40 != 0 {
				v |= ^uint64(0) << (7 * (i + 1))
			}
			return int64(v), i + 1, nil
		}
	}
}

// AppendUnsigned appends v as an unsigned LEB128 of the fewest bytes
// (spec §5.2.2), which is Go's uvarint encoding.
func AppendUnsigned(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// AppendSigned appends v as a signed LEB128 of the fewest bytes (spec
// §5.2.2).
func AppendSigned(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
