package memory

import "fmt"

// Slot is a handle to one acquired slot, valid from Acquire until Release.
// It is a small value: copy it freely. Each Acquire returns a handle of a
// new generation, so once the slot has been released every copy of the
// handle is stale, forever: its methods return zero values, SetHighWater
// does nothing and Release returns ErrNotAcquired, even while the slot
// serves a later tenant. Acquire does not allocate.
//
// The zero Slot is stale.
//
// Methods may be called from any goroutine, but the owner must not call
// SetHighWater concurrently with Release.
type Slot struct {
	pool  *Pool
	index int32
	gen   uint64 // the slot's generation when acquired
}

// meta returns the slot's state if s is currently acquired, else nil.
func (s Slot) meta() *slotMeta {
	if s.pool == nil {
		return nil
	}
	m := &s.pool.meta[s.index]
	if m.state.Load() != s.gen<<1|1 {
		return nil
	}
	return m
}

// Acquired reports whether s is still acquired, i.e. not yet released.
func (s Slot) Acquired() bool { return s.meta() != nil }

// Bytes returns the accessible part of the slot: on the mmap backend
// (Unix) the whole slot, len and cap the pool's SlotBytes; on Windows and
// the Go-heap backend the prefix made accessible so far (by the image and
// Commit), possibly empty. Call Commit to make more of it accessible. The
// memory lives outside the Go heap (except on the Go-heap backend), at an
// address that never changes while the pool is open (except that Commit
// may move a Go-heap slot). It is all zero when handed out by Acquire,
// except for the image passed to AcquireImage. Every 4 KiB page written
// through it must be marked in Cards, or Release will not reset it. The
// slice must not be used after Release. Bytes returns nil if s is stale.
func (s Slot) Bytes() []byte {
	if m := s.meta(); m != nil {
		return m.mem
	}
	return nil
}

// Cards returns the slot's dirty cards: one byte per 4 KiB (CardSize) of
// Bytes, len(Bytes())>>CardShift. Setting Cards()[off>>CardShift] to any
// non-zero value records that bytes in that 4 KiB may have been written.
// All zero when handed out by Acquire. Cards returns nil if s is stale.
func (s Slot) Cards() []byte {
	if m := s.meta(); m != nil {
		return m.cardsOf()
	}
	return nil
}

// Commit makes at least the first size bytes of the slot accessible and
// returns Bytes and Cards afterwards. On the mmap backend the whole slot
// is accessible from the start and Commit only returns it (no system
// call). On Windows it commits the missing pages of the slot and of its
// cards with VirtualAlloc(MEM_COMMIT) (each committed page counts against
// the system's commit limit, RAM plus page files, until the slot is
// evicted or the pool closed, but takes RAM only once written); on the
// Go-heap backend it allocates a larger buffer and copies the slot into
// it, so earlier slices of the slot must not be used afterwards. Bytes
// once accessible stay so for the slot's next tenants (a slot never
// shrinks) until eviction.
//
// It fails if size exceeds SlotBytes, if the OS refuses the commit, or if
// s is stale (ErrNotAcquired); the slot is unchanged then. It must not be
// called concurrently with Release of s.
func (s Slot) Commit(size uint64) (mem, cards []byte, err error) {
	m := s.meta()
	if m == nil {
		return nil, nil, ErrNotAcquired
	}
	if size > uint64(len(m.mem)) {
		if size > s.pool.slotBytes {
			return m.mem, m.cardsOf(), fmt.Errorf("memory: commit of %d bytes exceeds the slot size %d", size, s.pool.slotBytes)
		}
		if err := s.pool.commit(m, s.index, size); err != nil {
			return m.mem, m.cardsOf(), err
		}
	}
	return m.mem, m.cardsOf(), nil
}

// Index returns the slot's position in the pool, in [0, Pool.Len()). It is
// stable across tenants; -1 for the zero Slot.
func (s Slot) Index() int {
	if s.pool == nil {
		return -1
	}
	return int(s.index)
}

// Affinity returns the key passed to the Acquire that returned s, or 0 if
// s is stale.
func (s Slot) Affinity() uint64 {
	if m := s.meta(); m != nil {
		return m.key
	}
	return 0
}

// Warm reports whether the slot's previous tenant had the same non-zero
// affinity (false if s is stale).
func (s Slot) Warm() bool {
	if m := s.meta(); m != nil {
		return m.warm
	}
	return false
}

// ImageHit reports whether the image passed to AcquireImage was in place
// already, left by the previous tenant's reset, so that Acquire copied
// nothing (false if s is stale or had no image).
func (s Slot) ImageHit() bool {
	if m := s.meta(); m != nil {
		return m.imageHit && m.image != nil
	}
	return false
}

// SetHighWater records that the tenant wrote no byte at or past offset n:
// Release then scans only the cards below n (rounded up to 4 KiB) instead
// of the whole slot's. The owner of a memory that never shrinks calls it
// with the largest size in bytes the memory reached, typically right
// before Release; the last call wins. Values past SlotBytes mean the whole
// slot. Pages whose card is set at or past n are NOT reset: an n that is
// too small leaves dirty bytes for the next tenant. It does nothing if s
// is stale.
func (s Slot) SetHighWater(n uint64) {
	if m := s.meta(); m != nil {
		m.highWater = n
	}
}
