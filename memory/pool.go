package memory

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/wpi-dev/wpi/internal/layout"
)

// CardShift is log2 of the dirty-tracking granule in bytes: one card byte
// covers 1<<CardShift = 4 KiB of a slot. The interpreter marks
// Cards[ea>>CardShift] on every store and Release resets by the same
// index: both take it from internal/layout.
const CardShift = layout.CardShift

// CardSize is the number of slot bytes covered by one card (4 KiB).
const CardSize = layout.CardSize

// WasmPageSize is the WebAssembly page size in bytes (64 KiB). Slot sizes
// are multiples of it.
const WasmPageSize = layout.PageSize

// Defaults used for zero fields of Config.
const (
	// DefaultSlots is the number of slots when Config.Slots is 0.
	DefaultSlots = 1000
	// DefaultSlotBytes is the slot size when Config.SlotBytes is 0: 4 GiB,
	// so that any 32-bit memory fits in a slot.
	DefaultSlotBytes = 4 << 30
	// DefaultInitialSlots is the number of slots New reserves when
	// Config.InitialSlots is 0 (fewer if Slots is smaller): a 4 GiB slot
	// each, 16 GiB of address space for an idle pool. See Config.InitialSlots.
	DefaultInitialSlots = 4
	// DefaultKeepResident is the per-release memset budget when
	// Config.KeepResident is 0: 16 MiB. A tenant that dirtied at most that
	// much is reset without any system call and leaves its pages mapped,
	// so the next tenant takes no page fault on them.
	DefaultKeepResident = 16 << 20
	// DefaultMaxIdleResident is the cap on bytes kept resident by free
	// slots when Config.MaxIdleResident is 0: 1 GiB.
	DefaultMaxIdleResident = 1 << 30
)

// KeepNone, as Config.KeepResident, resets every dirty page with
// madvise(2) and none with memset.
const KeepNone = -1

// maxShards bounds the number of free-list shards.
const maxShards = 256

// Config describes a Pool. The zero value of each field selects its
// default.
type Config struct {
	// Slots is the number of slots, i.e. the most memories that can be in
	// use at once. Default DefaultSlots (1000).
	Slots int
	// InitialSlots is the number of slots whose address space New
	// reserves. The pool reserves the others on demand, in chunks that
	// double what it holds (InitialSlots more, then twice that, ...) up
	// to Slots: a chunk is reserved (one mmap(2), or VirtualAlloc, once
	// in the pool's life) when an Acquire finds no free slot that is not
	// another tenant's warm slot. Reserved slots stay reserved until
	// Close, never move and never shrink. Default DefaultInitialSlots
	// (4), at most Slots; Slots (or more) reserves the whole pool at New.
	InitialSlots int
	// SlotBytes is the size of each slot in bytes: the largest a memory in
	// it can grow to. It must be a multiple of WasmPageSize (64 KiB).
	// Default DefaultSlotBytes (4 GiB).
	SlotBytes uint64
	// KeepResident is the most dirty bytes one Release zeroes with memset
	// (rounded down to a multiple of CardSize); dirty pages past that
	// budget are given back to the OS (madvise(MADV_DONTNEED) on Linux;
	// see the package documentation for the other backends).
	// memset keeps the pages mapped (no system call now, no page fault for
	// the next tenant) at the price of resident memory held by idle slots.
	// Default DefaultKeepResident (16 MiB); KeepNone (or any negative
	// value) means no memset at all.
	KeepResident int64
	// Shards is the number of free lists the slots are spread over, to
	// keep concurrent Acquire and Release from contending on one lock.
	// Default: GOMAXPROCS at New (one shard per P), but at most Slots/4
	// and 256, at least 1.
	Shards int
	// MaxIdleResident caps the bytes that free (idle) slots may keep
	// resident, summed over the pool: pages kept by memset resets and
	// images left in place. Each shard gets an equal share; when a
	// Release takes its shard past its share, the least recently released
	// free slots of that shard are decommitted whole (one madvise each,
	// their images forgotten) until it is back under. Resident bytes are
	// counted per slot as an upper bound (the end of the highest page
	// ever kept). Default DefaultMaxIdleResident (1 GiB); KeepNone (or
	// any negative value) means no cap.
	MaxIdleResident int64
}

// ErrNoSlot is returned by Acquire when every slot is in use.
var ErrNoSlot = errors.New("memory: no free slot in the pool")

