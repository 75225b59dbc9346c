//go:build (!unix && !windows) || wpi_heaparena

package memory

// arena is the Go-heap backend, for ports without mmap (wasip1, js,
// plan9): nothing is reserved at New; a slot's bytes and cards are Go
// slices allocated by commit as its memory grows, reset like the other
// backends' (memset of the dirty cards, images kept in place), and
// dropped for the garbage collector when an idle slot is evicted.
//
// There is no address space to reserve, so a slot's address changes when
// it grows (commit copies it into a larger slice: 1.5 times the old one
// at least, so a memory that grows page by page is copied O(log n) times),
// and decommitting a run (past the keep-resident budget) is a memset: the
// Go heap cannot give back part of a slice. A grow the Go heap cannot
// satisfy is fatal ("out of memory"), as any Go allocation is: bound what
// guests may take with Config.SlotBytes (instance.Config.MemoryLimitPages).
//
// The build tag wpi_heaparena selects this backend on Unix too, so that
// its tests run everywhere: go test -tags wpi_heaparena ./memory/ ./instance/.
type arena struct {
	slotBytes uint64
}

// Backend names the slot backend this build uses (see arena_unix.go).
const Backend = "goheap"

// decommitFrees reports whether arena.decommit gives pages back to the OS:
// not here, it zeroes them in place.
const decommitFrees = false

func newArena(_ int, slotBytes, _ uint64) arena {
	return arena{slotBytes: slotBytes}
}

// reserve has nothing to reserve.
func (a *arena) reserve(int, int) error { return nil }

// slot returns nothing: slots are allocated by commit.
func (a *arena) slot(int) (mem, cards []byte) { return nil, nil }

// commit returns the slot's bytes grown to at least size (a multiple of
// 64 KiB: size rounded up, or 1.5 times the old length, at most
// SlotBytes), with the old contents copied, and cards to match.
func (a *arena) commit(_ int, mem, cards []byte, size uint64) ([]byte, []byte, error) {
	n := max(size, uint64(len(mem))+uint64(len(mem))/2)
	n = min((n+WasmPageSize-1)&^(WasmPageSize-1), a.slotBytes)
	m := make([]byte, n)
	copy(m, mem)
	c := make([]byte, n>>CardShift)
	copy(c, cards)
	return m, c, nil
}

// decommit zeroes b: the Go heap has no way to give back part of a slice.
func (a *arena) decommit(b []byte) error {
	clear(b)
	return nil
}

// evict drops the slot's slices for the garbage collector.
func (a *arena) evict(int, []byte, []byte, uint64) ([]byte, []byte, error) {
	return nil, nil, nil
}

// close has nothing to give back but what the pool drops.
func (a *arena) close() error { return nil }
