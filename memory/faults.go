package memory

import "errors"

// ErrFaultsUnavailable is returned by Faults where the OS does not count
// page faults for a process in a way the package reads (Windows, wasip1,
// js, plan9): callers must show "not available", not zero.
var ErrFaultsUnavailable = errors.New("memory: page-fault counts are not available on this OS")
