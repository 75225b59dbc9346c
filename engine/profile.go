package engine

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"unsafe"
)

// Instruction profiles (build tag wpiprofile): every instruction the
// interpreter dispatches is counted by opcode, and so are adjacent pairs
// and triples, where adjacent means the next instruction in the code ran
// right after (the sequences a fused instruction could replace; a taken
// branch, call or return breaks the sequence). Without the tag,
// profiling is a false constant and execute carries no trace of it.
//
// The counters are process-wide and not synchronised: profile one call at
// a time.

var prof struct {
	mu      sync.Mutex
	ops     [opCount]uint64
	pairs   []uint64 // [opCount*opCount], by first*opCount+second
	triples map[uint32]uint64
	prev    [2]opcode // the last two instructions, prev[1] the latest
	run     int       // how many of prev are adjacent to the next
	next    uintptr   // where the latest instruction's successor starts (an address, maybe past the code's end: not a pointer)
}

// profileStep counts the instruction w at pc.
func profileStep(pc unsafe.Pointer, w uint64) {
	op := wOp(w)
	if prof.pairs == nil {
		prof.pairs = make([]uint64, int(opCount)*int(opCount))
		prof.triples = map[uint32]uint64{}
	}
	prof.ops[op]++
	if uintptr(pc) != prof.next {
		prof.run = 0
	}
	if prof.run >= 1 {
		prof.pairs[int(prof.prev[1])*int(opCount)+int(op)]++
	}
	if prof.run >= 2 {
		prof.triples[uint32(prof.prev[0])<<20|uint32(prof.prev[1])<<10|uint32(op)]++
	}
	prof.prev[0], prof.prev[1] = prof.prev[1], op
	prof.run = min(prof.run+1, 2)
	n := 1 + opInfos[op].fmt.extraWords()
	if opInfos[op].fmt == fmtBrTable {
		n += int(wB(w))
	}
	prof.next = uintptr(pc) + uintptr(8*n)
}

// Profile is a snapshot of the instruction counts (see ProfileEnabled).
type Profile struct {
	Ops     map[string]uint64 // by instruction name
	Pairs   map[string]uint64 // "a b"
	Triples map[string]uint64 // "a b c"
}

// ProfileEnabled reports whether this build counts instructions (the
// wpiprofile build tag).
const ProfileEnabled = profiling

// TakeProfile returns the counts gathered since the last call and resets
// them. Without the wpiprofile build tag the profile is empty.
func TakeProfile() Profile {
	prof.mu.Lock()
	defer prof.mu.Unlock()
	p := Profile{Ops: map[string]uint64{}, Pairs: map[string]uint64{}, Triples: map[string]uint64{}}
	for op, n := range prof.ops {
		if n != 0 {
			p.Ops[opInfos[op].name] = n
		}
	}
	for i, n := range prof.pairs {
		if n != 0 {
			p.Pairs[opInfos[i/int(opCount)].name+" "+opInfos[i%int(opCount)].name] = n
		}
	}
	for k, n := range prof.triples {
		p.Triples[opInfos[k>>20].name+" "+opInfos[k>>10&0x3ff].name+" "+opInfos[k&0x3ff].name] = n
	}
	prof.ops = [opCount]uint64{}
	prof.pairs, prof.triples, prof.run, prof.next = nil, nil, 0, 0
	return p
}

// WriteTop writes the n most frequent entries of counts, with their share
// of total, as Markdown table rows.
func WriteTop(w io.Writer, counts map[string]uint64, total uint64, n int) {
	type kv struct {
		k string
		v uint64
	}
	var all []kv
	for k, v := range counts {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v || all[i].v == all[j].v && all[i].k < all[j].k })
	for i, e := range all {
		if i == n {
			break
		}
		fmt.Fprintf(w, "| %d | %s | %d | %.2f%% |\n", i+1, e.k, e.v, 100*float64(e.v)/float64(max(total, 1)))
	}
}