// ErrClosed is returned by Acquire after Close.
var ErrClosed = errors.New("memory: pool is closed")

// ErrNotAcquired is returned by Release for a slot handle that is not
// currently acquired: released twice, or from another pool.
var ErrNotAcquired = errors.New("memory: slot is not acquired (released twice?)")

// ErrBusy is returned (wrapped) by Close while slots are still in use.
var ErrBusy = errors.New("memory: slots still in use")

// Pool is a fixed set of equal, zero-initialised memory slots carved out
// of address-space reservations made in chunks as the pool fills (mmap(2)
// on Unix, VirtualAlloc on Windows; the Go heap elsewhere). See the
// package documentation for layout, backends and reset policy.
//
// All methods are safe for concurrent use by multiple goroutines.
type Pool struct {
	slotBytes    uint64
	cardStride   uint64 // card bytes reserved per slot (>= slotBytes>>CardShift, 64-aligned)
	keepResident uint64
	osPage       uint64

	arena arena // the slots' and cards' backing store (arena_*.go)

	// reserved is the number of slots reserved so far: slots
	// [0, reserved) have their address space and are in use or on their
	// shard's lists; the others are not on any list yet. It only grows,
	// under growMu, after the new slots are on the lists.
	reserved atomic.Int32
	chunks   atomic.Int32 // reservations made (New's included)
	growMu   sync.Mutex   // serialises grow and Close
	// growFailed is the time (UnixNano) of the last refused reservation
	// and growErr the kernel's answer, under growMu: grow tries again only
	// a second later, so a pool whose address space ran out does not ask
	// the kernel on every Acquire.
	growFailed int64
	growErr    error

	meta   []slotMeta
	shards []shard
	hints  sync.Pool // of *hint: the home shard of the calling P (best effort)

	closed atomic.Bool // written while holding every shard lock

	// decommit gives bytes back to the OS so that they read as zero and
	// stay accessible: arena.decommit outside tests.
	decommit func([]byte) error
	// reserve reserves slots [lo, hi) for grow: arena.reserve outside
	// tests.
	reserve func(lo, hi int) error
}

// slotMeta is the pool's state of one slot, padded to two cache lines so
// that slots used by different cores never share one.
type slotMeta struct {
	// state is gen<<1 | inUse. gen counts releases, so that a stale
	// *Slot (from before the last Release) never matches.
	state atomic.Uint64
	// The fields below are guarded by the lock of the slot's shard while
	// the slot is free, and owned by the holder while it is in use.
	key       uint64 // affinity of the current or last tenant
	image     *Image // the image in place (free) or being used (in use); nil for none
	highWater uint64 // bytes below which the current tenant may have written
	resident  uint64 // upper bound of resident bytes: end of the highest page kept
	shard     int32  // the shard whose lists hold the slot when free
	prev      int32  // shard's LRU list of used free slots
	next      int32
	kprev     int32 // shard's list of free slots with the same key
	knext     int32
	klist     *keyList // that list, while the slot is on it
	used      bool     // had a tenant since New (or since it was evicted)
	warm      bool     // the current tenant's key matched the last one's
	imageHit  bool     // the current tenant found its image in place
	// imageBytes is what Acquire wrote to put the current tenant's image
	// in place (old image cleared plus new one copied), added to the
	// shard's counters at Release.
	imageBytes uint64
	// mem is the accessible part of the slot: the whole slot on the mmap
	// backend; the committed prefix on Windows and the Go-heap backend
	// (see arena.commit). cards points at its len(mem)>>CardShift cards
	// (see slotMeta.cardsOf). Owned like the fields above.
	mem   []byte
	cards *byte

	_ [128 - 120]byte
}

// cardsOf returns the cards of m's accessible bytes.
func (m *slotMeta) cardsOf() []byte {
	if m.cards == nil {
		return nil
	}
	n := len(m.mem) >> CardShift
	// SAFETY: m.cards and m.mem are set together (setMem), from an arena
	// slot whose cards slice has len(mem)>>CardShift bytes at m.cards;
	// that memory lives as long as the arena (or, on the Go-heap backend,
	// is kept alive by this pointer).
	return unsafe.Slice(m.cards, n)
}

// setMem records mem and cards (len(mem)>>CardShift of them) as m's
// accessible bytes.
func (m *slotMeta) setMem(mem, cards []byte) {
	m.mem, m.cards = mem, unsafe.SliceData(cards)
}

