package memory

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// decommit gives b's pages back to the kernel with madvise(MADV_DONTNEED).
// On Linux, a private anonymous page reads as zero after that, and costs a
// page fault (and a fresh zeroed page) on its next write. b must be
// page-aligned.
func decommit(b []byte) error {
	if err := unix.Madvise(b, unix.MADV_DONTNEED); err != nil {
		return fmt.Errorf("memory: madvise(MADV_DONTNEED) of %d bytes: %w", len(b), err)
	}
	return nil
}
