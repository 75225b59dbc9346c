package memory

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrent hammers one pool from many goroutines: each acquires a
// slot, checks that the pages it is about to write are zero, writes its
// own pattern, checks no one else wrote into the slot meanwhile, and
// releases it.
func TestConcurrent(t *testing.T) {
	const (
		slots   = 12
		size    = 256 << 10 // 64 cards
		workers = 16
	)
	iters := 2000
	if testing.Short() {
		iters = 200
	}
	for _, keep := range []int64{0, 8 * CardSize, KeepNone} {
		p := newPool(t, Config{Slots: slots, SlotBytes: size, KeepResident: keep, Shards: 4})
		owner := make([]atomic.Int32, slots) // worker+1 holding the slot, 0 if none
		var wg sync.WaitGroup
		errc := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(w), uint64(keep)))
				mark := byte(w + 1)
				for range iters {
					s, err := p.Acquire(uint64(r.IntN(3)))
					if errors.Is(err, ErrNoSlot) {
						runtime.Gosched()
						continue
					}
					if err != nil {
						errc <- err
						return
					}
					if !owner[s.Index()].CompareAndSwap(0, int32(w+1)) {
						errc <- errors.New("slot handed to two goroutines at once")
						return
					}
					b, c := whole(s), s.Cards()
					pages := make([]int, 1+r.IntN(12))
					for i := range pages {
						pages[i] = r.IntN(size >> CardShift)
						off := pages[i] << CardShift
						if nonZero(b[off:off+CardSize]) >= 0 || c[pages[i]] != 0 {
							errc <- errors.New("acquired slot has a dirty page")
							return
						}
					}
					for _, pg := range pages {
						off := pg << CardShift
						b[off], b[off+CardSize-1] = mark, mark
						c[pg] = 1
					}
					runtime.Gosched()
					for _, pg := range pages {
						off := pg << CardShift
						if b[off] != mark || b[off+CardSize-1] != mark {
							errc <- errors.New("another goroutine wrote into a held slot")
							return
						}
					}
					if r.IntN(2) == 0 {
						s.SetHighWater(size)
					}
					owner[s.Index()].Store(0)
					if err := p.Release(s); err != nil {
						errc <- err
						return
					}
					if r.IntN(8) == 0 {
						if err := p.Release(s); !errors.Is(err, ErrNotAcquired) {
							errc <- errors.New("double release not detected")
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Errorf("keep %d: %v", keep, err)
		}
		st := p.Stats()
		if st.InUse != 0 || st.Acquires != st.Releases || st.Acquires == 0 {
			t.Errorf("keep %d: stats after the run: %+v", keep, st)
		}
		// Every slot must be clean now.
		var held []Slot
		for range slots {
			s, err := p.Acquire(0)
			if err != nil {
				t.Fatalf("keep %d: Acquire: %v", keep, err)
			}
			if i := nonZero(whole(s)); i >= 0 {
				t.Errorf("keep %d: slot %d byte %d not zero", keep, s.Index(), i)
			}
			held = append(held, s)
		}
		for _, s := range held {
			if err := p.Release(s); err != nil {
				t.Fatal(err)
			}
		}
	}
}
