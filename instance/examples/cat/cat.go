// Ported to wpi from wazero's example program
//
//	imports/wasi_snapshot_preview1/example/cat.go
//
// (github.com/tetratelabs/wazero v1.12.0, Copyright 2020-2023 wazero
// authors, Apache License 2.0; see LICENSE). It differs from the original
// where wpi's API does (scripts/examples-diff.sh shows how) and reads the
// original's .wasm from the module cache instead of embedding it.

package main

import (
	"context"
	"fmt"
	"io/fs"
	"log"
	"os"

	"github.com/tetratelabs/wazero/sys"
	"github.com/wpi-dev/wpi/instance"
	"github.com/wpi-dev/wpi/instance/examples/internal/wazerowasm"
	"github.com/wpi-dev/wpi/instance/wasi"
)

// catFS is an embedded filesystem limited to test.txt
var catFS = wazerowasm.MustFS("imports/wasi_snapshot_preview1/example")

// catWasmCargoWasi was compiled from testdata/cargo-wasi/cat.rs
var catWasmCargoWasi = wazerowasm.MustRead("imports/wasi_snapshot_preview1/example/testdata/cargo-wasi/cat.wasm")

// catWasmTinyGo was compiled from testdata/tinygo/cat.go
var catWasmTinyGo = wazerowasm.MustRead("imports/wasi_snapshot_preview1/example/testdata/tinygo/cat.wasm")

// catWasmZig was compiled from testdata/zig/cat.zig
var catWasmZig = wazerowasm.MustRead("imports/wasi_snapshot_preview1/example/testdata/zig/cat.wasm")

// catWasmZigCc was compiled from testdata/zig-cc/cat.c
var catWasmZigCc = wazerowasm.MustRead("imports/wasi_snapshot_preview1/example/testdata/zig-cc/cat.wasm")

// main writes an input file to stdout, just like `cat`.
//
// This is a basic introduction to the WebAssembly System Interface (WASI).
// See https://github.com/WebAssembly/WASI
func main() {
	// Choose the context to use for function calls.
	ctx := context.Background()

	// Create a new WebAssembly Runtime.
	r := instance.MustNewRuntime(ctx, instance.Config{})
	defer r.Close(ctx) // This closes everything this Runtime created.

	// Since wazero uses fs.FS, we can use standard libraries to do things like trim the leading path.
	rooted, err := fs.Sub(catFS, "testdata")
	if err != nil {
		log.Panicln(err)
	}

	// Combine the above into our baseline config, overriding defaults.
	config := instance.NewModuleConfig().
		// By default, I/O streams are discarded and there's no file system.
		WithStdout(os.Stdout).WithStderr(os.Stderr).WithFS(rooted)

	// Instantiate WASI, which implements system I/O such as console output.
	wasi.MustInstantiate(ctx, r)

	// Choose the binary we want to test. Most compilers that implement WASI
	// are portable enough to use binaries interchangeably.
	var catWasm []byte
	toolchain := os.Getenv("TOOLCHAIN")
	switch toolchain {
	case "":
		fallthrough // default to TinyGo
	case "cargo-wasi":
		catWasm = catWasmCargoWasi
	case "tinygo":
		catWasm = catWasmTinyGo
	case "zig":
		catWasm = catWasmZig
	case "zig-cc":
		catWasm = catWasmZigCc
	default:
		log.Panicln("unknown toolchain", toolchain)
	}

	// InstantiateModule runs the "_start" function, WASI's "main".
	// * Set the program name (arg[0]) to "wasi"; arg[1] should be "/test.txt".
	if _, err = r.InstantiateWasm(ctx, catWasm, config.WithArgs("wasi", os.Args[1])); err != nil {
		// Note: Most compilers do not exit the module after running "_start",
		// unless there was an error. This allows you to call exported functions.
		if exitErr, ok := err.(*sys.ExitError); ok && exitErr.ExitCode() != 0 {
			fmt.Fprintf(os.Stderr, "exit_code: %d\n", exitErr.ExitCode())
		} else if !ok {
			log.Panicln(err)
		}
	}
}
