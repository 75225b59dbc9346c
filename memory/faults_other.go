//go:build !unix

package memory

// Faults returns ErrFaultsUnavailable: this OS has no getrusage(2). (On
// Windows, GetProcessMemoryInfo's PageFaultCount mixes soft and hard
// faults and counts faults of pages the pool never touches; it is not
// read.) See faults_unix.go for the Unix version.
func Faults() (minor, major uint64, err error) { return 0, 0, ErrFaultsUnavailable }
