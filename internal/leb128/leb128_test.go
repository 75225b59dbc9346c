package leb128

import (
	"errors"
	"math"
	"testing"
)

func TestU32(t *testing.T) {
	tests := []struct {
		in   []byte
		want uint32
		n    int
		err  error
	}{
		{[]byte{0}, 0, 1, nil},
		{[]byte{0x7f, 0xff}, 127, 1, nil},
		{[]byte{0xe5, 0x8e, 0x26}, 624485, 3, nil},
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x00}, 0, 5, nil}, // padded zero
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, math.MaxUint32, 5, nil},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x1f}, 0, 0, ErrTooLarge},
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 0, 0, ErrTooLong},
		{[]byte{0x80, 0x80}, 0, 0, ErrEOF},
		{nil, 0, 0, ErrEOF},
	}
	for _, tc := range tests {
		v, n, err := U32(tc.in)
		if v != tc.want || n != tc.n || !errors.Is(err, tc.err) {
			t.Errorf("U32(%x) = %d, %d, %v; want %d, %d, %v", tc.in, v, n, err, tc.want, tc.n, tc.err)
		}
	}
}

func TestSigned(t *testing.T) {
	tests := []struct {
		in   []byte
		bits int
		want int64
		n    int
		err  error
	}{
		{[]byte{0x7f}, 32, -1, 1, nil},
		{[]byte{0xc0, 0xbb, 0x78}, 32, -123456, 3, nil},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x07}, 32, math.MaxInt32, 5, nil},
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x78}, 32, math.MinInt32, 5, nil},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, 32, 0, 0, ErrTooLarge}, // sign bits not copied
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 32, 0, 0, ErrTooLong},
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}, 64, math.MinInt64, 10, nil},
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 64, 0, 0, ErrTooLarge},
		{[]byte{0x40}, 33, -64, 1, nil}, // a block type
		{[]byte{0xff}, 64, 0, 0, ErrEOF},
	}
	for _, tc := range tests {
		v, n, err := Signed(tc.in, tc.bits)
		if v != tc.want || n != tc.n || !errors.Is(err, tc.err) {
			t.Errorf("Signed(%x, %d) = %d, %d, %v; want %d, %d, %v", tc.in, tc.bits, v, n, err, tc.want, tc.n, tc.err)
		}
	}
}

// TestAppend checks that the encoders' output decodes to the value, in
// the fewest bytes.
func TestAppend(t *testing.T) {
	signed := map[int64]int{0: 1, 1: 1, -1: 1, 63: 1, 64: 2, -64: 1, -65: 2, 127: 2, 128: 2, 1 << 31: 5, -1 << 31: 5, 1<<63 - 1: 10, -1 << 63: 10}
	for v, want := range signed {
		b := AppendSigned(nil, v)
		got, n, err := Signed(b, 64)
		if err != nil || got != v || n != len(b) || len(b) != want {
			t.Errorf("AppendSigned(%d) = %x (want %d bytes); decodes to %d, %d, %v", v, b, want, got, n, err)
		}
	}
	unsigned := map[uint32]int{0: 1, 1: 1, 127: 1, 128: 2, 16383: 2, 16384: 3, 1<<32 - 1: 5}
	for v, want := range unsigned {
		b := AppendUnsigned(nil, uint64(v))
		got, n, err := U32(b)
		if err != nil || got != v || n != len(b) || len(b) != want {
			t.Errorf("AppendUnsigned(%d) = %x (want %d bytes); decodes to %d, %d, %v", v, b, want, got, n, err)
		}
	}
}
