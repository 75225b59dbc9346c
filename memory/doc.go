// Package memory is wpi's pool of linear-memory slots: address-space
// reservations, made in doubling chunks as the pool fills, cut into equal
// slots, each the backing store of one bounds-checked WebAssembly memory,
// reset on release by zeroing exactly the pages the tenant wrote.
//
// # Backends
//
// One pool semantics (slots that never shrink, dirty cards, images,
// keep-resident reset, idle cap), a backend per kind of OS
// (arena_unix.go, arena_windows.go, arena_heap.go; Backend names it):
//
//	backend        OS                      reservation             accessible           decommit (reset past KeepResident, eviction)
//	"mmap"         Linux                   mmap NORESERVE          whole slot           madvise(MADV_DONTNEED): zero-fill-on-demand
//	"mmap"         macOS, FreeBSD, other   mmap (NORESERVE where   whole slot           mmap(MAP_FIXED) of fresh pages over the run:
//	               BSDs, Solaris, AIX      defined)                                     MADV_DONTNEED/MADV_FREE do not promise zeros there
//	"virtualalloc" Windows                 VirtualAlloc(RESERVE)   committed prefix     VirtualFree(DECOMMIT)+VirtualAlloc(COMMIT);
//	                                                               (Slot.Commit)        eviction decommits the slot's whole prefix
//	"goheap"       wasip1, js, plan9       none                    Go slice, grown by   memset; eviction drops the slice for the GC
//	                                                               copying (Commit)
//
// Where a slot is not accessible in full from the start, the owner makes
// the memory's size accessible with Slot.Commit (engine.Memory.Grow calls
// it through engine.Memory.Commit). Faults reads getrusage(2) on Unix and
// returns ErrFaultsUnavailable elsewhere. The build tag wpi_heaparena
// selects the Go-heap backend on any OS, so that its tests run on Linux.
//
// # Layout
//
// On Unix the slots live in anonymous, private, read-write mappings
// (MAP_NORESERVE where the OS defines it), one per chunk: New maps the
// first Config.InitialSlots slots (4 by default), and the pool maps the
// next chunk, as large as all the chunks before it (up to Slots), when an
// Acquire finds no reserved slot to take short of another tenant's warm
// one. So an idle pool of 4 GiB slots holds 16 GiB of address space, and
// a pool holds about twice the most slots its tenants needed at once.
// Nothing is committed until written; reading an untouched page maps the
// kernel's shared zero page.
//
//	chunk k (one mmap of n × (SlotBytes + stride) bytes, never mprotect'ed)
//	┌──────────────────┬──────────────────┬─────┬────────────┬─────┬─────┬─────┐
//	│ slot lo          │ slot lo+1        │ ... │ slot lo+n-1│cards│cards│ ... │
//	│ SlotBytes        │                  │     │            │ lo  │ lo+1│     │
//	└──────────────────┴──────────────────┴─────┴────────────┴─────┴─────┴─────┘
//	 ▲ Slot.Bytes(): [0, Size) is the wasm memory, [Size, SlotBytes) is zero
//	   and reachable only after memory.grow moves Size
//
//	 cards: one byte per 4 KiB (CardSize) of the slot, SlotBytes>>CardShift
//	 bytes padded to a 64-byte stride; a 4 GiB slot has 1 MiB of cards, of
//	 which only the pages holding set cards ever become resident.
//
// Chunks are 4, 4, 8, 16, 32, ... slots by default. A slot keeps its
// address from its chunk's reservation to Close: chunks are added, never
// moved or unmapped while the pool is open. A chunk the kernel refuses is
// asked for again with half as many slots, down to one.
//
// There are no guard regions and no PROT_NONE pages. wpi's interpreter
// checks every access in software against the memory's current size (one
// 64-bit compare), so nothing relies on a fault to catch an out-of-bounds
// access. A slot can therefore be mapped read-write in full from the
// start; memory.grow only moves a length, never calls the kernel, and a
// slot never shrinks, so reuse needs no mprotect either. That removes the
// mmap-lock and TLB-shootdown traffic that mprotect-based growth and
// shrinking cause under concurrency.
//
// # Reset policy
//
// The interpreter sets Cards()[ea>>CardShift] on every store, so at
// Release the pool knows exactly which 4 KiB pages the tenant may have
// written. Release walks the cards below the slot's high-water mark
// (Slot.SetHighWater; the whole slot by default), eight at a time, and for
// each maximal run of set cards:
//
//   - zeroes it with memset (Go's clear) while the per-release
//     KeepResident budget lasts (default 16 MiB). The pages stay mapped:
//     no system call now, no page fault for the next tenant.
//   - past the budget, decommits the run (madvise(MADV_DONTNEED) on
//     Linux; see Backends), one call per run of adjacent dirty pages. The
//     kernel drops the pages; they read as zero and refault on the next
//     write. Stats counts these as Madvise* whatever the backend's call.
//
// and clears the run's cards. Clean pages are never touched. The steady
// state the defaults aim at, a tenant that writes less than KeepResident,
// is therefore zero system calls and zero page faults per tenant once the
// pool is warm. Stats counts what the resets did; Faults reads the
// process's page-fault counters.
//
// If madvise fails, the run is memset instead (counted in
// Stats.MadviseErrors): a slot is always returned zeroed.
//
// # Shards
//
// Free slots are spread over shards (Config.Shards: one per P by default,
// up to Slots/4 and 256), each a lock, a cold stack of never-used slots, an LRU list of
// used free slots and a list per tenant key, with plain counters under
// the lock. A slot belongs to one shard for good and returns to it on
// Release. Each P has a home shard, kept in a sync.Pool of hints (the
// only per-P storage Go offers): a new hint takes the shard with the
// fewest Ps homed on it, and a hint whose home lock is found held by two
// acquires in a row (TryLock) moves to the least-claimed other shard, if
// that has fewer Ps homed on it (with more Ps than shards, nobody moves). So
// goroutines running at once on different Ps keep to different shards,
// even after migrations have put two Ps on one: acquire and release then
// touch no lock and no cache line that another core writes. An acquire
// steals from other shards only when its home has no fitting slot.
//
// # Images
//
// AcquireImage takes an Image: the initial bytes of a range of the slot,
// typically a module's active data segments flattened. The slot remembers
// the image it holds. Release restores a dirty page that overlaps the
// image (its range rounded out to 64 KiB) from the image instead of
// zeroing it, and never decommits it; so the next tenant with the same
// image finds it in place (Slot.ImageHit) and copies nothing. A tenant
// with another image (or none) gets the old image's non-zero pages cleared
// and its own non-zero pages copied, outside any lock: a sparse image (a
// snapshot's memory, see instance.Runtime.Snapshot) costs the pages it
// holds, and its zero pages are never committed. The cost of a tenancy therefore follows
// what the previous tenant wrote, not the memory or data size.
//
//	slot with image I, free            next tenant of the same module
//	┌───────┬──────────┬───────────┐   ┌───────┬──────────┬───────────┐
//	│ zero  │ I's data │ zero ...  │ → │ zero  │ I's data │ zero ...  │ no copy
//	└───────┴──────────┴───────────┘   └───────┴──────────┴───────────┘
//	 dirty cards: zero them; dirty cards in I's range: copy I back.
//
// # Idle resident memory
//
// Pages reset with memset (and images) stay resident while their slot is
// free. Config.MaxIdleResident caps that over the pool, in equal shares
// per shard. Each slot counts as resident the end of the highest page it
// kept (an upper bound). When a Release takes its shard past the share,
// the least recently released free slots of the shard are decommitted
// whole, one madvise(MADV_DONTNEED) per slot over [0, resident), at most
// eight per Release, and go back to the cold stack without an image
// (Stats.Evictions). Below the cap there is no system call at all.
//
// # Contract with the owner
//
//   - Mark the card of every page written through Slot.Bytes (engine.Memory
//     does this for all wasm and host writes through its methods).
//   - Call Slot.SetHighWater with the largest size the memory reached, or
//     let Release scan every card of the slot.
//   - Drop every slice of the slot before Release: the next tenant may get
//     the same bytes. The Slot handle itself may be kept: it carries the
//     slot's generation, so after Release it is inert (nil Bytes, Release
//     returns ErrNotAcquired) whoever holds the slot next.
//
// Acquire and Release make no heap allocation (Slot is a small value), so
// the pool adds no Go-heap page faults of its own either. In the steady
// state (a warm slot, a tenant within KeepResident, idle slots within
// MaxIdleResident) a tenancy makes no system call and takes no page fault:
// the scripts and tests in the repository check both (strace, getrusage).
// The one system call an Acquire may make outside the steady state is
// the mmap of a new chunk, at most log2(Slots/InitialSlots)+1 times in a
// pool's life.
//
// The steady-state claims (no system call, no page fault per tenant) are
// measured on Linux; they hold on every backend by construction (the
// steady state touches only memset and pages already committed), but
// page faults are only counted where getrusage exists.
package memory
