package memory

import "unsafe"

// unsafePointer returns the address of b's first byte (b not empty).
func unsafePointer(b []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }
