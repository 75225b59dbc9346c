//go:build 386 || amd64 || amd64p32 || arm || arm64 || alpha || loong64 || mips64le || mips64p32le || mipsle || nios2 || ppc64le || riscv || riscv64 || sh || wasm

package engine

import (
	"sync/atomic"
	"unsafe"
)

// Linear memory is little-endian (spec §4.4.7 "bytes ... in little
// endian byte order"). On a little-endian host a wasm load or store is one
// host load or store: these compile to a single MOV, as the hand-written
// dereferences did (the functions are leaves and always inlined). The
// big-endian twin is endian_be.go. p must be valid for the access's size;
// it need not be aligned (every port in this list allows unaligned
// access).

// SAFETY (all six): the callers pass p = memBase+ea after the bounds check
// ea+size <= Size <= len(Buf), so the access is inside the slot.

func le16(p unsafe.Pointer) uint16       { return *(*uint16)(p) }
func le32(p unsafe.Pointer) uint32       { return *(*uint32)(p) }
func le64(p unsafe.Pointer) uint64       { return *(*uint64)(p) }
func putLE16(p unsafe.Pointer, v uint16) { *(*uint16)(p) = v }
func putLE32(p unsafe.Pointer, v uint32) { *(*uint32)(p) = v }
func putLE64(p unsafe.Pointer, v uint64) { *(*uint64)(p) = v }

// Atomic accesses (threads proposal) on a little-endian host are
// sync/atomic's operations on the slot's bytes: host order is wasm order.
// p must be aligned to the access's size: the callers check the effective
// address's alignment first (see atomicAddr), and a slot's base is page
// aligned, so the host address is aligned too (sync/atomic requires it,
// 64-bit accesses on 32-bit ports included).
//
// SAFETY (all ten): as for the loads and stores above, and p is aligned.

func atomicLoad32(p unsafe.Pointer) uint32           { return atomic.LoadUint32((*uint32)(p)) }
func atomicLoad64(p unsafe.Pointer) uint64           { return atomic.LoadUint64((*uint64)(p)) }
func atomicStore32(p unsafe.Pointer, v uint32)       { atomic.StoreUint32((*uint32)(p), v) }
func atomicStore64(p unsafe.Pointer, v uint64)       { atomic.StoreUint64((*uint64)(p), v) }
func atomicSwap32(p unsafe.Pointer, v uint32) uint32 { return atomic.SwapUint32((*uint32)(p), v) }
func atomicSwap64(p unsafe.Pointer, v uint64) uint64 { return atomic.SwapUint64((*uint64)(p), v) }
func atomicCAS32(p unsafe.Pointer, old, v uint32) bool {
	return atomic.CompareAndSwapUint32((*uint32)(p), old, v)
}
func atomicCAS64(p unsafe.Pointer, old, v uint64) bool {
	return atomic.CompareAndSwapUint64((*uint64)(p), old, v)
}

// atomicAdd32 and atomicAdd64 add v and return the old value.
func atomicAdd32(p unsafe.Pointer, v uint32) uint32 { return atomic.AddUint32((*uint32)(p), v) - v }
func atomicAdd64(p unsafe.Pointer, v uint64) uint64 { return atomic.AddUint64((*uint64)(p), v) - v }

// Byte offsets of an instruction word's opcode and A, B and C fields
// (bits 0, 16, 32 and 48) in memory, for execute's dispatch and oa, ob,
// oc, fC.
const offOp, offA, offB, offC = 0, 2, 4, 6
