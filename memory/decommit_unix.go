//go:build unix && !linux

package memory

// decommitPages maps fresh zero pages over b (remapZero). Outside Linux
// neither madvise flavour resets a page: MADV_DONTNEED is only a hint on
// macOS and the BSDs (the contents stay), and MADV_FREE lets the kernel
// drop the page later, so until then it reads the old tenant's bytes.
// mmap(MAP_FIXED) frees the pages at once and guarantees zeros, at the
// price of a VMA change (the same cost class as munmap). b must be
// page-aligned.
func decommitPages(b []byte) error { return remapZero(b) }
