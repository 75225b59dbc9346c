package memory

import (
	"errors"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// TestGrowInChunks checks that a pool reserves its slots in chunks that
// double what it holds, only when an Acquire finds no free slot that is
// not another tenant's warm slot, and that slots keep their address and
// contents while the pool grows around them.
func TestGrowInChunks(t *testing.T) {
	const slots = 40
	p := newPool(t, Config{Slots: slots, SlotBytes: 2 * WasmPageSize, InitialSlots: 4, Shards: 2})
	type shape struct{ Reserved, Chunks int }
	now := func() shape { st := p.Stats(); return shape{st.Reserved, st.Chunks} }
	if diff := cmp.Diff(shape{4, 1}, now()); diff != "" {
		t.Fatalf("new pool (-want +got):\n%s", diff)
	}

	addr := map[int]uintptr{}
	var held []Slot
	var shapes []shape
	for k := range slots {
		s, err := p.Acquire(uint64(k + 1))
		if err != nil {
			t.Fatalf("Acquire %d: %v", k, err)
		}
		b := whole(s)
		addr[s.Index()] = uintptr(unsafe.Pointer(&b[0]))
		b[len(b)-1] = byte(k + 1)
		s.Cards()[len(s.Cards())-1] = 1
		held = append(held, s)
		shapes = append(shapes, now())
	}
	want := []shape{{4, 1}, {4, 1}, {4, 1}, {4, 1}, {8, 2}, {8, 2}, {8, 2}, {8, 2}}
	for range 8 {
		want = append(want, shape{16, 3})
	}
	for range 16 {
		want = append(want, shape{32, 4})
	}
	for range 8 {
		want = append(want, shape{40, 5})
	}
	if diff := cmp.Diff(want, shapes); diff != "" {
		t.Errorf("reserved slots and chunks after each Acquire (-want +got):\n%s", diff)
	}
	if _, err := p.Acquire(99); !errors.Is(err, ErrNoSlot) {
		t.Errorf("Acquire on a full pool: %v, want ErrNoSlot", err)
	}
	for k, s := range held {
		b := s.Bytes()
		if got := uintptr(unsafe.Pointer(&b[0])); got != addr[s.Index()] {
			t.Errorf("slot %d moved from %#x to %#x", s.Index(), addr[s.Index()], got)
		}
		if b[len(b)-1] != byte(k+1) {
			t.Errorf("slot %d lost its contents", s.Index())
		}
		if err := p.Release(s); err != nil {
			t.Fatal(err)
		}
	}
	// Each tenant finds its warm slot again, at the same address, zeroed.
	for k, old := range held {
		s, err := p.Acquire(uint64(k + 1))
		if err != nil {
			t.Fatal(err)
		}
		b := s.Bytes()
		if s.Index() != old.Index() || !s.Warm() || uintptr(unsafe.Pointer(&b[0])) != addr[s.Index()] {
			t.Errorf("tenant %d: slot %d warm %v, want its slot %d warm at the same address", k+1, s.Index(), s.Warm(), old.Index())
		}
		if i := nonZero(b); i >= 0 {
			t.Errorf("slot %d byte %d not reset", s.Index(), i)
		}
		held[k] = s
	}
	for _, s := range held {
		if err := p.Release(s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGrowKeepsWarmSlots checks the order around growth: a tenant whose
// warm slot is free takes it (no growth); a new tenant takes a
// never-used reserved slot, then a new chunk, rather than another
// tenant's warm slot; and once the pool is reserved in full it takes the
// least recently released slot.
func TestGrowKeepsWarmSlots(t *testing.T) {
	p := newPool(t, Config{Slots: 4, SlotBytes: WasmPageSize, InitialSlots: 1, Shards: 1})
	cycle := func(key uint64) (int, bool) {
		t.Helper()
		s, err := p.Acquire(key)
		if err != nil {
			t.Fatal(err)
		}
		idx, warm := s.Index(), s.Warm()
		if err := p.Release(s); err != nil {
			t.Fatal(err)
		}
		return idx, warm
	}
	type step struct {
		Key      uint64
		Slot     int
		Warm     bool
		Reserved int
	}
	var got []step
	for _, key := range []uint64{1, 1, 2, 1, 2, 3, 4, 5, 1} {
		idx, warm := cycle(key)
		got = append(got, step{key, idx, warm, p.Reserved()})
	}
	want := []step{
		{1, 0, false, 1},
		{1, 0, true, 1},
		{2, 1, false, 2}, // grows rather than take key 1's slot
		{1, 0, true, 2},
		{2, 1, true, 2},
		{3, 2, false, 4}, // chunk of 2
		{4, 3, false, 4}, // the chunk's second slot
		{5, 0, false, 4}, // full: the least recently released (key 1's)
		{1, 1, false, 4}, // key 1's slot went to 5: the LRU again (key 2's)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("slots handed out (-want +got):\n%s", diff)
	}
}

// TestGrowRefused checks what a pool does when the kernel refuses a
// chunk: it asks for half as many slots, down to one; if even that is
// refused, an Acquire takes another tenant's warm slot if one is free,
// else fails with ErrNoSlot wrapping the kernel's error, and the pool
// does not ask again for a second.
func TestGrowRefused(t *testing.T) {
	p := newPool(t, Config{Slots: 16, SlotBytes: WasmPageSize, InitialSlots: 4, Shards: 1})
	refuse := errors.New("refused")
	var asked [][2]int
	limit := 1 // the most slots a reservation may have
	reserve := p.reserve
	p.reserve = func(lo, hi int) error {
		asked = append(asked, [2]int{lo, hi})
		if hi-lo > limit {
			return refuse
		}
		return reserve(lo, hi)
	}
	var held []Slot
	for k := range 5 {
		s, err := p.Acquire(uint64(k + 1))
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, s)
	}
	if diff := cmp.Diff([][2]int{{4, 8}, {4, 6}, {4, 5}}, asked); diff != "" {
		t.Errorf("reservations asked for (-want +got):\n%s", diff)
	}
	if p.Reserved() != 5 {
		t.Errorf("%d slots reserved, want 5", p.Reserved())
	}
	limit, asked = 0, nil
	if err := p.Release(held[0]); err != nil {
		t.Fatal(err)
	}
	s, err := p.Acquire(9) // no growth: takes key 1's slot
	if err != nil || s.Index() != held[0].Index() {
		t.Fatalf("Acquire(9): slot %d, %v; want slot %d", s.Index(), err, held[0].Index())
	}
	held[0] = s
	if _, err := p.Acquire(10); !errors.Is(err, ErrNoSlot) || !errors.Is(err, refuse) {
		t.Errorf("Acquire with all reserved slots in use and the kernel refusing: %v, want ErrNoSlot and the kernel's error", err)
	}
	if _, err := p.Acquire(11); !errors.Is(err, ErrNoSlot) || !errors.Is(err, refuse) {
		t.Errorf("second Acquire: %v, want ErrNoSlot and the kernel's error", err)
	}
	if diff := cmp.Diff([][2]int{{5, 10}, {5, 7}, {5, 6}}, asked); diff != "" {
		t.Errorf("reservations asked for after the refusal (-want +got):\n%s", diff)
	}
	for _, s := range held {
		if err := p.Release(s); err != nil {
			t.Fatal(err)
		}
	}
}
