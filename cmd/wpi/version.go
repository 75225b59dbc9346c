package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// runVersion implements "wpi version" and "wpi --version": the module
// version wpi was built from (a tag for "go install ...@v0.2.0", else
// "(devel)" with the VCS revision), as wazero's "wazero version" prints
// its own.
func runVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "wpi version: takes no arguments")
		return exitUsage
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, versionLine(info))
	return exitOK
}

// versionLine formats the version line from the build info (nil when
// the binary has none): "wpi v0.2.0", or for a build from a checkout
// "wpi (devel) 0123456789ab" with "+dirty" when it had local changes.
func versionLine(info *debug.BuildInfo) string {
	if info == nil {
		return "wpi (unknown version)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	line := "wpi " + v
	if v != "(devel)" {
		return line
	}
	var rev string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		line += " " + rev
		if dirty {
			line += "+dirty"
		}
	}
	return line
}
