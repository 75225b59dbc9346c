package memory

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// decommitPages gives b's pages back with madvise(MADV_DONTNEED). On
// Linux, a private anonymous page reads as zero after that (madvise(2):
// "repopulate the memory contents ... with zero-fill-on-demand pages"),
// and costs a page fault (and a fresh zeroed page) on its next write.
// MADV_FREE would be cheaper but leaves the old contents readable until
// the kernel reclaims the page, so it cannot reset a slot. b must be
// page-aligned.
func decommitPages(b []byte) error {
	if err := unix.Madvise(b, unix.MADV_DONTNEED); err != nil {
		return fmt.Errorf("memory: madvise(MADV_DONTNEED) of %d bytes: %w", len(b), err)
	}
	return nil
}
