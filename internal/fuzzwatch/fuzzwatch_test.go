package fuzzwatch

import (
	"testing"
	"time"
)

// TestStarvedIsNotStalled: an input that waits (uses no CPU) past its
// bound is not a stall while the wall time is under WallFactor times it;
// stop disarms the watchdog. (A real stall panics the process: not
// tested here, it would end the test binary.)
func TestStarvedIsNotStalled(t *testing.T) {
	if cpuTime() < 0 {
		t.Skip("no process CPU time on this OS: the bound is wall time")
	}
	stop := Start("test", 20*time.Millisecond, nil)
	time.Sleep(100 * time.Millisecond) // 5x the bound, idle
	stop()
	stop()
	time.Sleep(50 * time.Millisecond) // a disarmed watchdog stays quiet
}
