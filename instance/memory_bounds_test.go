package instance

import (
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wpi-dev/wpi/engine"
	"github.com/wpi-dev/wpi/memory"
)

// memoryModule is (module (memory (export "memory") 1)).
var memoryModule = []byte("\x00asm\x01\x00\x00\x00" +
	"\x05\x03\x01\x00\x01" + // memory section: one memory, min 1 page, no max
	"\x07\x0a\x01\x06memory\x02\x00") // export "memory" = memory 0

// boundsCase is one accessor call at an offset near the end of memory.
type boundsCase struct {
	name string
	call func(m Memory) (int, bool) // the bytes read or written, ok
	want bool
}

// boundsCases are the accessors at the last offsets of a memory of size
// bytes: the offsets and counts are uint32, so the last byte of a
// 4 GiB memory is at math.MaxUint32.
func boundsCases(size uint64) []boundsCase {
	last := uint32(size - 1) // size ≤ 2^32
	read := func(off, n uint32) func(m Memory) (int, bool) {
		return func(m Memory) (int, bool) { b, ok := m.Read(off, n); return len(b), ok }
	}
	write := func(off uint32, n int) func(m Memory) (int, bool) {
		return func(m Memory) (int, bool) { return n, m.Write(off, make([]byte, n)) }
	}
	return []boundsCase{
		{"Read(last, 0)", read(last, 0), true},
		{"Read(last, 1)", read(last, 1), true},
		{"Read(last, 2)", read(last, 2), false},
		{"Read(0, size-1)", read(0, last), true},
		{"Read(1, size-1)", read(1, last), true},
		{"Read(2, size-1)", read(2, last), false},
		{"Read(MaxUint32, MaxUint32)", read(math.MaxUint32, math.MaxUint32), false},
		{"Write(last, 0 bytes)", write(last, 0), true},
		{"Write(last, 1 byte)", write(last, 1), true},
		{"Write(last, 2 bytes)", write(last, 2), false},
		{"WriteString(last, 2 bytes)", func(m Memory) (int, bool) { return 2, m.WriteString(last, "ab") }, false},
		{"WriteUint8(last)", func(m Memory) (int, bool) { return 1, m.WriteUint8(last, 0xa5) }, true},
		{"ReadUint8(last)", func(m Memory) (int, bool) { v, ok := m.ReadUint8(last); return int(v), ok }, true},
		{"ReadUint16Le(last)", func(m Memory) (int, bool) { _, ok := m.ReadUint16Le(last); return 2, ok }, false},
		{"WriteUint32Le(last-3)", func(m Memory) (int, bool) { return 4, m.WriteUint32Le(last-3, 1) }, true},
		{"WriteUint32Le(last-2)", func(m Memory) (int, bool) { return 4, m.WriteUint32Le(last-2, 1) }, false},
		{"ReadUint64Le(last-7)", func(m Memory) (int, bool) { _, ok := m.ReadUint64Le(last - 7); return 8, ok }, true},
		{"ReadFloat64Le(last-6)", func(m Memory) (int, bool) { _, ok := m.ReadFloat64Le(last - 6); return 8, ok }, false},
	}
}

// TestMemoryBounds: Memory's uint32 offsets reach the last byte of the
// memory and no further, for a one-page memory and a full 4 GiB one
// (65536 pages, the largest a wasm32 memory can be; on the mmap backend
// it costs the pages touched, not 4 GiB).
func TestMemoryBounds(t *testing.T) {
	pages := []uint64{1, 65536}
	if memory.Backend == "goheap" {
		pages = pages[:1] // growing would allocate 4 GiB on the Go heap
	}
	for _, p := range pages {
		t.Run(fmt.Sprintf("%d pages", p), func(t *testing.T) {
			rt := newTestRuntime(t, Config{MemorySlots: 1, MemorySlotBytes: p * engine.PageSize})
			inst, err := rt.InstantiateWasm(ctx, memoryModule, ModuleConfig{})
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close(ctx)
			m := inst.Memory()
			if _, ok := m.Grow(p - 1); !ok {
				t.Skipf("cannot grow to %d pages", p)
			}
			size := m.Size()
			if diff := cmp.Diff(p*engine.PageSize, size); diff != "" {
				t.Fatalf("Size (-want +got)\n%s", diff)
			}
			for _, tc := range boundsCases(size) {
				n, ok := tc.call(m)
				if ok != tc.want {
					t.Errorf("%s of %d bytes: ok = %v, want %v", tc.name, n, ok, tc.want)
				}
			}
			// What the writes that fit left in the last bytes: the
			// uint32 1 at last-3 after 0xa5 at last (WriteUint8) and
			// the zero byte Write put there first.
			if b, ok := m.Read(uint32(size-4), 4); !ok || !cmp.Equal([]byte{1, 0, 0, 0}, b) {
				t.Errorf("last 4 bytes %v, %v; want [1 0 0 0]", b, ok)
			}
			// Past the end of a smaller memory, offsets that fit uint32
			// still fail.
			if size < 1<<32 {
				if _, ok := m.Read(uint32(size), 0); !ok {
					t.Error("Read(size, 0) failed: an empty read at the end fits")
				}
				if _, ok := m.Read(uint32(size), 1); ok {
					t.Error("Read(size, 1) succeeded")
				}
				if _, ok := m.Read(math.MaxUint32, 0); ok {
					t.Error("Read(MaxUint32, 0) succeeded past the end")
				}
			}
		})
	}
}
