package memory

import (
	"runtime"
	"testing"
)

// TestSteadyStateFaults checks the design's claim: once a slot is warm, an
// acquire / write one page / release cycle within KeepResident takes no
// page fault and no system call. The madvise case is the control: it must
// fault about once per cycle, which shows the measurement works.
func TestSteadyStateFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("counts process page faults over many cycles")
	}
	const cycles = 10000
	tests := []struct {
		name      string
		keep      int64
		minFaults uint64 // at least
		maxFaults uint64 // below
	}{
		{"memset", 0, 0, 100},
		{"madvise", KeepNone, cycles / 2, 1 << 62},
	}
	if _, _, err := Faults(); err != nil {
		t.Skipf("no fault counts here: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.keep == KeepNone && !decommitFrees {
				t.Skipf("the %s backend zeroes in place instead of decommitting", Backend)
			}
			p := newPool(t, Config{Slots: 4, SlotBytes: 1 << 20, KeepResident: tc.keep})
			cycle := func() {
				s, err := p.Acquire(1)
				if err != nil {
					t.Fatal(err)
				}
				b := whole(s)
				b[3*CardSize+17] = 1
				s.Cards()[3] = 1
				s.SetHighWater(64 << 10)
				if err := p.Release(s); err != nil {
					t.Fatal(err)
				}
			}
			// Warm up the slot's page and the card page.
			for range 1000 {
				cycle()
			}
			runtime.GC()
			before := p.Stats()
			f0, _, err := Faults()
			if err != nil {
				t.Fatal(err)
			}
			for range cycles {
				cycle()
			}
			f1, _, err := Faults()
			if err != nil {
				t.Fatal(err)
			}
			after := p.Stats()
			faults := f1 - f0
			t.Logf("%d minor faults over %d cycles; madvise calls %d, memset runs %d",
				faults, cycles, after.MadviseCalls-before.MadviseCalls, after.MemsetRuns-before.MemsetRuns)
			if raceEnabled {
				t.Logf("race detector on: fault bound not checked")
			} else if faults < tc.minFaults || faults >= tc.maxFaults {
				t.Errorf("%d minor faults over %d cycles, want in [%d, %d)", faults, cycles, tc.minFaults, tc.maxFaults)
			}
			if tc.keep == 0 && after.MadviseCalls != before.MadviseCalls {
				t.Errorf("%d madvise calls in the steady state, want 0", after.MadviseCalls-before.MadviseCalls)
			}
		})
	}
}
