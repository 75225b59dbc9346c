//go:build armbe || arm64be || m68k || mips || mips64 || mips64p32 || ppc || ppc64 || s390 || s390x || shbe || sparc || sparc64

package engine

import (
	"math/bits"
	"sync/atomic"
	"unsafe"
)

// Linear memory is little-endian on every host (spec §4.4.7): on a
// big-endian host a wasm load or store is a host access and a byte swap
// (math/bits.ReverseBytes*, one instruction on s390x and ppc64). See
// endian_le.go for the little-endian twin.

// SAFETY (all six): the callers pass p = memBase+ea after the bounds check
// ea+size <= Size <= len(Buf), so the access is inside the slot.

func le16(p unsafe.Pointer) uint16       { return bits.ReverseBytes16(*(*uint16)(p)) }
func le32(p unsafe.Pointer) uint32       { return bits.ReverseBytes32(*(*uint32)(p)) }
func le64(p unsafe.Pointer) uint64       { return bits.ReverseBytes64(*(*uint64)(p)) }
func putLE16(p unsafe.Pointer, v uint16) { *(*uint16)(p) = bits.ReverseBytes16(v) }
func putLE32(p unsafe.Pointer, v uint32) { *(*uint32)(p) = bits.ReverseBytes32(v) }
func putLE64(p unsafe.Pointer, v uint64) { *(*uint64)(p) = bits.ReverseBytes64(v) }

// Atomic accesses (threads proposal) on a big-endian host: sync/atomic
// works in host order, so values are byte-swapped around it (the swap of
// a compared or stored value is as atomic as the access itself), and an
// add, which does not commute with the swap, is a compare-and-swap loop.
// p must be aligned to the access's size: the callers check the effective
// address's alignment first (see atomicAddr), and a slot's base is page
// aligned, so the host address is aligned too.
//
// SAFETY (all ten): as for the loads and stores above, and p is aligned.

func atomicLoad32(p unsafe.Pointer) uint32 {
	return bits.ReverseBytes32(atomic.LoadUint32((*uint32)(p)))
}
func atomicLoad64(p unsafe.Pointer) uint64 {
	return bits.ReverseBytes64(atomic.LoadUint64((*uint64)(p)))
}
func atomicStore32(p unsafe.Pointer, v uint32) {
	atomic.StoreUint32((*uint32)(p), bits.ReverseBytes32(v))
}
func atomicStore64(p unsafe.Pointer, v uint64) {
	atomic.StoreUint64((*uint64)(p), bits.ReverseBytes64(v))
}
func atomicSwap32(p unsafe.Pointer, v uint32) uint32 {
	return bits.ReverseBytes32(atomic.SwapUint32((*uint32)(p), bits.ReverseBytes32(v)))
}
func atomicSwap64(p unsafe.Pointer, v uint64) uint64 {
	return bits.ReverseBytes64(atomic.SwapUint64((*uint64)(p), bits.ReverseBytes64(v)))
}
func atomicCAS32(p unsafe.Pointer, old, v uint32) bool {
	return atomic.CompareAndSwapUint32((*uint32)(p), bits.ReverseBytes32(old), bits.ReverseBytes32(v))
}
func atomicCAS64(p unsafe.Pointer, old, v uint64) bool {
	return atomic.CompareAndSwapUint64((*uint64)(p), bits.ReverseBytes64(old), bits.ReverseBytes64(v))
}

// atomicAdd32 and atomicAdd64 add v and return the old value.
func atomicAdd32(p unsafe.Pointer, v uint32) uint32 {
	for {
		old := atomicLoad32(p)
		if atomicCAS32(p, old, old+v) {
			return old
		}
	}
}
func atomicAdd64(p unsafe.Pointer, v uint64) uint64 {
	for {
		old := atomicLoad64(p)
		if atomicCAS64(p, old, old+v) {
			return old
		}
	}
}

// Byte offsets of an instruction word's opcode and A, B and C fields
// (bits 0, 16, 32 and 48) in memory, for execute's dispatch and oa, ob,
// oc, fC.
const offOp, offA, offB, offC = 6, 4, 2, 0
