//go:build linux || darwin || dragonfly || netbsd || openbsd || solaris

package memory

import "golang.org/x/sys/unix"

// mapNoReserve is MAP_NORESERVE: reserve no swap for the mapping, so that
// a reservation of terabytes is not refused under the heuristic
// overcommit policy (Linux's vm.overcommit_memory=0). Linux honours it
// except in mode 2; macOS and OpenBSD accept and ignore it.
const mapNoReserve = unix.MAP_NORESERVE
