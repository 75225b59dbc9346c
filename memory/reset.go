package memory

import "encoding/binary"

// reset zeroes every page of buf whose card is non-zero, clears those
// cards and adds what it did to c. cards may be a prefix of the slot's
// cards (below the high-water mark); buf is the whole slot.
//
// Dirty runs are zeroed with memset, in address order, while the
// keep-resident budget lasts; the rest are given to p.decommit, each
// maximal run of dirty cards (widened to whole OS pages, which is harmless
// because clean pages already read as zero) as one call.
func (p *Pool) reset(buf, cards []byte, c *counters) {
	budget := p.keepResident
	var memsetRuns, memsetBytes, madvCalls, madvBytes, madvErrs uint64
	// Pending decommit range [ds, de) in bytes; empty when de == 0.
	var ds, de uint64
	flush := func() {
		if de == 0 {
			return
		}
		madvCalls++
		madvBytes += de - ds
		if err := p.decommit(buf[ds:de]); err != nil {
			madvErrs++
			clear(buf[ds:de])
		}
		ds, de = 0, 0
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

		if budget > 0 {
			m := min(hi-lo, budget)
			clear(buf[lo : lo+m])
			budget -= m
			memsetRuns++
			memsetBytes += m
			lo += m
		}
		if lo == hi {
			continue
		}
		// Once the budget is spent every later run is decommitted, so
		// widening to OS pages never overlaps a later memset.
		s := lo &^ (p.osPage - 1)
		e := min((hi+p.osPage-1)&^(p.osPage-1), uint64(len(buf)))
		if de != 0 && s <= de {
			de = max(de, e)
		} else {
			flush()
			ds, de = s, e
		}
	}
	flush()

	if memsetRuns != 0 {
		c.memsetRuns.Add(memsetRuns)
		c.memsetBytes.Add(memsetBytes)
	}
	if madvCalls != 0 {
		c.madviseCalls.Add(madvCalls)
		c.madviseBytes.Add(madvBytes)
		if madvErrs != 0 {
			c.madviseErrors.Add(madvErrs)
		}
	}
}
