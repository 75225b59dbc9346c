// Package wazerowasm reads the .wasm files of wazero's examples for the
// ports in instance/examples. wazero's example programs embed their
// binaries with go:embed; wpi does not copy them into its repository, so
// each port reads its binary at start-up from the wazero module in the
// Go module cache (the version wpi's go.mod requires), where `go test`
// and `go run` have put it.
package wazerowasm

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// Module is the path of wazero's module.
const Module = "github.com/tetratelabs/wazero"

// Dir returns the directory of the wazero module: $WPI_WAZERO_DIR if set,
// else the module cache's copy of the version this program was built
// with ($GOMODCACHE/github.com/tetratelabs/wazero@VERSION, as
// `go list -m -f '{{.Dir}}' github.com/tetratelabs/wazero` prints it).
func Dir() (string, error) {
	if d := os.Getenv("WPI_WAZERO_DIR"); d != "" {
		return d, nil
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", fmt.Errorf("wazerowasm: no build info: set WPI_WAZERO_DIR to the %s module's directory", Module)
	}
	version := ""
	for _, dep := range bi.Deps {
		if dep.Path == Module {
			version = dep.Version
			if dep.Replace != nil {
				if dep.Replace.Version == "" { // a directory replacement
					return dep.Replace.Path, nil
				}
				version = dep.Replace.Version
			}
		}
	}
	if version == "" {
		return "", fmt.Errorf("wazerowasm: %s is not a dependency of this build", Module)
	}
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			return "", fmt.Errorf("wazerowasm: go env GOMODCACHE: %w (set WPI_WAZERO_DIR)", err)
		}
		cache = strings.TrimSpace(string(out))
	}
	// tetratelabs/wazero has no upper-case letters: its cache path needs
	// no case encoding.
	return filepath.Join(cache, filepath.FromSlash(Module)+"@"+version), nil
}

// MustRead returns the file at rel (a slash-separated path inside the
// wazero module, e.g. "examples/basic/testdata/add.wasm") and panics if
// it cannot be read, as a missing go:embed file would fail the build.
func MustRead(rel string) []byte {
	dir, err := Dir()
	if err != nil {
		panic(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		panic(fmt.Errorf("wazerowasm: %w (is %s in the module cache? go mod download %s)", err, Module, Module))
	}
	return b
}

// MustFS returns the directory rel (slash-separated, inside the wazero
// module) as an fs.FS, for a port of a program that embeds files with an
// embed.FS: the paths inside it are the embed.FS's (relative to the
// package directory). It panics if the directory does not exist.
func MustFS(rel string) fs.FS {
	dir, err := Dir()
	if err != nil {
		panic(err)
	}
	dir = filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(dir); err != nil {
		panic(fmt.Errorf("wazerowasm: %w", err))
	}
	return os.DirFS(dir)
}
