// Package fuzzwatch bounds the time one fuzz input may take, for the
// fuzz targets of decoder, instance and instance/wasi: past its bound the
// process panics, which the fuzzer records as a crasher and saves the
// input under the package's testdata/fuzz.
package fuzzwatch

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// WallFactor is how much longer than its bound an input may take in wall
// time, when the process's CPU time is known: on a loaded machine a
// process waits for a core far longer than it runs (a 10 s wall-clock
// bound once fired on an input that takes 0.00 s, under load average 18
// with the fuzzer niced).
const WallFactor = 10

// Start arms a watchdog for one input and returns the function that
// disarms it. The input stalls when the process has used d of CPU time
// (user + system, getrusage(2) RUSAGE_SELF; all goroutines, so an upper
// bound on the input's own) since Start, or WallFactor*d of wall time,
// whichever comes first; where the OS gives no CPU time (see cpuTime),
// when d of wall time has passed. A stall writes every goroutine's stack
// to stderr and, when WPI_FUZZ_STALL_DIR is set, to a file there (the
// fuzzer does not always show a dying worker's output), then panics with
// "<target>: stall". Safe to call from one goroutine per input; stop may
// be called any number of times.
func Start(target string, d time.Duration, input []byte) (stop func()) {
	crashOutput.Do(func() { setCrashOutput(target) })
	t0, c0 := time.Now(), cpuTime()
	var stopped atomic.Bool
	var tm *time.Timer
	tm = time.AfterFunc(d, func() {
		if stopped.Load() {
			return
		}
		wall := time.Since(t0)
		if c0 >= 0 && wall < WallFactor*d {
			if used := time.Duration(cpuTime() - c0); used < d {
				tm.Reset(max(d-used, d/10)) // starved, not stalled: look again
				return
			}
		}
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		msg := fmt.Sprintf("%s: input of %d bytes still running after %v (wall %v): stall\n%s", target, len(input), d, wall, buf)
		fmt.Fprint(os.Stderr, msg)
		if dir := os.Getenv("WPI_FUZZ_STALL_DIR"); dir != "" {
			_ = os.WriteFile(fmt.Sprintf("%s/%s-%d.txt", dir, target, os.Getpid()), []byte(msg+fmt.Sprintf("input %q\n", input)), 0o644)
		}
		panic(target + ": stall")
	})
	return func() {
		stopped.Store(true)
		tm.Stop()
	}
}

var crashOutput sync.Once

// setCrashOutput sends the process's fatal errors and unrecovered panics
// (those of goroutines other than the target's, which the fuzzer does not
// catch) to a file in WPI_FUZZ_STALL_DIR too, when it is set: a fuzz
// worker's own stderr goes nowhere (Go's coordinator does not keep it),
// so a worker that dies that way shows only "fuzzing process hung or
// terminated unexpectedly: exit status 2".
func setCrashOutput(target string) {
	dir := os.Getenv("WPI_FUZZ_STALL_DIR")
	if dir == "" {
		return
	}
	f, err := os.Create(fmt.Sprintf("%s/%s-%d-crash.txt", dir, target, os.Getpid()))
	if err != nil {
		return
	}
	_ = debug.SetCrashOutput(f, debug.CrashOptions{})
	f.Close() // SetCrashOutput keeps its own duplicate
}
