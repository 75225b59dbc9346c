package instance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/wpi-dev/wpi/memory"
)

// PoolStats are the memory pool's counters (see memory.Stats). InUse is
// the number of open instances holding a slot (every instance that
// defines a memory, and host modules that export one); Idle the slots
// free for new ones.
type PoolStats = memory.Stats

// ErrNoSlot is returned (wrapped) by Instantiate when every slot of the
// pool is in use: Config.MemorySlots instances with a memory are open.
// With Config.WaitForSlot, Instantiate waits for a slot instead, and
// returns ErrNoSlot wrapped with the context's error when ctx ends
// first.
var ErrNoSlot = memory.ErrNoSlot

// slotPool adapts memory.Pool to what instantiation needs: an acquire
// that can wait for a release, bounded by a context.
type slotPool struct {
	p     *memory.Pool
	slots int
	wait  bool

	// waiting counts goroutines blocked in acquire; release signals them
	// only when it is non-zero, so that without waiters (and always
	// without WaitForSlot) a release touches no shared channel.
	waiting atomic.Int32
	mu      sync.Mutex
	freed   chan struct{} // closed and replaced by a release while waiting > 0
}

// slotHandle is an acquired slot (a small value; the zero value is no
// slot).
type slotHandle = memory.Slot

func newSlotPool(cfg Config) (*slotPool, error) {
	p, err := memory.New(memory.Config{
		Slots:           cfg.MemorySlots,
		InitialSlots:    cfg.MemoryInitialSlots,
		SlotBytes:       cfg.MemorySlotBytes,
		KeepResident:    cfg.MemoryKeepResident,
		MaxIdleResident: cfg.MemoryMaxIdleResident,
	})
	if err != nil {
		return nil, err
	}
	return &slotPool{p: p, slots: cfg.MemorySlots, wait: cfg.WaitForSlot, freed: make(chan struct{})}, nil
}

// acquire takes a slot holding img (nil: all zero). When the pool is full
// it fails with ErrNoSlot, or with WaitForSlot waits for a release until
// ctx is done.
func (p *slotPool) acquire(ctx context.Context, affinity uint64, img *memory.Image) (slotHandle, error) {
	s, err := p.p.AcquireImage(affinity, img)
	if err == nil || !errors.Is(err, memory.ErrNoSlot) {
		if err != nil {
			return s, fmt.Errorf("instance: acquiring a memory slot: %w", err)
		}
		return s, nil
	}
	if !p.wait {
		if n := p.p.Reserved(); n < p.slots {
			return s, fmt.Errorf("instance: acquiring a memory slot: %w (all %d reserved of Config.MemorySlots %d in use; Config.WaitForSlot waits)", err, n, p.slots)
		}
		return s, fmt.Errorf("instance: acquiring a memory slot: %w (all %d in use; Config.MemorySlots sets the number, Config.WaitForSlot waits)", err, p.slots)
	}
	for {
		// Register as a waiter before the retry: a release that the retry
		// misses sees waiting > 0 and closes the channel read here.
		p.waiting.Add(1)
		p.mu.Lock()
		freed := p.freed
		p.mu.Unlock()
		s, err = p.p.AcquireImage(affinity, img)
		if err == nil || !errors.Is(err, memory.ErrNoSlot) {
			p.waiting.Add(-1)
			if err != nil {
				return s, fmt.Errorf("instance: acquiring a memory slot: %w", err)
			}
			return s, nil
		}
		select {
		case <-freed:
			p.waiting.Add(-1)
		case <-ctx.Done():
			p.waiting.Add(-1)
			return s, fmt.Errorf("instance: waiting for a memory slot (all %d in use): %w: %w", p.slots, memory.ErrNoSlot, context.Cause(ctx))
		}
	}
}

// release resets the slot (only the pages below highWater bytes whose
// cards are set) and returns it to the pool, waking the goroutines
// waiting for one.
func (p *slotPool) release(s slotHandle, highWater uint64) {
	s.SetHighWater(highWater)
	_ = p.p.Release(s) // fails only for a double release, which Close prevents
	if p.waiting.Load() > 0 {
		p.mu.Lock()
		close(p.freed)
		p.freed = make(chan struct{})
		p.mu.Unlock()
	}
}

func (p *slotPool) stats() PoolStats { return p.p.Stats() }

func (p *slotPool) close() error { return p.p.Close() }
