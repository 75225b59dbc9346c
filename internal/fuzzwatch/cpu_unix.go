//go:build unix

package fuzzwatch

import "syscall"

// cpuTime is the CPU time (user + system) the process has used, in
// nanoseconds (getrusage(2), RUSAGE_SELF), or -1 if the call fails.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
