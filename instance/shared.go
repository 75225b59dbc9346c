package instance

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
	"github.com/wpi-dev/wpi/memory"
)

// sharedMemory is a shared memory (threads proposal) with its slot. The
// instance that defines it and every instance that imports it use it at
// once, from any goroutines, and may close in any order: each holds a
// reference, and the last to close detaches the memory and gives the
// slot back to the pool (reset as any slot is). A shared memory never
// moves: its slot is made accessible up to the maximum when it is
// created, so Grow only publishes a new length (engine.Shared).
type sharedMemory struct {
	mem  engine.Memory
	rt   *Runtime
	slot slotHandle
	refs atomic.Int64
}

// newShared makes a shared memory of type mt in a slot holding img (if
// not nil), with one reference (the defining instance's).
func (r *Runtime) newShared(ctx context.Context, mt decoder.MemoryType, limitPages uint32, affinity uint64, img *memory.Image) (*sharedMemory, error) {
	sm := &sharedMemory{rt: r}
	if err := r.initMemory(ctx, &sm.mem, &sm.slot, mt, limitPages, affinity, img); err != nil {
		return nil, err
	}
	if sm.mem.Commit != nil { // Windows, the Go-heap backend: commit the maximum now
		buf, cards, err := sm.slot.Commit(sm.mem.MaxPages * engine.PageSize)
		if err != nil {
			r.pool.release(sm.slot, 0)
			return nil, fmt.Errorf("instance: shared memory of %d pages: %w", sm.mem.MaxPages, err)
		}
		sm.mem.Buf, sm.mem.Cards = buf, cards
	}
	sm.mem.MakeShared(sm)
	sm.refs.Store(1)
	return sm, nil
}

// acquire adds a reference, or reports false if the last one is gone
// (the memory's slot is back in the pool).
func (sm *sharedMemory) acquire() bool {
	for {
		n := sm.refs.Load()
		if n == 0 {
			return false
		}
		if sm.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference; the last one detaches the memory (every
// access traps, as for a closed instance's memory) and releases the slot.
func (sm *sharedMemory) release() {
	if sm.refs.Add(-1) != 0 {
		return
	}
	highWater := sm.mem.Len() // a memory never shrinks: its largest size
	// Atomic writes to a shared memory mark no cards (engine.Shared):
	// the whole memory is reset.
	sm.mem.MarkDirty(0, highWater)
	sm.mem.Detach()
	sm.rt.pool.release(sm.slot, highWater)
	sm.slot = slotHandle{}
}
