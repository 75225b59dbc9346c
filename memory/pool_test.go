package memory

import (
	"errors"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newPool makes a pool for a test and closes it at the end, failing the
// test if Close fails.
func newPool(t testing.TB, cfg Config) *Pool {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// whole makes all of s accessible (Slot.Commit; nothing to do on the
// mmap backend) and returns its bytes, so that the tests run on every
// backend.
func whole(s Slot) []byte {
	b, _, err := s.Commit(s.pool.SlotBytes())
	if err != nil {
		panic(err)
	}
	return b
}

// nonZero returns the offset of the first non-zero byte of b, or -1.
func nonZero(b []byte) int {
	for i, v := range b {
		if v != 0 {
			return i
		}
	}
	return -1
}

// dirty writes random non-zero bytes into each given 4 KiB page of s (at
// its first and last byte and a random one) and sets the page's card.
func dirty(s Slot, r *rand.Rand, pages ...int) {
	b, c := whole(s), s.Cards()
	for _, pg := range pages {
		off := pg << CardShift
		b[off] = 1 + byte(r.IntN(255))
		b[off+CardSize-1] = 1 + byte(r.IntN(255))
		b[off+r.IntN(CardSize)] = 1 + byte(r.IntN(255))
		c[pg] = 1
	}
}

// resetStats is the part of Stats a reset determines.
type resetStats struct {
	MemsetRuns, MemsetBytes, MadviseCalls, MadviseBytes, MadviseErrors uint64
}

func resetOf(st Stats) resetStats {
	return resetStats{st.MemsetRuns, st.MemsetBytes, st.MadviseCalls, st.MadviseBytes, st.MadviseErrors}
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"defaults: 1000 x 4 GiB", Config{}, true},
		{"small", Config{Slots: 2, SlotBytes: 64 << 10}, true},
		{"one slot", Config{Slots: 1, SlotBytes: 128 << 10, Shards: 8}, true},
		{"default slot size", Config{Slots: 4}, true},
		{"slot not 64 KiB multiple", Config{Slots: 2, SlotBytes: 4096}, false},
		{"negative slots", Config{Slots: -1, SlotBytes: 64 << 10}, false},
		{"overflow", Config{Slots: 1 << 30, SlotBytes: 1 << 40}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(tc.cfg)
			if (err == nil) != tc.ok {
				t.Fatalf("New(%+v) error = %v, want ok = %v", tc.cfg, err, tc.ok)
			}
			if err != nil {
				return
			}
			if err := p.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		})
	}
}

func TestAcquireZeroed(t *testing.T) {
	const slots, size = 4, 256 << 10
	p := newPool(t, Config{Slots: slots, SlotBytes: size})
	seen := map[int]bool{}
	var got []Slot
	for range slots {
		s, err := p.Acquire(0)
		if err != nil {
			t.Fatalf("Acquire: %v", err)
		}
		got = append(got, s)
		if seen[s.Index()] {
			t.Fatalf("slot %d handed out twice", s.Index())
		}
		seen[s.Index()] = true
		if len(whole(s)) != size || cap(whole(s)) != size {
			t.Errorf("len, cap of Bytes = %d, %d; want %d", len(whole(s)), cap(whole(s)), size)
		}
		if want := size >> CardShift; len(s.Cards()) != want {
			t.Errorf("len(Cards) = %d, want %d", len(s.Cards()), want)
		}
		if i := nonZero(whole(s)); i >= 0 {
			t.Errorf("slot %d byte %d is not zero", s.Index(), i)
		}
		if i := nonZero(s.Cards()); i >= 0 {
			t.Errorf("slot %d card %d is not zero", s.Index(), i)
		}
	}
	for _, s := range got {
		if err := p.Release(s); err != nil {
			t.Fatalf("Release: %v", err)
		}
	}
}

