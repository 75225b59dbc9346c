//go:build race

package examples_test

// raceEnabled: the ports are built by go build without -race, so a run
// of this test under the race detector races nothing and only costs CI
// the time of building and running 18 programs again.
const raceEnabled = true
