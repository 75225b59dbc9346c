//go:build unix

package memory

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Faults returns the page faults the whole process has taken so far, from
// getrusage(2) with RUSAGE_SELF: minor faults (a page mapped without I/O,
// e.g. the first write to an anonymous page, or one re-touched after
// madvise) and major faults (needing I/O). Take the difference of two calls
// around the work to measure; other goroutines and the Go runtime count too.
// Where getrusage does not exist it returns ErrFaultsUnavailable.
func Faults() (minor, major uint64, err error) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0, 0, fmt.Errorf("memory: getrusage: %w", err)
	}
	return uint64(ru.Minflt), uint64(ru.Majflt), nil
}
