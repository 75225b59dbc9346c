//go:build wpiprofile

package engine

// profiling: the wpiprofile build counts instructions (see profile.go).
const profiling = true
