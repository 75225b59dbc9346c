package wasi

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/wpi-dev/wpi/instance"
)

// Guest memory helpers. Every pointer the guest passes is checked; an out
// of range one makes the function return EFAULT.

// A guest without a memory (or a call from Go) has every pointer out of
// range.

func (c *call) read(off, n uint32) ([]byte, bool) {
	if c.mem.IsNil() {
		return nil, false
	}
	return c.mem.Read(off, n)
}

func (c *call) write(off uint32, p []byte) bool {
	return !c.mem.IsNil() && c.mem.Write(off, p)
}

func (c *call) putU32(off uint32, v uint32) bool {
	return !c.mem.IsNil() && c.mem.WriteUint32Le(off, v)
}

func (c *call) putU64(off uint32, v uint64) bool {
	return !c.mem.IsNil() && c.mem.WriteUint64Le(off, v)
}

// iovecs reads an array of n (buf u32, len u32) pairs at off.
func (c *call) iovecs(off, n uint32) ([][2]uint32, bool) {
	b, ok := c.read(off, n*8)
	if !ok || uint64(n)*8 > 1<<32 {
		return nil, false
	}
	out := c.iovs[:0]
	if n > uint32(cap(out)) {
		out = make([][2]uint32, n)
	}
	out = out[:n]
	var total uint64
	for i := range out {
		out[i] = [2]uint32{binary.LittleEndian.Uint32(b[i*8:]), binary.LittleEndian.Uint32(b[i*8+4:])}
		if _, ok := c.read(out[i][0], out[i][1]); !ok {
			return nil, false
		}
		total += uint64(out[i][1])
	}
	return out, true
}

// gather copies the bytes of iovs into one buffer (reusing s.scratch).
func (s *state) gather(c *call, iovs [][2]uint32) []byte {
	buf := s.scratch[:0]
	for _, v := range iovs {
		b, _ := c.read(v[0], v[1])
		buf = append(buf, b...)
	}
	s.scratch = buf[:0]
	return buf
}

// buffer returns a scratch buffer of n bytes.
func (s *state) buffer(n int) []byte {
	if cap(s.scratch) < n {
		s.scratch = make([]byte, n)
	}
	return s.scratch[:n]
}

// scatter copies p into iovs in order.
func scatter(c *call, iovs [][2]uint32, p []byte) {
	for _, v := range iovs {
		if len(p) == 0 {
			return
		}
		k := min(int(v[1]), len(p))
		c.write(v[0], p[:k])
		p = p[k:]
	}
}

func iovTotal(iovs [][2]uint32) int {
	n := 0
	for _, v := range iovs {
		n += int(v[1])
	}
	return n
}

// interrupted is the error that ends a call whose context was cancelled
// while a WASI function was blocked: it matches instance.ErrTrapInterrupted
// and the context's cause.
func interrupted(ctx context.Context) error {
	return fmt.Errorf("%w: %w", instance.ErrTrapInterrupted, context.Cause(ctx))
}