// hint is a P's home shard (see pickHome). Between hints.Get and hints.Put
// it belongs to one goroutine.
type hint struct {
	home *homeShard
	// misses counts the acquires in a row that found the home shard's
	// lock held (see AcquireImage).
	misses int
	// The hints of different Ps are allocated together: keep each one's
	// misses off the others' cache lines.
	_ [64 - 16]byte
}

// homeShard is the shard of a hint, apart from the hint so that the
// hint's cleanup can read it: a cleanup must not reach its object, so it
// reaches the shards through this, not through the Pool (whose sync.Pool
// may hold the hint).
type homeShard struct {
	shard  atomic.Int32
	shards []shard
}

// New makes a pool of cfg.Slots slots of cfg.SlotBytes bytes each, and
// reserves the address space of the first cfg.InitialSlots of them and of
// their cards (one byte per 4 KiB of slot) in the backend of the OS (see
// the package documentation): on Unix one mmap(2) of
// PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANON (|MAP_NORESERVE where
// defined) for the slots and their cards; on Windows
// VirtualAlloc(MEM_RESERVE), committed as memories grow; elsewhere
// nothing (slots come from the Go heap as they grow). The other slots are
// reserved later, in chunks, as the pool fills (see Config.InitialSlots).
// No RAM is committed: pages are backed on first write. There are no
// guard regions and the mapping is never mprotect'ed.
//
// It fails on invalid configuration or if the first reservation fails
// (for example under vm.overcommit_memory=2 or a low RLIMIT_AS: ask for
// fewer or smaller slots).
func New(cfg Config) (*Pool, error) {
	if cfg.Slots == 0 {
		cfg.Slots = DefaultSlots
	}
	if cfg.SlotBytes == 0 {
		cfg.SlotBytes = DefaultSlotBytes
	}
	switch {
	case cfg.KeepResident == 0:
		cfg.KeepResident = DefaultKeepResident
	case cfg.KeepResident < 0:
		cfg.KeepResident = 0
	}
	switch {
	case cfg.MaxIdleResident == 0:
		cfg.MaxIdleResident = DefaultMaxIdleResident
	case cfg.MaxIdleResident < 0:
		cfg.MaxIdleResident = math.MaxInt64
	}
	if cfg.Slots < 0 || cfg.Slots > math.MaxInt32 {
		return nil, fmt.Errorf("memory: invalid slot count %d", cfg.Slots)
	}
	if cfg.InitialSlots <= 0 {
		cfg.InitialSlots = DefaultInitialSlots
	}
	cfg.InitialSlots = min(cfg.InitialSlots, cfg.Slots)
	if cfg.SlotBytes%WasmPageSize != 0 {
		return nil, fmt.Errorf("memory: slot size %d is not a multiple of 64 KiB", cfg.SlotBytes)
	}
	osPage := uint64(os.Getpagesize())
	if osPage > WasmPageSize || cfg.SlotBytes%osPage != 0 {
		return nil, fmt.Errorf("memory: OS page size %d does not divide 64 KiB", osPage)
	}
	// Pad each slot's cards to a cache line so that neighbouring slots
	// used by different cores do not share one.
	cardStride := (cfg.SlotBytes>>CardShift + 63) &^ 63
	slots := uint64(cfg.Slots)
	if cfg.SlotBytes+cardStride > math.MaxInt/slots {
		return nil, fmt.Errorf("memory: %d slots of %d bytes overflow the address space", slots, cfg.SlotBytes)
	}

	shards := cfg.Shards
	if shards <= 0 {
		shards = min(runtime.GOMAXPROCS(0), cfg.Slots/4, maxShards)
	}
	shards = max(1, min(shards, cfg.Slots))

	p := &Pool{
		slotBytes:    cfg.SlotBytes,
		cardStride:   cardStride,
		keepResident: uint64(cfg.KeepResident) &^ (CardSize - 1),
		osPage:       osPage,
		arena:        newArena(cfg.Slots, cfg.SlotBytes, cardStride),
		meta:         make([]slotMeta, cfg.Slots),
		shards:       make([]shard, shards),
	}
	if err := p.arena.reserve(0, cfg.InitialSlots); err != nil {
		return nil, err
	}
	p.decommit, p.reserve = p.arena.decommit, p.arena.reserve
	p.hints.New = p.newHint
	for i := range p.shards {
		sh := &p.shards[i]
		sh.head, sh.tail = -1, -1
		sh.keys = make(map[uint64]*keyList)
		sh.sweepAt = 64
		sh.cold = make([]int32, 0, cfg.Slots/shards+1)
		sh.residentCap = uint64(cfg.MaxIdleResident) / uint64(shards)
	}
	// Slots are dealt round-robin, reserved or not.
	for i := range p.meta {
		p.meta[i].shard = int32(i % shards)
	}
	p.addSlots(0, cfg.InitialSlots)
	return p, nil
}