// TestReset writes into pages, releases, re-acquires the same slot and
// checks it is zero again, and that the stats say how.
func TestReset(t *testing.T) {
	const size = 512 << 10 // 128 cards
	tests := []struct {
		name      string
		keep      int64
		pages     []int
		highWater uint64 // 0: not set
		cardVal   byte   // value written to cards; 0 means 1
		want      resetStats
	}{
		{
			name:  "memset within keep-resident",
			pages: []int{0, 5, 6, 127},
			want:  resetStats{MemsetRuns: 3, MemsetBytes: 4 * CardSize},
		},
		{
			name:  "madvise with no keep-resident",
			keep:  KeepNone,
			pages: []int{1, 2, 3, 10, 11, 127},
			want:  resetStats{MadviseCalls: 3, MadviseBytes: 6 * CardSize},
		},
		{
			name:  "budget splits a run",
			keep:  2 * CardSize,
			pages: []int{1, 2, 3, 10, 11},
			want: resetStats{
				MemsetRuns: 1, MemsetBytes: 2 * CardSize,
				MadviseCalls: 2, MadviseBytes: 3 * CardSize,
			},
		},
		{
			name:  "budget ends between runs",
			keep:  3 * CardSize,
			pages: []int{1, 2, 3, 10, 11},
			want: resetStats{
				MemsetRuns: 1, MemsetBytes: 3 * CardSize,
				MadviseCalls: 1, MadviseBytes: 2 * CardSize,
			},
		},
		{
			name:  "budget rounded down to cards",
			keep:  CardSize + 100,
			pages: []int{7, 8},
			want: resetStats{
				MemsetRuns: 1, MemsetBytes: CardSize,
				MadviseCalls: 1, MadviseBytes: CardSize,
			},
		},
		{
			name:      "high-water mark bounds the scan",
			pages:     []int{0, 8, 9, 16},
			highWater: 64<<10 + 1, // cards 0..16
			want:      resetStats{MemsetRuns: 3, MemsetBytes: 4 * CardSize},
		},
		{
			name:    "any non-zero card value is dirty",
			pages:   []int{3, 64},
			cardVal: 0xff,
			want:    resetStats{MemsetRuns: 2, MemsetBytes: 2 * CardSize},
		},
		{
			name:  "every page",
			keep:  KeepNone,
			pages: seq(0, 128),
			want:  resetStats{MadviseCalls: 1, MadviseBytes: size},
		},
		{
			name: "nothing dirty",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPool(t, Config{Slots: 2, SlotBytes: size, KeepResident: tc.keep})
			r := rand.New(rand.NewPCG(1, uint64(len(tc.pages))))
			const key = 42
			s, err := p.Acquire(key)
			if err != nil {
				t.Fatal(err)
			}
			idx := s.Index()
			dirty(s, r, tc.pages...)
			if tc.cardVal != 0 {
				for _, pg := range tc.pages {
					s.Cards()[pg] = tc.cardVal
				}
			}
			if tc.highWater != 0 {
				s.SetHighWater(tc.highWater)
			}
			if err := p.Release(s); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, resetOf(p.Stats())); diff != "" {
				t.Errorf("reset stats (-want +got):\n%s", diff)
			}

			s, err = p.Acquire(key)
			if err != nil {
				t.Fatal(err)
			}
			if s.Index() != idx || !s.Warm() {
				t.Errorf("re-acquire: slot %d warm %v, want slot %d warm", s.Index(), s.Warm(), idx)
			}
			if i := nonZero(whole(s)); i >= 0 {
				t.Errorf("byte %d (page %d) not zero after reset", i, i>>CardShift)
			}
			if i := nonZero(s.Cards()); i >= 0 {
				t.Errorf("card %d not zero after reset", i)
			}
			if err := p.Release(s); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func seq(lo, hi int) []int {
	var s []int
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

// span is a decommitted byte range of a slot, [Off, Off+Len).
type span struct{ Off, Len int }

// recordDecommit replaces p's decommit with one that records the calls
// as offsets into the slot s, then zeroes the bytes (as madvise would), or
// fails with err.
func recordDecommit(p *Pool, s Slot, err error) *[]span {
	var calls []span
	base := whole(s)
	p.decommit = func(b []byte) error {
		off := -1
		for o := 0; o < len(base); o += CardSize {
			if &base[o] == &b[0] {
				off = o
				break
			}
		}
		calls = append(calls, span{off, len(b)})
		if err != nil {
			return err
		}
		clear(b)
		return nil
	}
	return &calls
}

func TestDecommitMerging(t *testing.T) {
	if os.Getpagesize() != CardSize {
		t.Skipf("OS page size %d: runs are widened to OS pages", os.Getpagesize())
	}
	tests := []struct {
		name  string
		pages []int
		want  []span
	}{
		{"two runs", []int{1, 2, 3, 10, 11}, []span{{1 * CardSize, 3 * CardSize}, {10 * CardSize, 2 * CardSize}}},
		{"one page", []int{0}, []span{{0, CardSize}}},
		{"gap of one", []int{4, 6}, []span{{4 * CardSize, CardSize}, {6 * CardSize, CardSize}}},
		{"across 8-card words", []int{6, 7, 8, 9, 31, 32}, []span{{6 * CardSize, 4 * CardSize}, {31 * CardSize, 2 * CardSize}}},
		{"last page", []int{63}, []span{{63 * CardSize, CardSize}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPool(t, Config{Slots: 1, SlotBytes: 256 << 10, KeepResident: KeepNone})
			s, err := p.Acquire(0)
			if err != nil {
				t.Fatal(err)
			}
			calls := recordDecommit(p, s, nil)
			dirty(s, rand.New(rand.NewPCG(2, 3)), tc.pages...)
			if err := p.Release(s); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *calls); diff != "" {
				t.Errorf("decommit calls (-want +got):\n%s", diff)
			}
			if got := p.Stats().MadviseCalls; got != uint64(len(tc.want)) {
				t.Errorf("Stats.MadviseCalls = %d, want %d", got, len(tc.want))
			}
		})
	}
}

func TestDecommitFailure(t *testing.T) {
	p := newPool(t, Config{Slots: 1, SlotBytes: 256 << 10, KeepResident: KeepNone})
	s, err := p.Acquire(0)
	if err != nil {
		t.Fatal(err)
	}
	calls := recordDecommit(p, s, errors.New("injected"))
	dirty(s, rand.New(rand.NewPCG(4, 5)), 2, 3, 9)
	if err := p.Release(s); err != nil {
		t.Fatalf("Release: %v", err)
	}
	want := resetStats{MadviseCalls: 2, MadviseBytes: 3 * CardSize, MadviseErrors: 2}
	if diff := cmp.Diff(want, resetOf(p.Stats())); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if len(*calls) != 2 {
		t.Errorf("decommit calls = %v, want 2", *calls)
	}
	s, err = p.Acquire(0)
	if err != nil {
		t.Fatal(err)
	}
	if i := nonZero(whole(s)); i >= 0 {
		t.Errorf("byte %d not zero after failed madvise", i)
	}
	if err := p.Release(s); err != nil {
		t.Fatal(err)
	}
}

func TestFullAndRelease(t *testing.T) {
	const slots = 3
	p := newPool(t, Config{Slots: slots, SlotBytes: 64 << 10, Shards: 2})
	var held []Slot
	for range slots {
		s, err := p.Acquire(0)
		if err != nil {
			t.Fatalf("Acquire: %v", err)
		}
		held = append(held, s)
	}
	if _, err := p.Acquire(0); !errors.Is(err, ErrNoSlot) {
		t.Fatalf("Acquire on a full pool: %v, want ErrNoSlot", err)
	}
	if _, err := p.Acquire(7); !errors.Is(err, ErrNoSlot) {
		t.Fatalf("Acquire(7) on a full pool: %v, want ErrNoSlot", err)
	}
	if err := p.Close(); !errors.Is(err, ErrBusy) {
		t.Fatalf("Close while in use: %v, want ErrBusy", err)
	}
	want := Stats{Slots: slots, Reserved: slots, Chunks: 1, InUse: slots, Idle: 0, Acquires: slots, Fresh: slots}
	if diff := cmp.Diff(want, p.Stats()); diff != "" {
		t.Errorf("stats when full (-want +got):\n%s", diff)
	}

	if err := p.Release(held[1]); err != nil {
		t.Fatal(err)
	}
	s, err := p.Acquire(0)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	if s.Index() != held[1].Index() {
		t.Errorf("got slot %d, want the released slot %d", s.Index(), held[1].Index())
	}
	held[1] = s
	for _, s := range held {
		if err := p.Release(s); err != nil {
			t.Fatal(err)
		}
	}
	want = Stats{Slots: slots, Reserved: slots, Chunks: 1, InUse: 0, Idle: slots, Acquires: slots + 1, Fresh: slots, Releases: slots + 1}
	if diff := cmp.Diff(want, p.Stats()); diff != "" {
		t.Errorf("stats after release (-want +got):\n%s", diff)
	}
}

func TestDoubleRelease(t *testing.T) {
	p := newPool(t, Config{Slots: 1, SlotBytes: 64 << 10})
	other := newPool(t, Config{Slots: 1, SlotBytes: 64 << 10})

	a, err := p.Acquire(0)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Release(a); !errors.Is(err, ErrNotAcquired) {
		t.Errorf("Release to another pool: %v, want ErrNotAcquired", err)
	}
	if err := p.Release(Slot{}); !errors.Is(err, ErrNotAcquired) {
		t.Errorf("Release(Slot{}): %v, want ErrNotAcquired", err)
	}
	if err := p.Release(a); err != nil {
		t.Fatal(err)
	}
	if err := p.Release(a); !errors.Is(err, ErrNotAcquired) {
		t.Errorf("second Release: %v, want ErrNotAcquired", err)
	}

	// The stale handle must not release the slot's next tenants.
	for n := 1; n < 10; n++ {
		b, err := p.Acquire(0)
		if err != nil {
			t.Fatal(err)
		}
		if a.Index() != b.Index() || a == b {
			t.Fatalf("tenant %d: handles %+v, %+v", n, a, b)
		}
		if a.Acquired() || a.Bytes() != nil || a.Cards() != nil || a.Warm() || a.Affinity() != 0 {
			t.Errorf("tenant %d: stale handle still gives access", n)
		}
		a.SetHighWater(0) // must not shrink b's scan
		if err := p.Release(a); !errors.Is(err, ErrNotAcquired) {
			t.Errorf("tenant %d: stale Release: %v, want ErrNotAcquired", n, err)
		}
		if st := p.Stats(); st.InUse != 1 || st.Releases != uint64(n) {
			t.Errorf("tenant %d: after stale Release: InUse %d Releases %d, want 1, %d", n, st.InUse, st.Releases, n)
		}
		if _, err := p.Acquire(0); !errors.Is(err, ErrNoSlot) {
			t.Errorf("tenant %d: Acquire: %v, want ErrNoSlot (b still holds the slot)", n, err)
		}
		whole(b)[CardSize] = 1
		b.Cards()[1] = 1
		if err := p.Release(b); err != nil {
			t.Fatal(err)
		}
	}
	c, err := p.Acquire(0)
	if err != nil {
		t.Fatal(err)
	}
	if i := nonZero(whole(c)); i >= 0 {
		t.Errorf("byte %d not zero: a stale SetHighWater shortened a reset", i)
	}
	if err := p.Release(c); err != nil {
		t.Fatal(err)
	}
	if z := (Slot{}); z.Index() != -1 || z.Acquired() || z.Bytes() != nil {
		t.Errorf("zero Slot: Index %d Acquired %v Bytes %v", z.Index(), z.Acquired(), z.Bytes())
	}
}

func TestClose(t *testing.T) {
	p, err := New(Config{Slots: 2, SlotBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Acquire(0)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); !errors.Is(err, ErrBusy) {
		t.Fatalf("Close while in use: %v, want ErrBusy", err)
	}
	if err := p.Release(s); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := p.Acquire(0); !errors.Is(err, ErrClosed) {
		t.Fatalf("Acquire after Close: %v, want ErrClosed", err)
	}
	if err := p.Release(s); !errors.Is(err, ErrNotAcquired) {
		t.Fatalf("Release after Close: %v, want ErrNotAcquired", err)
	}
}

// TestAffinity checks the slot-choice order with one shard, where it is
// exact.
func TestAffinity(t *testing.T) {
	p := newPool(t, Config{Slots: 4, SlotBytes: 64 << 10, Shards: 1})
	acq := func(key uint64) Slot {
		t.Helper()
		s, err := p.Acquire(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rel := func(ss ...Slot) {
		t.Helper()
		for _, s := range ss {
			if err := p.Release(s); err != nil {
				t.Fatal(err)
			}
		}
	}
	type got struct {
		Index int
		Warm  bool
	}
	a, b := acq(7), acq(8) // fresh slots 0, 1
	rel(a, b)
	var trace []got
	for _, key := range []uint64{8, 7} {
		s := acq(key)
		trace = append(trace, got{s.Index(), s.Warm()})
		rel(s)
	}
	// Key 9 is new: a never-used slot, keeping 7's and 8's warm slots.
	c := acq(9)
	trace = append(trace, got{c.Index(), c.Warm()})
	// Key 0 never counts as warm, and then prefers slots nobody wants.
	z := acq(0)
	trace = append(trace, got{z.Index(), z.Warm()})
	rel(z)
	d := acq(10) // takes z's slot (last key 0) before a cold one
	trace = append(trace, got{d.Index(), d.Warm()})
	// Pool now: 0 free (key 7), 1 free (key 8), 2 held (9), 3 held (10).
	// Key 11 must evict the least recently released: slot 1 (key 8) was
	// released before slot 0 (key 7).
	e := acq(11)
	trace = append(trace, got{e.Index(), e.Warm()})
	rel(c, d, e)

	want := []got{{1, true}, {0, true}, {2, false}, {3, false}, {3, false}, {1, false}}
	if diff := cmp.Diff(want, trace); diff != "" {
		t.Errorf("slot choices (-want +got):\n%s", diff)
	}
	st := p.Stats()
	if st.WarmHits != 2 || st.Fresh != 4 {
		t.Errorf("WarmHits %d Fresh %d, want 2, 4", st.WarmHits, st.Fresh)
	}
}

// TestResetRandom compares reset with a simple model on random card
// patterns: exactly the dirty pages are zeroed (a marker left on a clean
// page survives), the first KeepResident dirty bytes by memset, the rest
// by one decommit per maximal run.
func TestResetRandom(t *testing.T) {
	if os.Getpagesize() != CardSize {
		t.Skipf("OS page size %d: runs are widened to OS pages", os.Getpagesize())
	}
	const size = 1 << 20 // 256 cards
	const ncards = size >> CardShift
	r := rand.New(rand.NewPCG(7, 8))
	p := newPool(t, Config{Slots: 1, SlotBytes: size})
	for iter := range 300 {
		keep := uint64(r.IntN(ncards/4)) * CardSize
		p.keepResident = keep
		density := []int{1, 5, 30, 60, 95}[iter%5]
		s, err := p.Acquire(0)
		if err != nil {
			t.Fatal(err)
		}
		calls := recordDecommit(p, s, nil)
		b, c := whole(s), s.Cards()
		var dirtyPages, cleanPages []int
		for pg := range ncards {
			if r.IntN(100) < density {
				dirtyPages = append(dirtyPages, pg)
			} else {
				cleanPages = append(cleanPages, pg)
			}
		}
		dirty(s, r, dirtyPages...)
		for _, pg := range cleanPages {
			b[pg<<CardShift+100] = 0xAA // not marked: reset must not touch it
		}

		// Model.
		var wantCalls []span
		var wantMemset uint64
		budget := keep
		for i := 0; i < ncards; {
			if c[i] == 0 {
				i++
				continue
			}
			j := i
			for j < ncards && c[j] != 0 {
				j++
			}
			lo, hi := uint64(i)<<CardShift, uint64(j)<<CardShift
			m := min(hi-lo, budget)
			budget -= m
			wantMemset += m
			if lo+m < hi {
				wantCalls = append(wantCalls, span{int(lo + m), int(hi - lo - m)})
			}
			i = j
		}

		before := p.Stats()
		if err := p.Release(s); err != nil {
			t.Fatal(err)
		}
		after := p.Stats()
		if diff := cmp.Diff(wantCalls, *calls); diff != "" {
			t.Fatalf("iter %d (keep %d, density %d%%): decommit calls (-want +got):\n%s", iter, keep, density, diff)
		}
		if got := after.MemsetBytes - before.MemsetBytes; got != wantMemset {
			t.Fatalf("iter %d: memset %d bytes, want %d", iter, got, wantMemset)
		}

		s, err = p.Acquire(0)
		if err != nil {
			t.Fatal(err)
		}
		b, c = whole(s), s.Cards()
		for _, pg := range cleanPages {
			if b[pg<<CardShift+100] != 0xAA {
				t.Fatalf("iter %d: clean page %d was touched", iter, pg)
			}
			b[pg<<CardShift+100] = 0
		}
		if i := nonZero(b); i >= 0 {
			t.Fatalf("iter %d: byte %d (page %d) not zero after reset", iter, i, i>>CardShift)
		}
		if i := nonZero(c); i >= 0 {
			t.Fatalf("iter %d: card %d not zero after reset", iter, i)
		}
		if err := p.Release(s); err != nil {
			t.Fatal(err)
		}
	}
}
