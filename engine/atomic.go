package engine

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// The threads proposal's instructions (the 0xfe prefix): atomic loads,
// stores, read-modify-writes and compare-exchanges, memory.atomic.wait32/64
// and memory.atomic.notify, atomic.fence. They run in machine.slow (they
// call sync/atomic and, for wait, block): ordinary loads and stores are
// not touched, and an atomic access costs a Go call more than a plain one.
//
// Accesses are sequentially consistent (sync/atomic's guarantee, which is
// what wasm's seq_cst atomics ask for). An 8- or 16-bit access is a
// compare-and-swap loop on the aligned 32-bit word that contains it (Go
// has no narrower atomics), which is in bounds whenever the access is,
// since memory sizes are multiples of 64 KiB. Values go through the
// little-endian atomic helpers of endian_{le,be}.go, so a big-endian host
// byte-swaps around sync/atomic.

// Sub-opcodes of the 0xfe prefix (spec: threads proposal, "Instructions").
const (
	atomicNotify  = 0x00
	atomicWait32  = 0x01
	atomicWait64  = 0x02
	atomicFenceOp = 0x03
	atomicLoadLo  = 0x10 // i32.atomic.load .. i64.atomic.load32_u: 0x10-0x16
	atomicStoreLo = 0x17 // i32.atomic.store .. i64.atomic.store32: 0x17-0x1d
	atomicRMWLo   = 0x1e // rmw.add, sub, and, or, xor, xchg: 7 each, 0x1e-0x47
	atomicCmpxLo  = 0x48 // rmw.cmpxchg: 0x48-0x4e
	atomicLast    = 0x4e
)

// Each group of seven accesses has these sizes in bytes and i64 results:
// i32, i64, i32 8_u, i32 16_u, i64 8_u, i64 16_u, i64 32_u.
var (
	atomicSizes = [7]uint64{4, 8, 1, 2, 1, 2, 4}
	atomicIs64  = [7]bool{false, true, false, false, true, true, true}
)

// atomicShape returns the access size and whether the value is an i64,
// for a sub-opcode from atomicLoadLo to atomicLast.
func atomicShape(sub uint32) (size uint64, is64 bool) {
	i := (sub - atomicLoadLo) % 7
	return atomicSizes[i], atomicIs64[i]
}

// Read-modify-write operations, in the order of their opcode groups.
const (
	rmwAdd = iota
	rmwSub
	rmwAnd
	rmwOr
	rmwXor
	rmwXchg
)

// atomicAddr checks an atomic access of n bytes at effective address ea
// (alignment first, then bounds, as wazero and the reference interpreter
// do) and returns its host address. The loop's cached size may be stale
// for a shared memory another goroutine grew: it is reloaded before an
// out-of-bounds trap (the base never moves).
func (m *machine) atomicAddr(ea, n uint64) (unsafe.Pointer, trapCode) {
	if ea&(n-1) != 0 {
		return nil, trapUnalignedAtomic
	}
	if ea+n > m.memSize {
		mem := m.inst.Memory
		if mem == nil || mem.Shared == nil {
			return nil, trapOOBMemory
		}
		if m.memSize = mem.Len(); ea+n > m.memSize {
			return nil, trapOOBMemory
		}
	}
	// SAFETY: ea+n <= Size <= len(Buf) (see memState), and ea is a
	// multiple of n; the slot's base is page aligned (a Go-heap slot is
	// a large allocation, also page aligned), so the host address is
	// aligned to n as sync/atomic requires.
	return unsafe.Add(m.memBase, ea), trapNone
}

// markCard records a write of at most 8 aligned bytes at ea (one card).
// A shared memory's atomic writes mark nothing: goroutines writing one
// card byte at once would race (Go has no atomic byte store), and its
// last user marks it dirty whole before giving its slot back (see
// Shared), so its cards need not be exact.
func (m *machine) markCard(ea uint64) {
	if m.inst.Memory.Shared != nil {
		return
	}
	// SAFETY: ea < Size, so its card exists (see memState).
	*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1
}