// addSlots makes the just reserved slots [lo, hi) accessible and puts
// them on their shards' cold stacks (each pops its lowest index first),
// then counts them reserved. The caller holds growMu, or is New.
func (p *Pool) addSlots(lo, hi int) {
	for i := lo; i < hi; i++ {
		p.meta[i].setMem(p.arena.slot(i))
	}
	n := len(p.shards)
	for k := range min(n, hi-lo) {
		sh := &p.shards[(lo+k)%n]
		sh.mu.Lock()
		// The slots of sh in [lo, hi), highest first.
		for i := hi - 1 - (hi-1-(lo+k))%n; i >= lo; i -= n {
			sh.cold = append(sh.cold, int32(i))
			sh.nfree.Add(1)
		}
		sh.mu.Unlock()
	}
	p.chunks.Add(1)
	p.reserved.Store(int32(hi))
}

// growRetry is how long grow waits after a refused reservation before it
// asks the kernel again.
const growRetry = int64(time.Second)

// grow reserves the next chunk of slots, if the pool still has seen
// slots reserved (otherwise another goroutine grew it meanwhile and grow
// returns nil at once, for the caller to look again). The chunk doubles
// the reserved slots, up to Slots; if the kernel refuses it, grow asks
// for half as many, down to one slot, and fails with the kernel's error
// if even that is refused (and for a second after that without asking).
// It makes one reservation (arena.reserve) per try.
func (p *Pool) grow(seen int) error {
	p.growMu.Lock()
	defer p.growMu.Unlock()
	lo := int(p.reserved.Load())
	switch {
	case p.closed.Load():
		return ErrClosed
	case lo != seen:
		return nil
	case lo == len(p.meta):
		return ErrNoSlot
	case p.growFailed != 0 && time.Now().UnixNano()-p.growFailed < growRetry:
		return p.growErr
	}
	n := max(1, min(lo, len(p.meta)-lo))
	for {
		err := p.reserve(lo, lo+n)
		if err == nil {
			break
		}
		if n == 1 {
			p.growFailed, p.growErr = time.Now().UnixNano(), err
			return err
		}
		n /= 2
	}
	p.growFailed = 0
	p.addSlots(lo, lo+n)
	return nil
}

// SlotBytes returns the size of every slot in bytes.
func (p *Pool) SlotBytes() uint64 { return p.slotBytes }

// Len returns the number of slots (Config.Slots), reserved or not.
func (p *Pool) Len() int { return len(p.meta) }

// Reserved returns the number of slots whose address space is reserved
// so far (see Config.InitialSlots): slots [0, Reserved()).
func (p *Pool) Reserved() int { return int(p.reserved.Load()) }

// Shards returns the number of free-list shards (see Config.Shards).
// Slot i belongs to shard i % Shards() for good.
func (p *Pool) Shards() int { return len(p.shards) }

// newHint gives a P (sync.Pool's New runs for the P whose cache is empty)
// the shard with the fewest Ps homed on it, so that goroutines running at
// once on different Ps use different shards and never share a lock or a
// free list. A hint that sync.Pool drops at a garbage collection gives its
// claim back through a cleanup.
func (p *Pool) newHint() any {
	hs := &homeShard{shards: p.shards}
	hs.shard.Store(int32(p.leastClaimed(-1)))
	p.shards[hs.shard.Load()].claims.Add(1)
	h := &hint{home: hs}
	runtime.AddCleanup(h, func(hs *homeShard) { hs.shards[hs.shard.Load()].claims.Add(-1) }, hs)
	return h
}

// leastClaimed returns the shard other than skip with the fewest hints
// homed on it (ties: the lowest index).
func (p *Pool) leastClaimed(skip int) int {
	best := -1
	for i := range p.shards {
		if i != skip && (best < 0 || p.shards[i].claims.Load() < p.shards[best].claims.Load()) {
			best = i
		}
	}
	return max(best, 0)
}

