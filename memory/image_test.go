package memory

import (
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// wantImage returns a slot-sized buffer holding img (nil: all zero).
func wantImage(size int, img *Image) []byte {
	b := make([]byte, size)
	if img != nil {
		copy(b[img.Off():], img.data)
	}
	return b
}

// firstDiff returns the first offset where a and b differ (the end of
// the shorter if one is a prefix of the other), or -1.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

func TestImage(t *testing.T) {
	const size = 512 << 10 // 128 cards
	r := rand.New(rand.NewPCG(9, 9))
	data := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = 1 + byte(r.IntN(255))
		}
		return b
	}
	imgA, err := NewImage(1024, data(1024)) // inside card 0
	if err != nil {
		t.Fatal(err)
	}
	imgB, err := NewImage(70000, data(3*CardSize)) // spans cards 17..20
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		key   uint64
		img   *Image
		pages []int // dirtied by the tenant
	}
	type result struct {
		Slot     int
		Warm     bool
		ImageHit bool
	}
	tests := []struct {
		name  string
		steps []step
		want  []result
		// Stats after the last release.
		wantStats Stats
	}{
		{
			name: "image reused; dirty image page restored, others zeroed",
			steps: []step{
				{1, imgA, []int{0, 5}},
				{1, imgA, []int{0, 1}},
				{1, imgA, nil},
			},
			want: []result{{0, false, false}, {0, true, true}, {0, true, true}},
			wantStats: Stats{
				Slots: 1, Reserved: 1, Chunks: 1, Idle: 1, Acquires: 3, WarmHits: 2, Fresh: 1, Releases: 3,
				ImageHits: 2, ImageWrites: 1, ImageBytes: 1024,
				// The image's range is rounded to 64 KiB: cards 0..15
				// are all restored from it.
				MemsetRuns: 3, MemsetBytes: 4 * CardSize, RestoredBytes: 4 * CardSize,
				IdleResident: 64 << 10,
			},
		},
		{
			name: "another module's image is cleared first",
			steps: []step{
				{1, imgA, []int{3}},
				{2, imgB, []int{18, 40}},
				{1, imgA, nil},
				{3, nil, []int{0}},
			},
			want: []result{{0, false, false}, {0, false, false}, {0, false, false}, {0, false, false}},
			wantStats: Stats{
				Slots: 1, Reserved: 1, Chunks: 1, Idle: 1, Acquires: 4, Fresh: 1, Releases: 4,
				// A, then clear A + copy B, clear B + copy A, clear A.
				ImageWrites: 4, ImageBytes: 1024 + 2*(1024+3*CardSize) + 1024,
				MemsetRuns: 4, MemsetBytes: 4 * CardSize, RestoredBytes: 2 * CardSize,
				IdleResident: 41 * CardSize, // card 40 was zeroed by memset
			},
		},
		{
			name: "image pages are restored even with no keep-resident budget",
			steps: []step{
				{1, imgB, []int{16, 17, 18, 19, 20, 21, 40}},
				{1, imgB, nil},
			},
			want: []result{{0, false, false}, {0, true, true}},
			wantStats: Stats{
				Slots: 1, Reserved: 1, Chunks: 1, Idle: 1, Acquires: 2, WarmHits: 1, Fresh: 1, Releases: 2,
				ImageHits: 1, ImageWrites: 1, ImageBytes: 3 * CardSize,
				MemsetRuns: 1, MemsetBytes: 6 * CardSize, RestoredBytes: 6 * CardSize,
				MadviseCalls: 1, MadviseBytes: CardSize,
				IdleResident: 128 << 10,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keep := int64(0)
			if tc.name == "image pages are restored even with no keep-resident budget" {
				keep = KeepNone
			}
			p := newPool(t, Config{Slots: 1, SlotBytes: size, KeepResident: keep})
			var got []result
			for n, st := range tc.steps {
				s, err := p.AcquireImage(st.key, st.img)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, result{s.Index(), s.Warm(), s.ImageHit()})
				if i := firstDiff(wantImage(size, st.img), whole(s)); i >= 0 {
					t.Fatalf("tenant %d: byte %d (page %d) is %#x, want the image or zero", n, i, i>>CardShift, whole(s)[i])
				}
				if i := nonZero(s.Cards()); i >= 0 {
					t.Fatalf("tenant %d: card %d set", n, i)
				}
				dirty(s, r, st.pages...)
				if err := p.Release(s); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("slots (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantStats, p.Stats()); diff != "" {
				t.Errorf("stats (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewImage(t *testing.T) {
	tests := []struct {
		off    uint64
		n      int
		ok     bool
		lo, hi uint64
	}{
		{0, 0, true, 0, 0},
		{1024, 1024, true, 0, 64 << 10},
		{65535, 2, true, 0, 128 << 10},
		{1<<32 - 1, 1, true, 1<<32 - 64<<10, 1 << 32},
		{1 << 32, 1, false, 0, 0},
	}
	for _, tc := range tests {
		img, err := NewImage(tc.off, make([]byte, tc.n))
		if (err == nil) != tc.ok {
			t.Errorf("NewImage(%d, %d bytes): err %v, want ok %v", tc.off, tc.n, err, tc.ok)
			continue
		}
		if err == nil && (img.lo != tc.lo || img.hi != tc.hi) {
			t.Errorf("NewImage(%d, %d bytes): range [%d, %d), want [%d, %d)", tc.off, tc.n, img.lo, img.hi, tc.lo, tc.hi)
		}
	}
	p := newPool(t, Config{Slots: 1, SlotBytes: 64 << 10})
	big, _ := NewImage(60<<10, make([]byte, 8<<10))
	if _, err := p.AcquireImage(1, big); err == nil {
		t.Error("AcquireImage of an image past the slot: no error")
	}
}

// TestIdleResidentCap checks that the least recently released free slots
// are decommitted whole once the free slots of a shard keep more than its
// share resident, and that an evicted slot comes back zero and cold.
func TestIdleResidentCap(t *testing.T) {
	const size = 256 << 10
	p := newPool(t, Config{Slots: 4, SlotBytes: size, Shards: 1, MaxIdleResident: 10 * CardSize})
	r := rand.New(rand.NewPCG(3, 3))
	img, _ := NewImage(100, []byte("image"))
	var held []Slot
	for range 4 {
		s, err := p.AcquireImage(7, img)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, s)
	}
	// Slot 0 and 1 keep 64 KiB (the image's range) each: each release
	// past the first evicts the least recently released slot.
	for i, s := range held {
		dirty(s, r, 2+i)
		if err := p.Release(s); err != nil {
			t.Fatal(err)
		}
	}
	st := p.Stats()
	want := Stats{
		Slots: 4, Reserved: 4, Chunks: 1, Idle: 4, Acquires: 4, Fresh: 4, Releases: 4,
		ImageWrites: 4, ImageBytes: 4 * 5,
		MemsetRuns: 4, MemsetBytes: 4 * CardSize, RestoredBytes: 4 * CardSize,
		MadviseCalls: 4, MadviseBytes: 4 * (64 << 10), Evictions: 4,
	}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	for range 4 {
		s, err := p.AcquireImage(7, img)
		if err != nil {
			t.Fatal(err)
		}
		if s.Warm() || s.ImageHit() {
			t.Errorf("slot %d: warm %v image hit %v after eviction, want cold", s.Index(), s.Warm(), s.ImageHit())
		}
		if i := firstDiff(wantImage(size, img), whole(s)); i >= 0 {
			t.Errorf("slot %d: byte %d wrong after eviction", s.Index(), i)
		}
		defer p.Release(s)
	}
}

func TestSlotMetaSize(t *testing.T) {
	if got := unsafe.Sizeof(slotMeta{}); got != 128 {
		t.Errorf("slotMeta is %d bytes, want 128 (two cache lines)", got)
	}
}

// TestSparseImage checks that an image with zero cards inside its range
// (a snapshot's memory: data low, a stack high, nothing between) is put
// into a slot and taken out by its non-zero cards only, and that a tenant
// writing into one of its zero cards finds it zero again next time.
func TestSparseImage(t *testing.T) {
	const size = 1 << 20
	data := make([]byte, 200<<10)
	copy(data[10:], "low data")
	data[5*CardSize+7] = 9             // card 5 alone
	copy(data[len(data)-20:], "stack") // the last card
	img, err := NewImage(0, data)
	if err != nil {
		t.Fatal(err)
	}
	wantRuns := []run{{0, CardSize}, {5 * CardSize, 6 * CardSize}, {uint64(len(data)) - CardSize, uint64(len(data))}}
	if diff := cmp.Diff(wantRuns, img.runs, cmp.AllowUnexported(run{})); diff != "" {
		t.Fatalf("runs (-want +got):\n%s", diff)
	}
	if img.NonZero() != 3*CardSize {
		t.Errorf("NonZero = %d, want %d", img.NonZero(), 3*CardSize)
	}
	other, _ := NewImage(64<<10, []byte("other module"))
	p := newPool(t, Config{Slots: 1, SlotBytes: size})
	r := rand.New(rand.NewPCG(4, 4))
	for n, im := range []*Image{img, img, other, img, nil, img} {
		s, err := p.AcquireImage(1, im)
		if err != nil {
			t.Fatal(err)
		}
		if i := firstDiff(wantImage(size, im), whole(s)); i >= 0 {
			t.Fatalf("tenant %d: byte %d (card %d) is %#x, want the image's", n, i, i>>CardShift, s.Bytes()[i])
		}
		dirty(s, r, 2, 5, 30, 60) // zero and non-zero cards of img, and past it
		if err := p.Release(s); err != nil {
			t.Fatal(err)
		}
	}
	// Tenants 0, 2, 3, 4 and 5 changed images: img in; img out, other in;
	// other out, img in; img out; img in (five times img's three cards).
	st := p.Stats()
	if want := uint64(5*3*CardSize + 2*len("other module")); st.ImageBytes != want || st.ImageWrites != 5 || st.ImageHits != 1 {
		t.Errorf("image writes %d, bytes %d, hits %d; want 5, %d, 1", st.ImageWrites, st.ImageBytes, st.ImageHits, want)
	}
}
