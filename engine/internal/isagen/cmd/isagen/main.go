// Command isagen writes the engine package's generated files (see package
// isagen) into the current directory, which must be engine/: it is run by
// `go generate` from engine/isa.go.
package main

import (
	"fmt"
	"os"

	"github.com/wpi-dev/wpi/engine/internal/isagen"
)

func main() {
	files, err := isagen.Generate(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for name, b := range files {
		if err := os.WriteFile(name, b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
