package memory

import (
	"sync"
	"sync/atomic"
)

// shard is one free list of the pool. Every slot belongs to one shard for
// good (slotMeta.shard) and goes back to it on Release, wherever it was
// acquired: a goroutine takes from its home shard first and steals from
// others only when that has nothing fitting. A free slot is either on its
// shard's cold stack (never used, or evicted) or on both its LRU list and
// the list of its last tenant's key.
type shard struct {
	mu    sync.Mutex
	nfree atomic.Int32 // free slots on this shard; written under mu
	// claims counts the live hints (Ps) homed on this shard (Pool.newHint).
	claims atomic.Int32

	// Guarded by mu.
	cold         []int32             // never-used slots, lowest index on top
	head, tail   int32               // LRU list of used free slots: head least recently released
	keys         map[uint64]*keyList // free used slots by last tenant's key, MRU at tail; may hold empty lists
	sweepAt      int                 // map size at which pushUsed drops the empty lists
	idleResident uint64              // sum of slotMeta.resident over free slots
	residentCap  uint64              // this shard's share of Config.MaxIdleResident

	c counters

	_ [128]byte // keep neighbouring shards off each other's cache lines
}

// keyList is an intrusive list threaded through slotMeta.kprev/knext.
// Every acquire and release of a warm slot writes its key's list; the
// lists of one key on different shards are made one after the other, and
// at 8 bytes would share a cache line between the cores using those
// shards. The padding gives each list a line of its own.
type keyList struct {
	head, tail int32
	_          [64 - 8]byte
}

// counters are the statistics of a shard. They are plain integers
// guarded by the shard's lock, which Acquire and Release hold anyway: no
// atomic read-modify-write on a shared line per tenant. Resets run outside
// the lock on a local counters value that is added under it.
type counters struct {
	acquires, warmHits, fresh, releases       uint64
	imageHits, imageWrites, imageBytes        uint64
	memsetRuns, memsetBytes, restoredBytes    uint64
	madviseCalls, madviseBytes, madviseErrors uint64
	evictions                                 uint64
}

// add adds o to c.
func (c *counters) add(o *counters) {
	c.acquires += o.acquires
	c.warmHits += o.warmHits
	c.fresh += o.fresh
	c.releases += o.releases
	c.imageHits += o.imageHits
	c.imageWrites += o.imageWrites
	c.imageBytes += o.imageBytes
	c.memsetRuns += o.memsetRuns
	c.memsetBytes += o.memsetBytes
	c.restoredBytes += o.restoredBytes
	c.madviseCalls += o.madviseCalls
	c.madviseBytes += o.madviseBytes
	c.madviseErrors += o.madviseErrors
	c.evictions += o.evictions
}

// pushUsed puts released slot i at the MRU end of the LRU list and of its
// key's list. sh.mu must be held.
func (sh *shard) pushUsed(meta []slotMeta, i int32) {
	m := &meta[i]
	m.prev, m.next = sh.tail, -1
	if sh.tail >= 0 {
		meta[sh.tail].next = i
	} else {
		sh.head = i
	}
	sh.tail = i

	kl := sh.keys[m.key]
	if kl == nil {
		if len(sh.keys) >= sh.sweepAt {
			sh.sweep()
		}
		kl = &keyList{head: -1, tail: -1}
		sh.keys[m.key] = kl
	}
	m.klist = kl
	m.kprev, m.knext = kl.tail, -1
	if kl.tail >= 0 {
		meta[kl.tail].knext = i
	} else {
		kl.head = i
	}
	kl.tail = i
}

// sweep deletes the empty key lists, and sets the map size at which to
// sweep again. Empty lists are kept until then so that a module whose
// slots come and go does not insert and delete its key every time.
func (sh *shard) sweep() {
	for k, kl := range sh.keys {
		if kl.head < 0 {
			delete(sh.keys, k)
		}
	}
	sh.sweepAt = 2*len(sh.keys) + 64
}

// unlink removes used free slot i from both lists. sh.mu must be held.
func (sh *shard) unlink(meta []slotMeta, i int32) {
	m := &meta[i]
	if m.prev >= 0 {
		meta[m.prev].next = m.next
	} else {
		sh.head = m.next
	}
	if m.next >= 0 {
		meta[m.next].prev = m.prev
	} else {
		sh.tail = m.prev
	}

	kl := m.klist
	if m.kprev >= 0 {
		meta[m.kprev].knext = m.knext
	} else {
		kl.head = m.knext
	}
	if m.knext >= 0 {
		meta[m.knext].kprev = m.kprev
	} else {
		kl.tail = m.kprev
	}
	m.prev, m.next, m.kprev, m.knext, m.klist = -1, -1, -1, -1, nil
}

// takeKey removes and returns the most recently released free slot whose
// last tenant had the given key, or -1. sh.mu must be held.
func (sh *shard) takeKey(meta []slotMeta, key uint64) int32 {
	kl := sh.keys[key]
	if kl == nil || kl.tail < 0 {
		return -1
	}
	i := kl.tail
	sh.unlink(meta, i)
	return i
}

// takeAny removes and returns a free slot, or -1: one last used with key
// 0 (nobody's warm slot), else a never-used one, else the least recently
// released. sh.mu must be held.
// takeUnclaimed takes a free slot no other tenant key is warm in: one last
// used with key 0, else a never-used one; -1 if there is none.
func (sh *shard) takeUnclaimed(meta []slotMeta) int32 {
	if i := sh.takeKey(meta, 0); i >= 0 {
		return i
	}
	if n := len(sh.cold); n > 0 {
		i := sh.cold[n-1]
		sh.cold = sh.cold[:n-1]
		return i
	}
	return -1
}

func (sh *shard) takeAny(meta []slotMeta) int32 {
	if i := sh.takeUnclaimed(meta); i >= 0 {
		return i
	}
	if i := sh.head; i >= 0 {
		sh.unlink(meta, i)
		return i
	}
	return -1
}
