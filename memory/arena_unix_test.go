//go:build unix && !wpi_heaparena

package memory

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRemapZero checks the BSD/macOS decommit (mmap MAP_FIXED over the
// range) on the host it runs on: the range reads as zero afterwards, the
// bytes around it keep their values, and it stays writable.
func TestRemapZero(t *testing.T) {
	pg := os.Getpagesize()
	b, err := unix.Mmap(-1, 0, 4*pg, unix.PROT_READ|unix.PROT_WRITE, mmapFlags)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(b)
	for i := range b {
		b[i] = byte(i%251) + 1
	}
	if err := remapZero(b[pg : 3*pg]); err != nil {
		t.Fatal(err)
	}
	if i := nonZero(b[pg : 3*pg]); i >= 0 {
		t.Errorf("byte %d of the remapped range is %#x, want 0", i, b[pg+i])
	}
	for _, i := range []int{0, pg - 1, 3 * pg, 4*pg - 1} {
		if want := byte(i%251) + 1; b[i] != want {
			t.Errorf("byte %d outside the range is %#x, want %#x", i, b[i], want)
		}
	}
	b[pg] = 7 // still mapped read-write
	if b[pg] != 7 {
		t.Errorf("write after remap lost")
	}
}