// rehomeAfter is the number of acquires in a row that must find the home
// shard's lock held before the P moves its home to another shard.
const rehomeAfter = 2

// pickHome returns h's home shard for an acquire, and whether it locked
// that shard's lock (then the caller holds it). It moves h first (see
// rehome) when rehomeAfter acquires in a row found the home shard's lock
// held by another goroutine. It never blocks.
func (p *Pool) pickHome(h *hint) (int, bool) {
	home := int(h.home.shard.Load())
	sh := &p.shards[home]
	if sh.nfree.Load() == 0 {
		return home, false // the passes below look elsewhere anyway
	}
	if sh.mu.TryLock() {
		if h.misses != 0 { // no write in the steady state: h's line stays clean
			h.misses = 0
		}
		return home, true
	}
	if h.misses++; h.misses < rehomeAfter {
		return home, false
	}
	p.rehome(h)
	return int(h.home.shard.Load()), false
}

// rehome moves h to the least-claimed other shard if that has fewer
// hints homed on it than h's. sync.Pool's per-P caches are only a hint: a
// goroutine that migrates between Ps carries a hint along, and two Ps can
// end up homed on one shard, where their goroutines contend for its lock
// on every acquire and release. Moving on contention (as striped counters
// rehash on a failed CAS) spreads them again; one goroutine moves, since
// only the one that found the lock held counts a miss. With more Ps than
// shards, sharing is unavoidable and the claims are level: then h stays,
// rather than trade places with another P over and over.
func (p *Pool) rehome(h *hint) {
	old := int(h.home.shard.Load())
	next := p.leastClaimed(old)
	h.misses = 0
	if p.shards[next].claims.Load() >= p.shards[old].claims.Load() {
		return
	}
	p.shards[next].claims.Add(1)
	h.home.shard.Store(int32(next))
	p.shards[old].claims.Add(-1)
}

// Acquire is AcquireImage(affinity, nil): it hands out a free slot whose
// bytes and cards are all zero.
func (p *Pool) Acquire(affinity uint64) (Slot, error) { return p.AcquireImage(affinity, nil) }

// AcquireImage hands out a free slot whose cards are all zero and whose
// bytes are zero except for img (if not nil), which is in place at its
// offset. Use one Image per module and pass it with every instantiation:
// a slot whose last tenant had the same image gets it for free (see
// Slot.ImageHit); otherwise AcquireImage clears the old image's non-zero
// pages and copies the new one's (see Image), outside any lock. The image must fit in the slot.
//
// affinity is an opaque key for the tenant, typically an id of the module
// and memory index; 0 means none. AcquireImage prefers, in this order: the
// most recently released free slot whose last tenant had the same affinity
// (a warm slot, see Slot.Warm); one whose last tenant had affinity 0; a
// never-used slot (reserving the next chunk of slots if no reserved one is
// left; see Config.InitialSlots); the least recently released free slot.
// Slots on the calling goroutine's home shard are preferred at each step,
// so the order is best effort.
//
// It returns ErrNoSlot if every slot is in use (wrapped with the kernel's
// error if the pool could not reserve more), ErrClosed after Close. It
// makes no heap allocation, and no system call except the one-time
// reservation of a chunk when the pool grows; it takes one shard lock
// (more only when the home shard has no fitting slot).
func (p *Pool) AcquireImage(affinity uint64, img *Image) (Slot, error) {
	if img != nil && img.hi > p.slotBytes {
		return Slot{}, fmt.Errorf("memory: image [%d, %d) does not fit a slot of %d bytes", img.off, img.End(), p.slotBytes)
	}
	n := len(p.shards)
	home, locked := 0, false
	if n > 1 {
		h := p.hints.Get().(*hint)
		home, locked = p.pickHome(h)
		p.hints.Put(h)
	}
	// Pass 0: the home shard, if it has a slot that last served the same
	// key or one nobody is warm in. Taking a fresh slot at home rather than
	// a warm one from another shard costs one image copy once, and keeps
	// goroutines on different Ps off each other's shard locks (each slot
	// returns to the shard that owns it).
	if sh := &p.shards[home]; locked || sh.nfree.Load() > 0 {
		if !locked {
			sh.mu.Lock()
		}
		if p.closed.Load() {
			sh.mu.Unlock()
			return Slot{}, ErrClosed
		}
		if i := sh.takeKey(p.meta, affinity); i >= 0 {
			return p.handOut(sh, i, affinity, img)
		}
		if i := sh.takeUnclaimed(p.meta); i >= 0 {
			return p.handOut(sh, i, affinity, img)
		}
		sh.mu.Unlock()
	}
	// Pass 1: a slot that last served the same key.
	if s, ok, err := p.search(home, affinity, img, func(sh *shard) int32 { return sh.takeKey(p.meta, affinity) }); ok || err != nil {
		return s, err
	}
	// A pool not reserved in full takes a never-used slot from any shard,
	// then grows, rather than take another tenant's warm slot: the order
	// above, with the unreserved slots counted as never used.
	var growErr error
	for seen := int(p.reserved.Load()); seen < len(p.meta); seen = int(p.reserved.Load()) {
		if s, ok, err := p.search(home, affinity, img, func(sh *shard) int32 { return sh.takeUnclaimed(p.meta) }); ok || err != nil {
			return s, err
		}
		if growErr = p.grow(seen); growErr != nil {
			if errors.Is(growErr, ErrClosed) {
				return Slot{}, ErrClosed
			}
			break
		}
	}
	// Pass 2: anything, least harmful first.
	if s, ok, err := p.search(home, affinity, img, func(sh *shard) int32 { return sh.takeAny(p.meta) }); ok || err != nil {
		return s, err
	}
	if p.closed.Load() {
		return Slot{}, ErrClosed
	}
	if growErr != nil && !errors.Is(growErr, ErrNoSlot) {
		return Slot{}, fmt.Errorf("%w (%d of %d slots reserved, reserving more: %w)", ErrNoSlot, p.reserved.Load(), len(p.meta), growErr)
	}
	return Slot{}, ErrNoSlot
}

