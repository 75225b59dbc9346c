package corpus

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// Module is a large module used to measure compile time. Its binary is
// read at run time, never copied into the repository.
type Module struct {
	Name string
	Path string
	Wasm []byte
}

//go:embed goprog/main.go
var goprogSource []byte

// MinLargeBytes is the smallest module WazeroModules returns.
const MinLargeBytes = 100 << 10

// WazeroModules returns the .wasm files of at least MinLargeBytes that ship
// in the wazero module (its WASI test programs built by TinyGo, Rust, Zig
// and zig cc, and its examples), largest first. dir is wazero's module
// directory; "" finds it with "go list -m" from this package's source
// directory.
func WazeroModules(ctx context.Context, dir string) ([]Module, error) {
	if dir == "" {
		var err error
		if dir, err = wazeroDir(ctx); err != nil {
			return nil, err
		}
	}
	var mods []Module
	for _, sub := range []string{"imports/wasi_snapshot_preview1/testdata", "examples"} {
		root := filepath.Join(dir, sub)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".wasm") {
				return err
			}
			bin, err := os.ReadFile(path)
			if err != nil || len(bin) < MinLargeBytes {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			mods = append(mods, Module{Name: "wazero/" + filepath.ToSlash(rel), Path: path, Wasm: bin})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(mods, func(i, j int) bool { return len(mods[i].Wasm) > len(mods[j].Wasm) })
	return mods, nil
}

func wazeroDir(ctx context.Context) (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate the bench module's source to run go list")
	}
	cmd := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "github.com/tetratelabs/wazero")
	cmd.Dir = filepath.Dir(file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list wazero: %v: %s", err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out)), nil
}

// GoProgram builds goprog/main.go (embedded) with GOOS=wasip1 GOARCH=wasm
// in dir, which must exist, with the go command on PATH, and returns the
// module. The first build takes tens of seconds; later ones hit the build
// cache. As a program it takes a size argument (default 300) and prints a
// checksum line like the C programs; GoSize is a size that runs in about
// a second on wpi.
func GoProgram(ctx context.Context, dir string) (Module, error) {
	src := filepath.Join(dir, "goprog")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return Module{}, err
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), goprogSource, 0o644); err != nil {
		return Module{}, err
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module goprog\n\ngo 1.26\n"), 0o644); err != nil {
		return Module{}, err
	}
	out := filepath.Join(dir, "goprog.wasm")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOFLAGS=", "GOWORK=off", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return Module{}, fmt.Errorf("go build goprog: %v: %s", err, msg)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		return Module{}, err
	}
	return Module{Name: "goprog (Go wasip1)", Path: out, Wasm: bin}, nil
}

// GoSize and GoSmall are goprog's sizes as a program: about a second on
// wpi, and milliseconds.
const (
	GoSize  = 300
	GoSmall = 20
)
