//go:build race

package memory

// raceEnabled is true under the race detector, which makes sync.Pool drop
// items at random (so the pool's per-P hints are remade, with their
// cleanups) and faults in shadow memory of its own: page-fault bounds are
// not meaningful then.
const raceEnabled = true
