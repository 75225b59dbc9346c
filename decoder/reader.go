package decoder

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/wpi-dev/wpi/internal/leb128"
)

// reader reads the primitive encodings of spec §5.1-§5.2 from b[pos:end].
//
// Errors are sticky: the first one is kept in err, after which every read
// returns a zero value without consuming input. Callers check err at loop
// heads so that a bogus vector length cannot make them spin.
type reader struct {
	b   []byte // the whole module binary
	pos int    // next byte to read
	end int    // end of the current section or code entry

	section   string // for errors; "" outside sections
	funcIndex int    // for errors; -1 outside code entries

	// top is set while reading the module header and section headers, to
	// tell running out of input there ("unexpected end") from running out
	// of a section or code entry.
	top bool

	err *Error
}

func (r *reader) failAt(kind ErrorKind, off int, format string, args ...any) {
	if r.err != nil {
		return
	}
	r.err = &Error{
		Kind:      kind,
		Section:   r.section,
		FuncIndex: r.funcIndex,
		Offset:    off,
		Reason:    fmt.Sprintf(format, args...),
	}
	// Stop all further reads.
	r.pos = r.end
}

func (r *reader) fail(off int, format string, args ...any) {
	r.failAt(Malformed, off, format, args...)
}

// failEnd reports running off the end of the current region.
func (r *reader) failEnd() {
	if r.top {
		r.fail(r.pos, "unexpected end")
	} else {
		r.fail(r.pos, "unexpected end of section or function")
	}
}

func (r *reader) remaining() int { return r.end - r.pos }

// rest returns the unread bytes of the region.
func (r *reader) rest() []byte {
	if r.pos >= r.end {
		return nil
	}
	return r.b[r.pos:r.end]
}

func (r *reader) byte() byte {
	if r.pos >= r.end {
		r.failEnd()
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

// bytes returns the next n bytes, sharing r.b.
func (r *reader) bytes(n uint32) []byte {
	if uint64(n) > uint64(r.remaining()) {
		r.fail(r.pos, "length out of bounds: %d bytes, %d left", n, r.remaining())
		return nil
	}
	s := r.b[r.pos : r.pos+int(n) : r.pos+int(n)]
	r.pos += int(n)
	return s
}

// u32 reads an unsigned LEB128 integer of at most 32 bits (spec §5.2.2):
// at most 5 bytes, and the unused high bits of the 5th byte must be zero.
func (r *reader) u32() uint32 {
	v, n, err := leb128.U32(r.rest())
	if err != nil {
		r.lebFail(err)
		return 0
	}
	r.pos += n
	return v
}

// lebFail records a LEB128 error at the integer's start (the end of the
// region if the input ran out).
func (r *reader) lebFail(err error) {
	if err == leb128.ErrEOF {
		r.pos = r.end
		r.failEnd()
		return
	}
	r.fail(r.pos, "%s", err.Error())
}

// s32 reads a signed LEB128 integer of at most 32 bits: at most 5 bytes,
// and the unused bits of the 5th byte must be copies of the sign bit.
func (r *reader) s32() int32 { return int32(r.sleb(32)) }

// s64 reads a signed LEB128 integer of at most 64 bits: at most 10 bytes,
// and the unused bits of the 10th byte must be copies of the sign bit.
func (r *reader) s64() int64 { return r.sleb(64) }

// sleb reads a signed LEB128 integer of at most n bits (32 or 64, spec
// §5.2.2): at most ceil(n/7) bytes, whose last byte's bits past bit n-1
// must copy the sign bit.
func (r *reader) sleb(n int) int64 {
	v, k, err := leb128.Signed(r.rest(), n)
	if err != nil {
		r.lebFail(err)
		return 0
	}
	r.pos += k
	return v
}

func (r *reader) u32le() uint32 {
	s := r.fixed(4)
	if s == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(s)
}

func (r *reader) u64le() uint64 {
	s := r.fixed(8)
	if s == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(s)
}

// fixed returns the next n bytes of a fixed-size immediate.
func (r *reader) fixed(n int) []byte {
	if r.remaining() < n {
		r.failEnd()
		return nil
	}
	s := r.b[r.pos : r.pos+n]
	r.pos += n
	return s
}

// name reads a name (spec §5.2.4): a byte vector holding valid UTF-8.
func (r *reader) name() string {
	n := r.u32()
	start := r.pos
	s := r.bytes(n)
	if r.err != nil {
		return ""
	}
	if !utf8.Valid(s) {
		r.fail(start, "malformed UTF-8 encoding")
		return ""
	}
	return string(s)
}

// count reads a vector length and returns it with a capacity hint for the
// result slice: every element takes at least one byte, so no more than the
// bytes left can be preallocated.
func (r *reader) count() (n uint32, hint int) {
	n = r.u32()
	hint = int(n)
	if rem := r.remaining(); hint > rem {
		hint = rem
	}
	return n, hint
}
