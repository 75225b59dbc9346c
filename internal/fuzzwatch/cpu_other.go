//go:build !unix

package fuzzwatch

// cpuTime is -1: the process's CPU time is not read here, so the bound is
// wall time.
func cpuTime() int64 { return -1 }
