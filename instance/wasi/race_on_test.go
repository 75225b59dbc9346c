//go:build race

package wasi

// raceEnabled: the race detector slows the interpreter several times over.
const raceEnabled = true
