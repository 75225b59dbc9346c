//go:build armbe || arm64be || m68k || mips || mips64 || mips64p32 || ppc || ppc64 || s390 || s390x || shbe || sparc || sparc64

package engine

import (
	"math/bits"
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
