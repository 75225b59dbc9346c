package memory

import (
	"encoding/binary"
	"fmt"
)

// Image is the initial contents of a range of a slot: typically a module's
// active data segments, flattened, or a snapshot's whole memory. A slot
// acquired with an image holds the image's bytes at [Off, Off+len(Data))
// and zeros everywhere else; when it is released, every dirty page that
// overlaps the image is restored from the image instead of being zeroed,
// so the next tenant with the same image finds it in place and copies
// nothing.
//
// Putting an image into a slot (or taking it out) writes only its pages
// (4 KiB cards) that hold a non-zero byte: a sparse image, such as a
// snapshot of a memory whose heap and stack lie far apart, costs what it
// holds, not its range, and its zero pages are never committed.
//
// An Image is immutable once made and may be shared by any number of
// slots and goroutines. Images are compared by identity (pointer), so
// make one per module, not one per instantiation.
type Image struct {
	off  uint64
	data []byte
	// [lo, hi) is the image range rounded out to whole cards and OS
	// pages: the bytes a change of image must rewrite and a reset must
	// never decommit.
	lo, hi uint64
	// runs are the maximal runs of cards holding a non-zero byte, as
	// slot offsets clipped to [off, End()), in increasing order.
	runs []run
	// nonZero is the sum of the runs' lengths.
	nonZero uint64
}

// run is the byte range [lo, hi) of a slot.
type run struct{ lo, hi uint64 }

// NewImage returns an image of data placed at byte offset off of a slot.
// It keeps data (do not modify it afterwards). It fails if the image would
// end past the 4 GiB a 32-bit memory can address.
func NewImage(off uint64, data []byte) (*Image, error) {
	end := off + uint64(len(data))
	if end < off || end > 1<<32 {
		return nil, fmt.Errorf("memory: image [%d, %d) is out of range", off, end)
	}
	// Round to 64 KiB, which is a multiple of every card and OS page size
	// the pool accepts (see New), so widened decommit runs never reach
	// into the image.
	const round = WasmPageSize
	img := &Image{off: off, data: data}
	if len(data) > 0 {
		img.lo = off &^ (round - 1)
		img.hi = (end + round - 1) &^ (round - 1)
	}
	for c := off &^ (CardSize - 1); c < end; c += CardSize {
		s, e := max(c, off), min(c+CardSize, end)
		if allZero(data[s-off : e-off]) {
			continue
		}
		if n := len(img.runs); n > 0 && img.runs[n-1].hi == s {
			img.runs[n-1].hi = e
		} else {
			img.runs = append(img.runs, run{s, e})
		}
		img.nonZero += e - s
	}
	return img, nil
}

// allZero reports whether every byte of b is zero.
func allZero(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Off returns the offset of the image in the slot, in bytes.
func (img *Image) Off() uint64 { return img.off }

// Len returns the length of the image in bytes.
func (img *Image) Len() int { return len(img.data) }

// End returns Off()+Len(): the first byte past the image.
func (img *Image) End() uint64 { return img.off + uint64(len(img.data)) }

// NonZero returns the bytes of the image's non-zero cards (clipped to the
// image): what putting it into a slot copies.
func (img *Image) NonZero() uint64 { return img.nonZero }

// put copies the image's non-zero cards into buf, a slot whose bytes in
// the image's range are zero.
func (img *Image) put(buf []byte) {
	for _, r := range img.runs {
		copy(buf[r.lo:r.hi], img.data[r.lo-img.off:r.hi-img.off])
	}
}

// remove zeroes the image's non-zero cards in buf, a slot that holds the
// image (and zeros elsewhere in its range), leaving the range all zero.
func (img *Image) remove(buf []byte) {
	for _, r := range img.runs {
		clear(buf[r.lo:r.hi])
	}
}

// restore writes the image's view of [lo, hi) into buf[lo:hi]: image bytes
// where the image covers it, zeros elsewhere (each byte written once).
func (img *Image) restore(buf []byte, lo, hi uint64) {
	s, e := max(lo, img.off), min(hi, img.End())
	if s >= e {
		clear(buf[lo:hi])
		return
	}
	clear(buf[lo:s])
	copy(buf[s:e], img.data[s-img.off:e-img.off])
	clear(buf[e:hi])
}
