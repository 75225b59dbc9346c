package memory

import "encoding/binary"

// reset restores every page of buf whose card is non-zero, clears those
// cards and adds what it did to c. cards may be a prefix of the slot's
// cards (below the high-water mark); buf is the whole slot; img is the
// slot's image or nil. It returns the end of the highest page it left
// resident (restored or memset), 0 if none.
//
// Dirty pages that overlap the image's rounded range are restored from the
// image (memset then copy; never decommitted, they are what the next
// tenant of the module needs). The other dirty runs are zeroed with
// memset, in address order, while the keep-resident budget lasts; the rest
// are given to p.decommit, each maximal run of dirty cards (widened to
// whole OS pages, which is harmless because clean pages already read as
// zero, and never reaches the image, whose range is rounded to 64 KiB) as
// one call.
func (p *Pool) reset(buf, cards []byte, img *Image, c *counters) (kept uint64) {
	budget := p.keepResident
	// The image's protected range, empty without an image.
	var ilo, ihi uint64
	if img != nil {
		ilo, ihi = img.lo, img.hi
	}
	// Pending decommit range [ds, de) in bytes; empty when de == 0.
	var ds, de uint64
	flush := func() {
		if de == 0 {
			return
		}
		c.madviseCalls++
		c.madviseBytes += de - ds
		if err := p.decommit(buf[ds:de]); err != nil {
			c.madviseErrors++
			clear(buf[ds:de])
		}
		ds, de = 0, 0
	}
	// zero resets the dirty run [lo, hi), which lies outside the image.
	zero := func(lo, hi uint64) {
		if budget > 0 {
			m := min(hi-lo, budget)
			clear(buf[lo : lo+m])
			budget -= m
			c.memsetRuns++
			c.memsetBytes += m
			lo += m
			kept = max(kept, lo)
		}
		if lo == hi {
			return
		}
		// Once the budget is spent every later run outside the image is
		// decommitted, so widening to OS pages never overlaps a later
		// memset; image pages are 64 KiB-aligned, so it never reaches them.
		s := lo &^ (p.osPage - 1)
		e := min((hi+p.osPage-1)&^(p.osPage-1), uint64(len(buf)))
		if de != 0 && s <= de {
			de = max(de, e)
		} else {
			flush()
			ds, de = s, e
		}
	}

	n := len(cards)
	for i := 0; i < n; {
		// Skip clean cards, 32 then 8 at a time where possible.
		for i+32 <= n {
			w := cards[i : i+32 : i+32]
			le := binary.LittleEndian
			if le.Uint64(w[0:])|le.Uint64(w[8:])|le.Uint64(w[16:])|le.Uint64(w[24:]) != 0 {
				break
			}
			i += 32
		}
		for i+8 <= n && binary.LittleEndian.Uint64(cards[i:]) == 0 {
			i += 8
		}
		if i >= n {
			break
		}
		if cards[i] == 0 {
			i++
			continue
		}
		j := i + 1
		for j < n && cards[j] != 0 {
			j++
		}
		clear(cards[i:j])
		lo, hi := uint64(i)<<CardShift, uint64(j)<<CardShift
		i = j

		// Split the run around the image: [lo, ilo) zero, [ilo, ihi)
		// restore, [ihi, hi) zero.
		if hi <= ilo || lo >= ihi {
			zero(lo, hi)
			continue
		}
		if lo < ilo {
			zero(lo, ilo)
			lo = ilo
		}
		rhi := min(hi, ihi)
		img.restore(buf, lo, rhi)
		c.memsetRuns++
		c.memsetBytes += rhi - lo
		c.restoredBytes += rhi - lo
		budget -= min(budget, rhi-lo)
		kept = max(kept, rhi)
		if rhi < hi {
			zero(rhi, hi)
		}
	}
	flush()
	return kept
}
