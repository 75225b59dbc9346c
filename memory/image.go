package memory

import "fmt"

// Image is the initial contents of a range of a slot: typically a module's
// active data segments, flattened. A slot acquired with an image holds the
// image's bytes at [Off, Off+len(Data)) and zeros everywhere else; when it
// is released, every dirty page that overlaps the image is restored from
// the image instead of being zeroed, so the next tenant with the same
// image finds it in place and copies nothing.
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
}

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
	return img, nil
}

// Off returns the offset of the image in the slot, in bytes.
func (img *Image) Off() uint64 { return img.off }

// Len returns the length of the image in bytes.
func (img *Image) Len() int { return len(img.data) }

// End returns Off()+Len(): the first byte past the image.
func (img *Image) End() uint64 { return img.off + uint64(len(img.data)) }

// restore writes the image's view of [lo, hi) into buf[lo:hi]: image bytes
// where the image covers it, zeros elsewhere.
func (img *Image) restore(buf []byte, lo, hi uint64) {
	clear(buf[lo:hi])
	s, e := max(lo, img.off), min(hi, img.End())
	if s < e {
		copy(buf[s:e], img.data[s-img.off:e-img.off])
	}
}
