// Package layout holds the facts about linear memory that the interpreter
// (engine) and the slot pool (memory) must agree on, so that each is
// defined once: the WebAssembly page size and the dirty-card granule.
package layout

// PageSize is the WebAssembly page size in bytes (spec §2.3.8, memory
// types are given in units of 64 KiB pages).
const PageSize = 65536

// CardShift is log2 of the dirty-tracking granule in bytes (4 KiB, the
// common OS page): the interpreter marks card ea>>CardShift on every
// store to byte address ea, and the pool resets memory by the same
// index.
const CardShift = 12

// CardSize is the number of bytes covered by one card (4 KiB).
const CardSize = 1 << CardShift
