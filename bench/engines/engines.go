// Package engines runs WASI command modules (the benchmark corpus) on the
// engines wpi is compared with, behind one small interface, so that the
// corpus command and the Go benchmarks time every engine the same way.
//
// Built in: wpi (its interpreter and instance/wasi), wazero's interpreter
// and wazero's optimizing compiler. More engines, such as Wasmtime's Pulley
// interpreter through wasmtime-go (cgo), plug in with Register from a file
// of this module; everything else picks them up by name.
package engines

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// Engine compiles modules. It is created per benchmark run and closed at
// its end; Engines are not used concurrently.
type Engine interface {
	// Compile decodes, validates and translates wasm. It is what the
	// compile-time table measures, so it must do all the ahead-of-run
	// work the engine does (no lazy compilation left for Run).
	Compile(ctx context.Context, wasm []byte) (Module, error)
	Close(ctx context.Context) error
}

// Module is a compiled WASI command.
type Module interface {
	// Run instantiates the module with a fresh WASI environment (args,
	// Args[0] being the program name; stdout to stdout, stderr to the
	// process's stderr), calls _start and closes the instance. A non-zero
	// exit code is an error.
	Run(ctx context.Context, args []string, stdout io.Writer) error
	Close(ctx context.Context) error
}

// Factory creates an Engine.
type Factory func(ctx context.Context) (Engine, error)

// Spec names a Factory.
type Spec struct {
	// Name is the engine's name in tables and benchmark names, e.g.
	// "wazero-interp".
	Name string
	// Order sorts engines in tables: wpi first, then the reference.
	Order int
	New   Factory
}

// Names of the built-in engines. Reference is the engine ratios are
// computed against: wazero's interpreter.
const (
	WPI            = "wpi"
	WazeroInterp   = "wazero-interp"
	WazeroCompiler = "wazero-compiler"
	Reference      = WazeroInterp
)

var (
	mu    sync.Mutex
	specs = map[string]Spec{}
)

// Register adds an engine. It is meant to be called from init functions,
// for example by a pulley.go built only with cgo:
//
//	func init() {
//		engines.Register(engines.Spec{Name: "pulley", Order: 30, New: newPulley})
//	}
//
// Registering a name twice panics.
func Register(s Spec) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := specs[s.Name]; dup {
		panic("engines: duplicate engine " + s.Name)
	}
	specs[s.Name] = s
}

func init() {
	Register(Spec{Name: WPI, Order: 0, New: newWPI})
	Register(Spec{Name: WazeroInterp, Order: 10, New: newWazeroInterp})
	Register(Spec{Name: WazeroCompiler, Order: 20, New: newWazeroCompiler})
}

// All returns every registered engine, in table order.
func All() []Spec {
	mu.Lock()
	defer mu.Unlock()
	all := make([]Spec, 0, len(specs))
	for _, s := range specs {
		all = append(all, s)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Order != all[j].Order {
			return all[i].Order < all[j].Order
		}
		return all[i].Name < all[j].Name
	})
	return all
}

// Select returns the engines named in the comma-separated list, in table
// order; "" or "all" means All.
func Select(list string) ([]Spec, error) {
	all := All()
	if list == "" || list == "all" {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var out []Spec
	for _, s := range all {
		if want[s.Name] {
			out = append(out, s)
			delete(want, s.Name)
		}
	}
	for n := range want {
		var names []string
		for _, s := range all {
			names = append(names, s.Name)
		}
		return nil, fmt.Errorf("unknown engine %q (have %s)", n, strings.Join(names, ", "))
	}
	return out, nil
}
