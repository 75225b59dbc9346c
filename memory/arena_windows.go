//go:build windows && !wpi_heaparena

package memory

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// arena is the Windows backend: one VirtualAlloc(MEM_RESERVE) per chunk
// of slots (reserve), holding the chunk's slots and then their cards,
// committed (MEM_COMMIT) per slot as its memory grows (Slot.Commit) and
// decommitted (MEM_DECOMMIT) whole when an idle slot is evicted.
//
// A reserved page costs address space only. A committed page counts
// against the system commit limit (RAM plus page files) from the commit
// on, touched or not, and takes a page of RAM (a demand-zero fault) on
// first access; reading or writing a reserved, uncommitted page is an
// access violation, which is why Slot.Bytes only covers the committed
// prefix here.
type arena struct {
	slotBytes, cardStride uint64
	// base and cbase are the addresses of each slot and of its cards,
	// written by reserve before the slot is handed out (the pool
	// publishes it under a shard lock), read-only afterwards.
	base, cbase []uintptr
	chunks      []uintptr // the reservations, for close (under the pool's growMu)
}

// Backend names the slot backend this build uses (see arena_unix.go).
const Backend = "virtualalloc"

// decommitFrees reports whether arena.decommit gives pages back to the OS.
const decommitFrees = true

// newArena reserves nothing yet (see reserve).
func newArena(slots int, slotBytes, cardStride uint64) arena {
	return arena{slotBytes: slotBytes, cardStride: cardStride, base: make([]uintptr, slots), cbase: make([]uintptr, slots)}
}

// reserve reserves slots [lo, hi) and their cards: one
// VirtualAlloc(MEM_RESERVE) of (hi-lo)*(slotBytes+cardStride) bytes.
func (a *arena) reserve(lo, hi int) error {
	n := uint64(hi - lo)
	mem, err := windows.VirtualAlloc(0, uintptr(n*(a.slotBytes+a.cardStride)), windows.MEM_RESERVE, windows.PAGE_READWRITE)
	if err != nil {
		return fmt.Errorf("memory: VirtualAlloc(MEM_RESERVE) of %d slots x %d bytes and their cards: %w", n, a.slotBytes, err)
	}
	a.chunks = append(a.chunks, mem)
	for j := range n {
		a.base[lo+int(j)] = mem + uintptr(j*a.slotBytes)
		a.cbase[lo+int(j)] = mem + uintptr(n*a.slotBytes+j*a.cardStride)
	}
	return nil
}

// bytesAt returns the n bytes at address a of the arena's reservations.
func bytesAt(a uintptr, n uint64) []byte {
	// SAFETY: a is inside a reservation of this arena that stays reserved
	// until close, outside the Go heap, so the garbage collector neither
	// moves nor frees it; the callers only touch the committed prefix of
	// the slice. The conversion goes through memory (not
	// unsafe.Pointer(a)) because a is an address returned by the OS, not
	// a Go pointer turned into an integer.
	p := *(*unsafe.Pointer)(unsafe.Pointer(&a))
	return unsafe.Slice((*byte)(p), n)
}

// slot returns nothing accessible: a slot's pages are committed by
// commit as its memory grows.
func (a *arena) slot(int) (mem, cards []byte) { return nil, nil }

// commit commits the pages of slot i in [len(mem), size) and of their
// cards, and returns the slot's first size bytes and size>>CardShift
// cards. Committing a committed page is a no-op that keeps its contents.
func (a *arena) commit(i int, mem, cards []byte, size uint64) ([]byte, []byte, error) {
	base, cbase := a.base[i], a.cbase[i]
	have := uint64(len(mem))
	if _, err := windows.VirtualAlloc(base+uintptr(have), uintptr(size-have), windows.MEM_COMMIT, windows.PAGE_READWRITE); err != nil {
		return mem, cards, fmt.Errorf("VirtualAlloc(MEM_COMMIT) of %d bytes: %w", size-have, err)
	}
	nc := size >> CardShift
	if _, err := windows.VirtualAlloc(cbase, uintptr(nc), windows.MEM_COMMIT, windows.PAGE_READWRITE); err != nil {
		return mem, cards, fmt.Errorf("VirtualAlloc(MEM_COMMIT) of %d card bytes: %w", nc, err)
	}
	return bytesAt(base, size)[:size:size], bytesAt(cbase, nc)[:nc:nc], nil
}

// decommit gives b's pages back (VirtualFree(MEM_DECOMMIT)) and commits
// them again at once (VirtualAlloc(MEM_COMMIT)): a freshly committed page
// is demand-zero, so b reads as zero, takes no RAM until written and
// stays accessible. Two system calls per run; the commit charge stays.
func (a *arena) decommit(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	addr := uintptr(unsafePointer(b))
	if err := windows.VirtualFree(addr, uintptr(len(b)), windows.MEM_DECOMMIT); err != nil {
		return fmt.Errorf("memory: VirtualFree(MEM_DECOMMIT) of %d bytes: %w", len(b), err)
	}
	if _, err := windows.VirtualAlloc(addr, uintptr(len(b)), windows.MEM_COMMIT, windows.PAGE_READWRITE); err != nil {
		// The range is now reserved only: a later access would fault. The
		// caller's fallback (clear) would too, so report it loudly.
		panic(fmt.Sprintf("memory: re-commit after VirtualFree(MEM_DECOMMIT) of %d bytes failed: %v", len(b), err))
	}
	return nil
}

// evict decommits the whole committed prefix of slot i (its commit
// charge is given back too) and returns an empty accessible prefix. The
// cards stay committed (they are zero, and their pages may be shared
// with the neighbouring slots' cards, which MEM_DECOMMIT would take
// along).
func (a *arena) evict(_ int, mem, cards []byte, _ uint64) ([]byte, []byte, error) {
	if len(mem) == 0 {
		return mem, cards, nil
	}
	if err := windows.VirtualFree(uintptr(unsafePointer(mem)), uintptr(len(mem)), windows.MEM_DECOMMIT); err != nil {
		return mem, cards, fmt.Errorf("memory: VirtualFree(MEM_DECOMMIT) of %d bytes: %w", len(mem), err)
	}
	return mem[:0], cards[:0], nil
}

// close releases every reservation (VirtualFree(MEM_RELEASE)).
func (a *arena) close() error {
	var err error
	for _, c := range a.chunks {
		err = errors.Join(err, windows.VirtualFree(c, 0, windows.MEM_RELEASE))
	}
	a.chunks = nil
	if err != nil {
		return fmt.Errorf("memory: VirtualFree(MEM_RELEASE): %w", err)
	}
	return nil
}
