// Package corpus is wpi's benchmark corpus: small C programs (CPU kernels)
// built to wasm32-wasi commands by build.sh, embedded here, plus the large
// modules used to measure compile time (see Large).
//
// Every program takes an optional size argument and prints one line,
// "<name> <size> <checksum...>", that must be identical under every engine.
// At Size it runs for roughly 0.2-1 s under wpi's interpreter (2-core VM,
// 2026); at Small it runs in milliseconds, for tests.
package corpus

import (
	"embed"
	"strconv"
)

//go:embed src/*.wasm
var files embed.FS

// Program is one corpus program.
type Program struct {
	Name string
	// Wasm is the module's binary (a WASI command).
	Wasm []byte
	// Size is the default size argument, Small the one for tests.
	Size, Small int
}

// Args returns the command line for size: the program name and the size.
func (p Program) Args(size int) []string {
	return []string{p.Name, strconv.Itoa(size)}
}

// The default sizes are the programs' own defaults (see src/*.c).
var table = []struct {
	name        string
	size, small int
}{
	{"fib", 34, 20},
	{"nbody", 200000, 2000},
	{"mandelbrot", 600, 60},
	{"sieve", 1000000, 20000},
	{"quicksort", 200000, 5000},
	{"matmul", 200, 24},
	{"crc32", 1 << 20, 1 << 14},
	{"fnv", 1 << 20, 1 << 14},
	{"memloops", 1 << 20, 1 << 14},
	{"regex", 10000, 200},
	{"hashtable", 200000, 5000},
	{"bytecode", 40000, 2000},
}

// Programs returns the corpus in table order.
func Programs() []Program {
	out := make([]Program, 0, len(table))
	for _, t := range table {
		bin, err := files.ReadFile("src/" + t.name + ".wasm")
		if err != nil {
			panic("corpus: " + err.Error()) // the embed pattern guarantees the files
		}
		out = append(out, Program{Name: t.name, Wasm: bin, Size: t.size, Small: t.small})
	}
	return out
}
