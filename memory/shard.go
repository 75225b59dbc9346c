package memory

import (
	"sync"
	"sync/atomic"
)

// shard is one free list of the pool. A free slot is on exactly one
// shard: either on its cold stack (never used) or on both its LRU list and
// the list of its last tenant's key. A released slot goes to the shard of
// the releasing goroutine, so slots drift towards the cores that use them.
type shard struct {
	mu    sync.Mutex
	nfree atomic.Int32 // free slots on this shard; written under mu

	// Guarded by mu.
	cold       []int32            // never-used slots, lowest index on top
	head, tail int32              // LRU list of used free slots: head least recently released
	keys       map[uint64]keyList // free used slots by last tenant's key, MRU at tail

	c counters

	_ [128]byte // keep neighbouring shards off each other's cache lines
}

// keyList is an intrusive list threaded through slotMeta.kprev/knext.
type keyList struct{ head, tail int32 }

// counters are the statistics a shard's users update. They are atomics
// because resets run outside the lock.
type counters struct {
	acquires      atomic.Uint64
	warmHits      atomic.Uint64
	fresh         atomic.Uint64
	releases      atomic.Uint64
	memsetRuns    atomic.Uint64
	memsetBytes   atomic.Uint64
	madviseCalls  atomic.Uint64
	madviseBytes  atomic.Uint64
	madviseErrors atomic.Uint64
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

	kl, ok := sh.keys[m.key]
	if !ok {
		kl = keyList{-1, -1}
	}
	m.kprev, m.knext = kl.tail, -1
	if kl.tail >= 0 {
		meta[kl.tail].knext = i
	} else {
		kl.head = i
	}
	kl.tail = i
	sh.keys[m.key] = kl
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

	kl := sh.keys[m.key]
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
	if kl.head < 0 {
		delete(sh.keys, m.key)
	} else {
		sh.keys[m.key] = kl
	}
	m.prev, m.next, m.kprev, m.knext = -1, -1, -1, -1
}

// takeKey removes and returns the most recently released free slot whose
// last tenant had the given key, or -1. sh.mu must be held.
func (sh *shard) takeKey(meta []slotMeta, key uint64) int32 {
	kl, ok := sh.keys[key]
	if !ok {
		return -1
	}
	i := kl.tail
	sh.unlink(meta, i)
	return i
}

// takeAny removes and returns a free slot, or -1: one last used with key
// 0 (nobody's warm slot), else a never-used one, else the least recently
// released. sh.mu must be held.
func (sh *shard) takeAny(meta []slotMeta) int32 {
	if i := sh.takeKey(meta, 0); i >= 0 {
		return i
	}
	if n := len(sh.cold); n > 0 {
		i := sh.cold[n-1]
		sh.cold = sh.cold[:n-1]
		return i
	}
	if i := sh.head; i >= 0 {
		sh.unlink(meta, i)
		return i
	}
	return -1
}