// search visits the shards with free slots, from home on, and hands out
// the first slot take returns (it runs under the shard's lock; -1: none
// there). It reports whether it found one, or ErrClosed.
func (p *Pool) search(home int, key uint64, img *Image, take func(sh *shard) int32) (Slot, bool, error) {
	n := len(p.shards)
	for k := range n {
		sh := &p.shards[(home+k)%n]
		if sh.nfree.Load() == 0 {
			continue
		}
		sh.mu.Lock()
		if p.closed.Load() {
			sh.mu.Unlock()
			return Slot{}, false, ErrClosed
		}
		if i := take(sh); i >= 0 {
			s, err := p.handOut(sh, i, key, img)
			return s, err == nil, err
		}
		sh.mu.Unlock()
	}
	return Slot{}, false, nil
}

// handOut marks slot i, just taken off sh's lists, in use for a tenant with
// the given key, unlocks sh, puts img in place and returns the handle. If
// the image's range cannot be made accessible (arena.commit fails), the
// slot goes back to the pool and the error is returned.
func (p *Pool) handOut(sh *shard, i int32, key uint64, img *Image) (Slot, error) {
	m := &p.meta[i]
	warm := m.used && key != 0 && m.key == key
	fresh := !m.used
	m.key, m.used, m.warm, m.highWater = key, true, warm, p.slotBytes
	gen := m.state.Load() >> 1
	m.state.Store(gen<<1 | 1)
	sh.nfree.Add(-1)
	sh.idleResident -= m.resident
	sh.c.acquires++
	if warm {
		sh.c.warmHits++
	}
	if fresh {
		sh.c.fresh++
	}
	sh.mu.Unlock()

	// The slot is ours alone now: fix its image without the lock.
	m.imageHit, m.imageBytes = m.image == img, 0
	s := Slot{pool: p, index: i, gen: gen}
	if img != nil && uint64(len(m.mem)) < img.hi {
		if err := p.commit(m, i, img.hi); err != nil {
			_ = p.Release(s) // nothing written: resets nothing
			return Slot{}, err
		}
	}
	if !m.imageHit {
		buf := m.mem
		if old := m.image; old != nil {
			// The slot holds exactly the old image (Release restored it)
			// and zeros elsewhere: clearing its non-zero cards empties it.
			old.remove(buf)
			m.imageBytes += old.nonZero
		}
		if img != nil {
			img.put(buf)
			m.imageBytes += img.nonZero
			m.resident = max(m.resident, img.hi)
		}
		m.image = img
	}
	return s, nil
}