// narrow returns the aligned 32-bit word containing the n-byte (1 or 2)
// access at p and the access's bit shift in that word's little-endian
// value.
func narrow(p unsafe.Pointer, ea uint64) (word unsafe.Pointer, shift uint) {
	// SAFETY: the word holds the access and lies inside the memory
	// (sizes are multiples of 64 KiB); it is 4-byte aligned as the
	// slot's base is.
	return unsafe.Add(p, -int(ea&3)), uint(ea&3) * 8
}

// load reads the n-byte value at p atomically (zero-extended).
func atomicLoadN(p unsafe.Pointer, ea, n uint64) uint64 {
	switch n {
	case 8:
		return atomicLoad64(p)
	case 4:
		return uint64(atomicLoad32(p))
	}
	w, shift := narrow(p, ea)
	return uint64(atomicLoad32(w)>>shift) & (1<<(8*n) - 1)
}

// rmwN applies op with v to the n-byte value at p atomically and returns
// the old value (zero-extended). cmpxchg is rmwXchg with expect set: the
// store happens only when the old value equals *expect.
func rmwN(p unsafe.Pointer, ea, n uint64, op int, v uint64, expect *uint64) uint64 {
	apply := func(old uint64) uint64 {
		switch op {
		case rmwAdd:
			return old + v
		case rmwSub:
			return old - v
		case rmwAnd:
			return old & v
		case rmwOr:
			return old | v
		case rmwXor:
			return old ^ v
		}
		return v
	}
	switch n {
	case 8:
		switch {
		case expect != nil:
			for {
				old := atomicLoad64(p)
				if old != *expect || atomicCAS64(p, old, v) {
					return old
				}
			}
		case op == rmwAdd:
			return atomicAdd64(p, v)
		case op == rmwSub:
			return atomicAdd64(p, -v)
		case op == rmwXchg:
			return atomicSwap64(p, v)
		}
		for {
			old := atomicLoad64(p)
			if atomicCAS64(p, old, apply(old)) {
				return old
			}
		}
	case 4:
		v32 := uint32(v)
		switch {
		case expect != nil:
			for {
				old := atomicLoad32(p)
				if uint64(old) != *expect || atomicCAS32(p, old, v32) {
					return uint64(old)
				}
			}
		case op == rmwAdd:
			return uint64(atomicAdd32(p, v32))
		case op == rmwSub:
			return uint64(atomicAdd32(p, -v32))
		case op == rmwXchg:
			return uint64(atomicSwap32(p, v32))
		}
		for {
			old := atomicLoad32(p)
			if atomicCAS32(p, old, uint32(apply(uint64(old)))) {
				return uint64(old)
			}
		}
	}
	// 8 or 16 bits: a CAS loop on the containing word, changing only
	// the access's bytes.
	w, shift := narrow(p, ea)
	mask := uint32(1<<(8*n)-1) << shift
	for {
		word := atomicLoad32(w)
		old := uint64(word&mask) >> shift
		if expect != nil && old != *expect {
			return old
		}
		nw := word&^mask | uint32(apply(old))<<shift&mask
		if atomicCAS32(w, word, nw) {
			return old
		}
	}
}

// atomicLoad: A = atomic load sub-op C at [B + x].
func (m *machine) atomicLoad(fp unsafe.Pointer, w, x uint64) trapCode {
	n, _ := atomicShape(uint32(wC(w)))
	ea := uint64(uint32(*rb(fp, w))) + x
	p, t := m.atomicAddr(ea, n)
	if t != trapNone {
		return t
	}
	*ra(fp, w) = atomicLoadN(p, ea, n)
	return trapNone
}

