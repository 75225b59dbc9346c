package instance

import (
	"github.com/wpi-dev/wpi/memory"
)

// PoolStats are the memory pool's counters (see memory.Stats).
type PoolStats = memory.Stats

// ErrNoSlot is returned (wrapped) by Instantiate when every slot of the
// pool is in use.
var ErrNoSlot = memory.ErrNoSlot

// slotPool adapts memory.Pool to what instantiation needs.
type slotPool struct{ p *memory.Pool }

// slotHandle is an acquired slot (a small value; the zero value is no
// slot).
type slotHandle = memory.Slot

func newSlotPool(cfg Config) (*slotPool, error) {
	p, err := memory.New(memory.Config{
		Slots:        cfg.MemorySlots,
		SlotBytes:    cfg.MemorySlotBytes,
		KeepResident: cfg.MemoryKeepResident,
	})
	if err != nil {
		return nil, err
	}
	return &slotPool{p: p}, nil
}

// acquire takes a slot holding img (nil: all zero).
func (p *slotPool) acquire(affinity uint64, img *memory.Image) (slotHandle, error) {
	return p.p.AcquireImage(affinity, img)
}

// release resets the slot (only the pages below highWater bytes whose
// cards are set) and returns it to the pool.
func (p *slotPool) release(s slotHandle, highWater uint64) {
	s.SetHighWater(highWater)
	_ = p.p.Release(s) // fails only for a double release, which Close prevents
}

func (p *slotPool) stats() PoolStats { return p.p.Stats() }

func (p *slotPool) close() error { return p.p.Close() }
