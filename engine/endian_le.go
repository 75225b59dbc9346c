//go:build 386 || amd64 || amd64p32 || arm || arm64 || alpha || loong64 || mips64le || mips64p32le || mipsle || nios2 || ppc64le || riscv || riscv64 || sh || wasm

package engine

import "unsafe"

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