// atomicStore: [A + x] = B, sub-op C.
func (m *machine) atomicStore(fp unsafe.Pointer, w, x uint64) trapCode {
	n, _ := atomicShape(uint32(wC(w)))
	ea := uint64(uint32(*ra(fp, w))) + x
	p, t := m.atomicAddr(ea, n)
	if t != trapNone {
		return t
	}
	v := *rb(fp, w)
	switch n {
	case 8:
		atomicStore64(p, v)
	case 4:
		atomicStore32(p, uint32(v))
	default:
		rmwN(p, ea, n, rmwXchg, v, nil)
	}
	m.markCard(ea)
	return trapNone
}

// atomicRMW: A = [B + x&0xffffffff], which becomes A op C (sub-op x>>32).
func (m *machine) atomicRMW(fp unsafe.Pointer, w, x uint64) trapCode {
	sub := uint32(x >> 32)
	n, _ := atomicShape(sub)
	ea := uint64(uint32(*rb(fp, w))) + x&0xffffffff
	p, t := m.atomicAddr(ea, n)
	if t != trapNone {
		return t
	}
	*ra(fp, w) = rmwN(p, ea, n, int(sub-atomicRMWLo)/7, *rc(fp, w), nil)
	m.markCard(ea)
	return trapNone
}

// atomicCmpxchg: A = [B + x&0xffffffff], replaced by cell x>>32&0xffff if
// it equals C (wrapped to the access's size, as the spec compares);
// sub-op x>>48.
func (m *machine) atomicCmpxchg(fp unsafe.Pointer, w, x uint64) trapCode {
	n, _ := atomicShape(uint32(x >> 48))
	ea := uint64(uint32(*rb(fp, w))) + x&0xffffffff
	p, t := m.atomicAddr(ea, n)
	if t != trapNone {
		return t
	}
	expect := *rc(fp, w)
	if n < 8 {
		expect &= 1<<(8*n) - 1
	}
	repl := *cell(fp, x>>32&0xffff)
	if n < 8 {
		repl &= 1<<(8*n) - 1
	}
	*ra(fp, w) = rmwN(p, ea, n, rmwXchg, repl, &expect)
	m.markCard(ea)
	return trapNone
}

// atomicFence is atomic.fence: Go has no bare fence, but every sync/atomic
// operation is sequentially consistent, so a read-modify-write of a word
// nobody else orders anything by is one (LOCK XADD on amd64).
func atomicFence() { fenceWord.Add(0) }

var fenceWord atomic.Uint32

// The wait table: waiters of memory.atomic.wait queue per (memory,
// address), FIFO, in buckets chosen by address, each with its own lock.
// A waiter checks the value under its bucket's lock and enqueues before
// unlocking, and notify dequeues under the same lock, so a notify after
// the store a waiter waits for cannot be missed.
type waitKey struct {
	mem *Memory
	ea  uint64
}

type waitBucket struct {
	mu sync.Mutex
	q  map[waitKey][]*waiter
	_  [40]byte // keep neighbouring buckets' locks off one cache line
}

var waitTable [64]waitBucket

func bucketOf(k waitKey) *waitBucket { return &waitTable[(k.ea>>2)%uint64(len(waitTable))] }

// waiter is one blocked memory.atomic.wait. woken is closed-over by
// notify (under the bucket lock) or by stop; notified says which.
type waiter struct {
	ch       chan struct{} // buffered 1: wake never blocks
	notified bool          // set under the bucket lock by notify
}

