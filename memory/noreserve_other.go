//go:build unix && !(linux || darwin || dragonfly || netbsd || openbsd || solaris)

package memory

// mapNoReserve is 0 where MAP_NORESERVE does not exist (FreeBSD, AIX).
// FreeBSD overcommits anonymous mappings by default (sysctl
// vm.overcommit=0); with strict swap accounting turned on, a large
// reservation can be refused, as under Linux's vm.overcommit_memory=2.
const mapNoReserve = 0
