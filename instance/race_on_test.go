//go:build race

package instance

// raceEnabled: the race detector's shadow memory takes page faults of its own.
const raceEnabled = true
