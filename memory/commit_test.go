package memory

import (
	"errors"
	"testing"
)

// TestCommit checks Slot.Commit on the backend of the build: Bytes grows
// to cover what was asked (rounded to 64 KiB), the cards follow, contents
// survive a commit that moves the slot (Go heap), and a slot evicted and
// handed out again is zero.
func TestCommit(t *testing.T) {
	const size = 1 << 20
	p := newPool(t, Config{Slots: 1, SlotBytes: size, MaxIdleResident: 1})
	s, err := p.Acquire(1)
	if err != nil {
		t.Fatal(err)
	}
	b, c, err := s.Commit(3 * WasmPageSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 3*WasmPageSize || len(c) != len(b)>>CardShift || len(s.Bytes()) != len(b) || len(s.Cards()) != len(c) {
		t.Fatalf("after Commit(3 pages): len(Bytes) %d, len(Cards) %d (Slot: %d, %d)", len(b), len(c), len(s.Bytes()), len(s.Cards()))
	}
	b[WasmPageSize+5] = 9
	c[(WasmPageSize+5)>>CardShift] = 1
	b, c, err = s.Commit(size - 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != size || len(c) != size>>CardShift {
		t.Fatalf("after Commit(size-1): len(Bytes) %d, len(Cards) %d, want %d, %d", len(b), len(c), size, size>>CardShift)
	}
	if b[WasmPageSize+5] != 9 || c[(WasmPageSize+5)>>CardShift] != 1 {
		t.Errorf("contents or cards lost by Commit")
	}
	if _, _, err := s.Commit(size + 1); err == nil {
		t.Errorf("Commit past the slot size succeeded")
	}
	if err := p.Release(s); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Commit(1); !errors.Is(err, ErrNotAcquired) {
		t.Errorf("Commit of a stale slot: %v, want ErrNotAcquired", err)
	}
	if st := p.Stats(); st.Evictions != 1 {
		t.Errorf("%d evictions, want 1 (MaxIdleResident 1 byte)", st.Evictions)
	}
	s, err = p.Acquire(1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release(s)
	if i := nonZero(whole(s)); i >= 0 {
		t.Errorf("byte %d not zero after eviction", i)
	}
	if i := nonZero(s.Cards()); i >= 0 {
		t.Errorf("card %d not zero after eviction", i)
	}
}