// wake makes the waiter's select return (notify, or a stopped call).
func (w *waiter) wake() {
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// atomicWait: A = memory.atomic.wait32/64 at [B + x&0xffffffff] for the
// value C with a timeout in ns in cell x>>32&0xffff (negative: none);
// sub-op x>>48. It returns 0 (woken by notify), 1 (the value differed) or
// 2 (timed out). A done context or Stopper ends the wait with the
// interrupt trap, as it ends a loop.
func (m *machine) atomicWait(fp unsafe.Pointer, w, x uint64) trapCode {
	n := uint64(4)
	if x>>48 == atomicWait64 {
		n = 8
	}
	mem := m.inst.Memory
	if mem == nil || mem.Shared == nil {
		return trapExpectedShared
	}
	ea := uint64(uint32(*rb(fp, w))) + x&0xffffffff
	p, t := m.atomicAddr(ea, n)
	if t != trapNone {
		return t
	}
	expect := *rc(fp, w)
	if n == 4 {
		expect = uint64(uint32(expect))
	}
	timeout := int64(*cell(fp, x>>32&0xffff))
	r, t := m.wait(waitKey{mem, ea}, p, ea, n, expect, timeout)
	if t != trapNone {
		return t
	}
	*ra(fp, w) = r
	return trapNone
}

func (m *machine) wait(k waitKey, p unsafe.Pointer, ea, n, expect uint64, timeout int64) (uint64, trapCode) {
	b := bucketOf(k)
	b.mu.Lock()
	if atomicLoadN(p, ea, n) != expect {
		b.mu.Unlock()
		return 1, trapNone
	}
	if timeout == 0 {
		b.mu.Unlock()
		return 2, trapNone
	}
	wt := &waiter{ch: make(chan struct{}, 1)}
	if b.q == nil {
		b.q = map[waitKey][]*waiter{}
	}
	b.q[k] = append(b.q[k], wt)
	b.mu.Unlock()

	// stop stores stopped before it loads waiting, and we store waiting
	// before we load stopped: one of the two sees the other.
	m.waiting.Store(wt)
	var timer <-chan time.Time
	if timeout > 0 {
		tm := time.NewTimer(time.Duration(timeout))
		defer tm.Stop()
		timer = tm.C
	}
	var done <-chan struct{}
	if m.ctx != nil {
		done = m.ctx.Done()
	}
	if m.stopped.Load() == 0 {
		select {
		case <-wt.ch:
		case <-timer:
		case <-done:
		}
	}
	m.waiting.Store(nil)

	b.mu.Lock()
	defer b.mu.Unlock()
	if wt.notified {
		return 0, trapNone
	}
	q := b.q[k]
	for i, o := range q {
		if o == wt {
			q = append(q[:i], q[i+1:]...)
			break
		}
	}
	if len(q) == 0 {
		delete(b.q, k)
	} else {
		b.q[k] = q
	}
	if m.stopped.Load() != 0 || (done != nil && m.ctx.Err() != nil) {
		return 0, trapInterrupted
	}
	return 2, trapNone
}

// atomicNotify: A = memory.atomic.notify at [B + x], waking at most C
// waiters (oldest first). A memory that is not shared has no waiters: 0.
func (m *machine) atomicNotify(fp unsafe.Pointer, w, x uint64) trapCode {
	ea := uint64(uint32(*rb(fp, w))) + x
	if _, t := m.atomicAddr(ea, 4); t != trapNone {
		return t
	}
	mem := m.inst.Memory
	if mem.Shared == nil {
		*ra(fp, w) = 0
		return trapNone
	}
	*ra(fp, w) = uint64(notify(waitKey{mem, ea}, uint32(*rc(fp, w))))
	return trapNone
}

// notify wakes at most count waiters of k and returns how many it woke.
func notify(k waitKey, count uint32) uint32 {
	b := bucketOf(k)
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.q[k]
	woken := uint32(0)
	for woken < count && int(woken) < len(q) {
		wt := q[woken]
		wt.notified = true
		wt.wake()
		woken++
	}
	if int(woken) == len(q) {
		delete(b.q, k)
	} else if woken > 0 {
		b.q[k] = append(q[:0:0], q[woken:]...)
	}
	return woken
}

// sharedGrew reports whether the running instance's memory is shared and
// now larger than the loop's cached size (another goroutine grew it),
// and then caches the new size. The loop calls it before trapping out of
// bounds, so growth elsewhere costs the accesses nothing.
func (m *machine) sharedGrew() bool {
	mem := m.inst.Memory
	if mem == nil || mem.Shared == nil {
		return false
	}
	if size := mem.Len(); size > m.memSize {
		m.memSize = size
		return true
	}
	return false
}
