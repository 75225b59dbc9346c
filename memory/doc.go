// Package memory is wpi's pool of linear-memory slots: one large mmap(2)
// reservation cut into equal slots, each the backing store of one
// bounds-checked WebAssembly memory, reset on release by zeroing exactly
// the pages the tenant wrote.
//
// # Layout
//
// New makes two anonymous, private, MAP_NORESERVE, read-write mappings.
// Nothing is committed until written; reading an untouched page maps the
// kernel's shared zero page.
//
//	slot reservation (Slots × SlotBytes bytes, one mmap, never mprotect'ed)
//	┌──────────────────────┬──────────────────────┬─────┬──────────────────────┐
//	│ slot 0               │ slot 1               │ ... │ slot Slots-1         │
//	│ SlotBytes (64 KiB k) │                      │     │                      │
//	└──────────────────────┴──────────────────────┴─────┴──────────────────────┘
//	 ▲ Slot.Bytes(): [0, Size) is the wasm memory, [Size, SlotBytes) is zero
//	   and reachable only after memory.grow moves Size
//
//	card reservation (Slots × stride bytes, one mmap)
//	┌────────────────────────┬────────────────────────┬─────┐
//	│ cards of slot 0  │ pad │ cards of slot 1  │ pad │ ... │
//	└────────────────────────┴────────────────────────┴─────┘
//	 one byte per 4 KiB (CardSize) of the slot: SlotBytes>>CardShift bytes,
//	 padded to a 64-byte stride; a 4 GiB slot has 1 MiB of cards, of which
//	 only the pages holding set cards ever become resident.
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
//   - past the budget, calls madvise(MADV_DONTNEED) on the run, one call
//     per run of adjacent dirty pages. The kernel drops the pages; they
//     read as zero and refault on the next write.
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
// # Slot choice
//
// Acquire takes an affinity key (e.g. a module id). Free slots are kept in
// per-shard lists; a slot released by a goroutine goes to that goroutine's
// home shard, so slots drift towards the cores that use them. Acquire
// prefers the most recently released slot of the same key (a warm slot:
// later, its data image can be left in place), then a slot whose last
// tenant had no key, then a never-used slot, then the least recently
// released one.
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
// the pool adds no Go-heap page faults of its own either.
//
// The package needs Linux for madvise's zero-fill guarantee on private
// anonymous mappings; on other Unix systems the madvise path is replaced
// by memset.
package memory
