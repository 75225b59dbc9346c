//go:build !unix

package wasi

// cpuTime returns -1: the CPU-time clocks are ENOTSUP on this OS.
func cpuTime() int64 { return -1 }