// commit makes the first size bytes of slot i (meta m, owned by the
// caller) and their cards accessible, through the arena, rounded up to a
// multiple of 64 KiB. size is at most SlotBytes.
func (p *Pool) commit(m *slotMeta, i int32, size uint64) error {
	size = (size + WasmPageSize - 1) &^ (WasmPageSize - 1)
	mem, cards, err := p.arena.commit(int(i), m.mem, m.cardsOf(), size)
	if err != nil {
		return fmt.Errorf("memory: making %d bytes of slot %d accessible: %w", size, i, err)
	}
	m.setMem(mem, cards)
	return nil
}

// Release resets the slot and returns it to the pool. s, and every copy
// of it, is stale afterwards (its methods return zero values); slices
// obtained from it must not be used any more.
//
// Reset walks the cards below the slot's high-water mark (see
// Slot.SetHighWater; the whole slot if never set) and, for every page
// whose card is non-zero: restores it from the slot's image if it overlaps
// the image (memset and copy, never madvise), else zeroes it, with memset
// while the KeepResident budget lasts, then with madvise(MADV_DONTNEED),
// one call per maximal run of dirty pages. The cards are cleared.
// Afterwards every card of the slot is zero, and its bytes are zero except
// for the image, provided the tenant marked every page it wrote.
//
// Then, if the free slots of the releasing shard keep more than their
// share of Config.MaxIdleResident resident, the least recently released
// ones are decommitted whole (one madvise each) and forget their image.
//
// If madvise fails the pages are zeroed with memset instead and the
// failure is counted in Stats.MadviseErrors; Release still succeeds.
//
// It returns ErrNotAcquired, and does nothing, if s is not currently
// acquired from p: a second Release of the same handle (even after the
// slot has been acquired again by someone else), the zero Slot, or a
// handle from another pool. So a double release never corrupts the pool
// or another tenant. Release is safe to call concurrently with any other
// method; it takes the lock of the slot's shard once (twice when it
// decommits idle slots) and allocates nothing.
func (p *Pool) Release(s Slot) error {
	if s.pool != p || p == nil {
		return ErrNotAcquired
	}
	m := &p.meta[s.index]
	if !m.state.CompareAndSwap(s.gen<<1|1, (s.gen+1)<<1) {
		return ErrNotAcquired
	}
	// The slot is now neither in use nor on a free list: it is ours alone.
	ncards := (min(m.highWater, uint64(len(m.mem))) + CardSize - 1) >> CardShift
	var c counters
	kept := p.reset(m.mem, m.cardsOf()[:ncards], m.image, &c)
	m.resident = max(m.resident, kept)
	c.releases = 1
	if m.imageHit && m.image != nil {
		c.imageHits = 1
	} else if m.imageBytes != 0 {
		c.imageWrites, c.imageBytes = 1, m.imageBytes
	}

	sh := &p.shards[m.shard]
	sh.mu.Lock()
	sh.c.add(&c)
	sh.pushUsed(p.meta, s.index)
	sh.nfree.Add(1)
	sh.idleResident += m.resident
	var evict [maxEvict]int32
	ne := 0
	for ne < maxEvict && sh.idleResident > sh.residentCap && sh.head >= 0 {
		i := sh.head
		sh.unlink(p.meta, i)
		sh.nfree.Add(-1)
		sh.idleResident -= p.meta[i].resident
		evict[ne] = i
		ne++
	}
	sh.mu.Unlock()
	if ne > 0 {
		p.evict(sh, evict[:ne])
	}
	return nil
}

// maxEvict bounds the idle slots one Release decommits.
const maxEvict = 8

// evict decommits the resident range of each slot in idx (taken off sh's
// lists by the caller, so owned by it), forgets their images and puts
// them back on sh's cold stack as if never used.
func (p *Pool) evict(sh *shard, idx []int32) {
	var c counters
	for _, i := range idx {
		m := &p.meta[i]
		if n := min((m.resident+p.osPage-1)&^(p.osPage-1), uint64(len(m.mem))); n > 0 {
			c.madviseCalls++
			c.madviseBytes += n
			mem, cards, err := p.arena.evict(int(i), m.mem, m.cardsOf(), n)
			if err != nil {
				c.madviseErrors++
				clear(m.mem[:n])
			} else {
				m.setMem(mem, cards)
			}
		}
		m.image, m.resident, m.key, m.used = nil, 0, 0, false
		c.evictions++
	}
	sh.mu.Lock()
	sh.c.add(&c)
	for _, i := range idx {
		sh.cold = append(sh.cold, i)
		sh.nfree.Add(1)
	}
	sh.mu.Unlock()
}

