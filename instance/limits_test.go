package instance

import (
	"errors"
	"strings"
	"testing"

	"github.com/wpi-dev/wpi/decoder"
)

// leb appends v as unsigned LEB128.
func leb(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// section appends a section with id and contents.
func section(b []byte, id byte, contents []byte) []byte {
	b = append(b, id)
	b = leb(b, uint64(len(contents)))
	return append(b, contents...)
}

// oneFunc returns a module of one function () -> () with the local
// declarations locals (already encoded: count of runs, runs) and body
// (without the final end).
func oneFunc(locals, body []byte) []byte {
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = section(m, 1, []byte{1, 0x60, 0, 0})
	m = section(m, 3, []byte{1, 0})
	entry := append(append([]byte(nil), locals...), body...)
	entry = append(entry, 0x0b)
	code := leb([]byte{1}, uint64(len(entry)))
	m = section(m, 10, append(code, entry...))
	return m
}

// brTable returns a function body: block, i32.const 0, br_table with n
// targets (all 0) and default 0, end.
func brTable(n int) []byte {
	b := []byte{0x02, 0x40, 0x41, 0x00, 0x0e}
	b = leb(b, uint64(n))
	for range n + 1 {
		b = append(b, 0)
	}
	return append(b, 0x0b)
}

// TestImplementationLimits: valid modules past the IR format's limits
// fail to compile with an error that names the limit, and modules at the
// limit compile.
func TestImplementationLimits(t *testing.T) {
	rt := newTestRuntime(t, Config{MemorySlots: 1})
	for _, c := range []struct {
		name   string
		wasm   []byte
		reject bool
	}{
		{"br_table at the limit", oneFunc([]byte{0}, brTable(65534)), false},
		{"br_table past the limit", oneFunc([]byte{0}, brTable(65535)), true},
		{"br_table of 999999 targets", oneFunc([]byte{0}, brTable(999999)), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := rt.Compile(ctx, c.wasm)
			switch {
			case !c.reject && err != nil:
				t.Fatalf("Compile: %v", err)
			case c.reject && err == nil:
				t.Fatal("Compile succeeded, want an implementation-limit error")
			case c.reject && !strings.Contains(err.Error(), "implementation limit"):
				t.Fatalf("error %q does not say it is an implementation limit", err)
			case c.reject && (errors.Is(err, decoder.ErrMalformed) || errors.Is(err, decoder.ErrInvalid)):
				t.Fatalf("error %q calls a valid module malformed or invalid", err)
			}
		})
	}
}
