package decoder

import (
	"container/list"
	"context"
	"fmt"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/internal/leb128"
)

// gateCacheSize bounds the number of verdicts the validation gate keeps.
// A verdict is a key and an error value, so the cache stays small.
const gateCacheSize = 4096

// gateMemoryLimitPages is the memory limit given to wazero: the largest a
// 32-bit memory can be, so no valid module is rejected for its size.
const gateMemoryLimitPages = 65536

// defaultGate is the validation gate used by Decode. Its runtimes live as
// long as the process.
var defaultGate = newGate(gateCacheSize)

type gateKey struct {
	hash     [32]byte
	features api.CoreFeatures
}

// verdict is the outcome of one CompileModule, shared by every caller that
// asked about the same key while it was being computed or since.
type verdict struct {
	done chan struct{} // closed once err is set
	err  error         // nil if wazero accepted the module
	elem *list.Element // in gate.lru; value is the gateKey
}

// gate validates modules by compiling them with wazero's interpreter
// (research/interpreter.md §8), one wazero.Runtime per feature set, and
// caches verdicts in an LRU list of at most size entries. Concurrent
// requests for the same key compile once. It is safe for concurrent use.
type gate struct {
	mu       sync.Mutex
	runtimes map[api.CoreFeatures]wazero.Runtime
	cache    map[gateKey]*verdict
	lru      list.List // front is most recently used
	size     int
}

func newGate(size int) *gate {
	return &gate{
		runtimes: make(map[api.CoreFeatures]wazero.Runtime),
		cache:    make(map[gateKey]*verdict),
		size:     size,
	}
}

// check returns nil if wazero accepts bin with features, or an *Error of
// kind Invalid. hash must be the SHA-256 of bin.
func (g *gate) check(bin []byte, hash [32]byte, features api.CoreFeatures) error {
	if err := g.verdict(bin, hash, features); err != nil {
		return &Error{Kind: Invalid, FuncIndex: -1, Offset: -1, Reason: err.Error(), Err: err}
	}
	return nil
}

// verdict returns wazero's error for bin, from the cache if it has one.
func (g *gate) verdict(bin []byte, hash [32]byte, features api.CoreFeatures) error {
	k := gateKey{hash, features}
	g.mu.Lock()
	if v, ok := g.cache[k]; ok {
		g.lru.MoveToFront(v.elem)
		g.mu.Unlock()
		<-v.done
		return v.err
	}
	v := &verdict{done: make(chan struct{})}
	v.elem = g.lru.PushFront(k)
	g.cache[k] = v
	for g.lru.Len() > g.size {
		old := g.lru.Back()
		g.lru.Remove(old)
		delete(g.cache, old.Value.(gateKey))
	}
	rt := g.runtime(features)
	g.mu.Unlock()

	v.err = compile(rt, bin)
	close(v.done)
	return v.err
}

// runtime returns the runtime for features, creating it on first use.
// g.mu must be held.
func (g *gate) runtime(features api.CoreFeatures) wazero.Runtime {
	rt, ok := g.runtimes[features]
	if !ok {
		cfg := wazero.NewRuntimeConfigInterpreter().
			WithCoreFeatures(features).
			WithMemoryLimitPages(gateMemoryLimitPages).
			// Only the verdict is used: no source maps for stack traces.
			WithDebugInfoEnabled(false)
		rt = wazero.NewRuntimeWithConfig(context.Background(), cfg)
		g.runtimes[features] = rt
	}
	return rt
}

// compile asks wazero whether it accepts bin and releases what it compiled.
// A panic inside wazero is turned into an error, so that waiters on the
// verdict are never left blocked.
func compile(rt wazero.Runtime, bin []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("wazero panicked while compiling: %v", p)
		}
	}()
	ctx := context.Background()
	cm, err := rt.CompileModule(ctx, withoutNameSection(bin))
	if err != nil {
		return err
	}
	// Close only releases wazero's compiled code; it cannot change the
	// verdict.
	_ = cm.Close(ctx)
	return nil
}

// withoutNameSection returns bin without its "name" custom sections (a
// copy; bin itself when it has none or its section structure is broken,
// which wazero then reports). Their contents cannot make a module invalid
// (spec appendix 7.4.1: a malformed name section is ignored), and wazero
// decodes them with counts it trusts: a local-names subsection claiming
// billions of functions made its decoder allocate 58 GB, which ends the
// process ("fatal error: out of memory", found by FuzzRun), not a call.
func withoutNameSection(bin []byte) []byte {
	if len(bin) < 8 {
		return bin
	}
	var out []byte
	pos, kept := 8, 0 // bin[kept:] up to the next name section is to be kept
	for pos < len(bin) {
		start := pos
		id := bin[pos]
		size, n, err := leb128.U32(bin[pos+1:])
		if err != nil || uint64(pos+1+n)+uint64(size) > uint64(len(bin)) {
			return bin
		}
		body := bin[pos+1+n : pos+1+n+int(size)]
		pos += 1 + n + int(size)
		if id != 0 {
			continue
		}
		nameLen, m, err := leb128.U32(body)
		if err != nil || uint64(m)+uint64(nameLen) > uint64(len(body)) || string(body[m:m+int(nameLen)]) != "name" {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(bin))
		}
		out = append(out, bin[kept:start]...)
		kept = pos
	}
	if out == nil {
		return bin
	}
	return append(out, bin[kept:]...)
}
