// Package wazeroalloc lets wazero keep its linear memories in a wpi
// memory.Pool: an experimental.MemoryAllocator whose memories are pool
// slots. Allocation takes a free slot (no system call, no Go heap), growth
// only moves a length inside the slot (no copy, no mprotect), and Free
// resets the slot and returns it to the pool.
//
// wazero writes linear memory directly, so the pool cannot see which pages
// were written: Free marks every page below the largest size the memory
// reached as dirty, and the reset zeroes them all (memset within the
// pool's keep-resident budget, madvise past it). The reset cost therefore
// follows the memory's size, not what the guest wrote, unlike wpi's own
// instances.
//
// Use it per instantiation:
//
//	a := wazeroalloc.New(pool)
//	mod, err := rt.InstantiateModule(experimental.WithMemoryAllocator(ctx, a), cm, cfg)
package wazeroalloc

import (
	"github.com/tetratelabs/wazero/experimental"

	"github.com/wpi-dev/wpi/memory"
)

// Allocator is an experimental.MemoryAllocator backed by a memory.Pool.
// It is safe for concurrent use; each LinearMemory it returns belongs to
// one wazero module instance (wazero calls it from that instance only).
type Allocator struct {
	pool *memory.Pool
}

// New returns an allocator over p. The pool must outlive every memory the
// allocator hands out.
func New(p *memory.Pool) *Allocator { return &Allocator{pool: p} }

// Allocate implements experimental.MemoryAllocator. It takes a slot from
// the pool (affinity 0). If the pool has no free slot, or if even capacity
// does not fit in a slot, it falls back to a Go-heap memory like wazero's
// default, so that instantiation still works.
func (a *Allocator) Allocate(capacity, maxBytes uint64) experimental.LinearMemory {
	if capacity <= a.pool.SlotBytes() {
		if s, err := a.pool.Acquire(0); err == nil {
			return &slotMemory{pool: a.pool, slot: s, max: min(maxBytes, a.pool.SlotBytes())}
		}
	}
	return &heapMemory{max: maxBytes}
}

// slotMemory is a linear memory in a pool slot.
type slotMemory struct {
	pool *memory.Pool
	slot memory.Slot
	free bool   // after Free
	max  uint64 // largest size Reallocate grants
	high uint64 // largest size handed out
}

// Reallocate implements experimental.LinearMemory: it returns the first
// size bytes of the slot, or nil if size exceeds the slot or the memory's
// maximum (or the OS refuses to commit them, see memory.Slot.Commit). The
// address is the same every time on the mmap and Windows backends; on the
// Go-heap backend a larger size may move the slot (contents kept), which
// wazero allows.
func (m *slotMemory) Reallocate(size uint64) []byte {
	if m.free || size > m.max {
		return nil
	}
	buf, _, err := m.slot.Commit(size)
	if err != nil {
		return nil
	}
	m.high = max(m.high, size)
	return buf[:size:size]
}

// Free implements experimental.LinearMemory: it marks every page below the
// largest size reached as dirty and releases the slot, which resets them.
// Further calls do nothing.
func (m *slotMemory) Free() {
	if m.free {
		return
	}
	cards := m.slot.Cards()
	n := (m.high + memory.CardSize - 1) >> memory.CardShift
	for i := range cards[:n] {
		cards[i] = 1
	}
	m.slot.SetHighWater(m.high)
	m.free = true
	_ = m.pool.Release(m.slot) // cannot fail: the slot is held until here
}

// heapMemory is the fallback: a Go slice grown by copying.
type heapMemory struct {
	buf []byte
	max uint64
}

func (m *heapMemory) Reallocate(size uint64) []byte {
	if size > m.max {
		return nil
	}
	if size <= uint64(cap(m.buf)) {
		m.buf = m.buf[:size]
		return m.buf
	}
	b := make([]byte, size, max(size, 2*uint64(cap(m.buf))))
	copy(b, m.buf)
	m.buf = b
	return b
}

func (m *heapMemory) Free() { m.buf = nil }