// Close gives the pool's reservations back (munmap(2), VirtualFree, or to
// the garbage collector on the Go-heap backend). It fails with an
// error wrapping ErrBusy, changing nothing, while any slot is acquired (or
// being released). After a successful Close, Acquire returns ErrClosed
// and further Close calls return nil.
func (p *Pool) Close() error {
	p.growMu.Lock()
	defer p.growMu.Unlock()
	for i := range p.shards {
		p.shards[i].mu.Lock()
	}
	defer func() {
		for i := range p.shards {
			p.shards[i].mu.Unlock()
		}
	}()
	if p.closed.Load() {
		return nil
	}
	free := 0
	for i := range p.shards {
		free += int(p.shards[i].nfree.Load())
	}
	if busy := int(p.reserved.Load()) - free; busy != 0 {
		return fmt.Errorf("memory: Close with %d of %d slots in use: %w", busy, len(p.meta), ErrBusy)
	}
	p.closed.Store(true)
	for i := range p.meta {
		p.meta[i].setMem(nil, nil)
		p.meta[i].image = nil
	}
	return p.arena.close()
}

// Stats is a snapshot of a pool's counters. Counters only grow; byte
// counts are in bytes. Each shard is read under its lock, but shards one
// after the other, so while other goroutines are acquiring and releasing
// the totals need not be mutually consistent.
type Stats struct {
	Slots    int // total slots (Config.Slots)
	Reserved int // of which have their address space reserved (see Config.InitialSlots)
	Chunks   int // reservations made for them (one mmap each on Unix)
	InUse    int // acquired and not yet returned by Release
	Idle     int // Slots - InUse

	Acquires uint64 // successful Acquire calls
	WarmHits uint64 // of which got a slot whose last tenant had the same non-zero affinity
	Fresh    uint64 // of which got a never-used (or evicted) slot
	Releases uint64 // completed Release calls

	// Images, counted at Release for the tenant being released.
	ImageHits   uint64 // tenants with an image that found it in place (no copy)
	ImageWrites uint64 // tenants whose Acquire had to clear an old image and/or copy theirs
	ImageBytes  uint64 // bytes those Acquires cleared and copied

	MemsetRuns    uint64 // contiguous dirty runs zeroed (or restored from the image) with memset
	MemsetBytes   uint64 // bytes reset with memset, including RestoredBytes
	RestoredBytes uint64 // of which lie in a page of the slot's image and were restored from it
	MadviseCalls  uint64 // madvise(MADV_DONTNEED) calls, by resets and evictions
	MadviseBytes  uint64 // bytes passed to madvise
	MadviseErrors uint64 // failed madvise calls (their bytes were memset instead)

	Evictions    uint64 // idle slots decommitted whole to respect MaxIdleResident
	IdleResident uint64 // bytes free slots may hold resident now (upper bound)
}

// Stats returns the pool's counters. It makes no system call; see Faults
// for page-fault counts.
func (p *Pool) Stats() Stats {
	var st Stats
	var c counters
	for i := range p.shards {
		sh := &p.shards[i]
		sh.mu.Lock()
		c.add(&sh.c)
		st.IdleResident += sh.idleResident
		sh.mu.Unlock()
	}
	st.Slots = len(p.meta)
	st.Reserved, st.Chunks = int(p.reserved.Load()), int(p.chunks.Load())
	st.Acquires, st.WarmHits, st.Fresh, st.Releases = c.acquires, c.warmHits, c.fresh, c.releases
	st.ImageHits, st.ImageWrites, st.ImageBytes = c.imageHits, c.imageWrites, c.imageBytes
	st.MemsetRuns, st.MemsetBytes, st.RestoredBytes = c.memsetRuns, c.memsetBytes, c.restoredBytes
	st.MadviseCalls, st.MadviseBytes, st.MadviseErrors = c.madviseCalls, c.madviseBytes, c.madviseErrors
	st.Evictions = c.evictions
	st.InUse = int(st.Acquires - st.Releases)
	st.Idle = st.Slots - st.InUse
	return st
}
