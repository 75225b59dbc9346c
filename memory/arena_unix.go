//go:build unix && !wpi_heaparena

package memory

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// arena is the mmap backend (every Unix): one private anonymous
// read-write mapping per chunk of slots (reserve), holding the chunk's
// slots and then their cards, MAP_NORESERVE where the OS defines it
// (mapNoReserve). Every slot is accessible in full from its reservation
// on; commit has nothing to do.
type arena struct {
	slotBytes, cardStride uint64
	// chunks are the mappings, in slot order. Only reserve (under the
	// pool's growMu, or in New), slot (right after reserve) and close
	// (under growMu) use them.
	chunks []chunk
}

// chunk is one mapping: slots [lo, hi), (hi-lo)*slotBytes bytes, then
// their cards, (hi-lo)*cardStride bytes.
type chunk struct {
	lo, hi int
	mem    []byte
}

// Backend names the slot backend this build uses: "mmap" (every Unix),
// "virtualalloc" (Windows) or "goheap" (no mmap: wasip1, js, plan9, or the
// wpi_heaparena build tag).
const Backend = "mmap"

// decommitFrees reports whether arena.decommit gives pages back to the OS
// (they refault on the next write) rather than zeroing them in place.
const decommitFrees = true

// mmapFlags are the flags of every mapping the backend makes.
const mmapFlags = unix.MAP_PRIVATE | unix.MAP_ANON | mapNoReserve

// newArena reserves nothing yet (see reserve).
func newArena(_ int, slotBytes, cardStride uint64) arena {
	return arena{slotBytes: slotBytes, cardStride: cardStride}
}

// reserve maps slots [lo, hi) and their cards: one mmap(2) of
// (hi-lo)*(slotBytes+cardStride) bytes. lo is the end of the last chunk.
func (a *arena) reserve(lo, hi int) error {
	n := uint64(hi - lo)
	mem, err := unix.Mmap(-1, 0, int(n*(a.slotBytes+a.cardStride)), unix.PROT_READ|unix.PROT_WRITE, mmapFlags)
	if err != nil {
		return fmt.Errorf("memory: mmap of %d slots x %d bytes and their cards: %w", n, a.slotBytes, err)
	}
	a.chunks = append(a.chunks, chunk{lo: lo, hi: hi, mem: mem})
	return nil
}

// slot returns slot i's bytes and cards: the whole slot, len and cap
// SlotBytes, and its SlotBytes>>CardShift cards. Slot i must be reserved.
func (a *arena) slot(i int) (mem, cards []byte) {
	k := len(a.chunks) - 1
	for a.chunks[k].lo > i {
		k--
	}
	c := &a.chunks[k]
	j := uint64(i - c.lo)
	off := j * a.slotBytes
	coff, nc := uint64(c.hi-c.lo)*a.slotBytes+j*a.cardStride, a.slotBytes>>CardShift
	return c.mem[off : off+a.slotBytes : off+a.slotBytes], c.mem[coff : coff+nc : coff+nc]
}

// commit returns mem and cards: they are the whole slot already.
func (a *arena) commit(_ int, mem, cards []byte, _ uint64) ([]byte, []byte, error) {
	return mem, cards, nil
}

// decommit gives b's pages back to the kernel so that they read as zero
// and refault (a fresh zeroed page) on the next write; b stays mapped
// read-write. b must be page-aligned. See decommitPages (per OS).
func (a *arena) decommit(b []byte) error { return decommitPages(b) }

// evict decommits the first n bytes of the slot; it stays accessible.
func (a *arena) evict(_ int, mem, cards []byte, n uint64) ([]byte, []byte, error) {
	return mem, cards, decommitPages(mem[:n])
}

// close unmaps every chunk with munmap(2).
func (a *arena) close() error {
	var err error
	for _, c := range a.chunks {
		err = errors.Join(err, unix.Munmap(c.mem))
	}
	a.chunks = nil
	if err != nil {
		return fmt.Errorf("memory: munmap: %w", err)
	}
	return nil
}

// remapZero replaces b's pages with fresh zero pages by mapping a new
// private anonymous read-write mapping over them with MAP_FIXED: the old
// pages are freed at once (as munmap would) and the range reads as zero
// and refaults on the next write. It is how the BSDs and macOS decommit,
// where neither MADV_DONTNEED nor MADV_FREE promises zeros. b must be
// page-aligned and lie inside a mapping of the arena.
func remapZero(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	// SAFETY: b lies inside one of the arena's own mappings, which no Go
	// pointer but the slot's owner's (who asked for the reset) refers to;
	// MAP_FIXED replaces exactly [&b[0], &b[0]+len(b)) with a mapping of the
	// same protection, so every address stays valid and only the contents
	// change (to zero).
	p, err := unix.MmapPtr(-1, 0, unsafePointer(b), uintptr(len(b)), unix.PROT_READ|unix.PROT_WRITE, mmapFlags|unix.MAP_FIXED)
	if err != nil {
		return fmt.Errorf("memory: mmap(MAP_FIXED) over %d bytes: %w", len(b), err)
	}
	if p != unsafePointer(b) {
		return fmt.Errorf("memory: mmap(MAP_FIXED) moved the range")
	}
	return nil
}
