package instance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero/api"
)

// The verdict cache (Config.CacheDir): validation is most of what
// Compile costs on a large module, and its verdict depends only on the
// binary, the features and the build of wpi (and of wazero, which
// validates). Measured on a 9.2 MB module (wpi itself built for wasip1),
// CPU time per process: parse 27 ms, validation 0.72-1.13 s, translation
// 0.16-0.26 s. So Compile records, as an empty file per accepted module,
// that the module validated, and a later process skips validation;
// caching the translated code would save only the translation's share.

// CompilationCache is a verdict cache directory (Config.CacheDir) as a
// value, wazero's shape: wazero.NewCompilationCacheWithDir(dir) and
// RuntimeConfig.WithCompilationCache(cache) port as
// NewCompilationCacheWithDir and Config.WithCompilationCache. Unlike
// wazero's it keeps nothing in memory (the directory is the whole cache,
// and it holds validation verdicts, not compiled code), so Close has
// nothing to release. It is safe for concurrent use by any number of
// runtimes, and by several processes sharing the directory.
type CompilationCache struct {
	dir string
}

// NewCompilationCacheWithDir returns the cache kept in dir, creating the
// directory (and its parents, mode 0755 before the umask) if it is
// missing. It fails if dir is empty, if it cannot be created, or if it
// exists and is not a directory. Like wazero's, the directory must be
// trusted: whoever can write to it can make wpi run a module that would
// not validate.
func NewCompilationCacheWithDir(dir string) (*CompilationCache, error) {
	if dir == "" {
		return nil, errors.New("instance: compilation cache: empty directory name")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("instance: compilation cache: %w", err)
	}
	return &CompilationCache{dir: dir}, nil
}

// Dir returns the cache's directory.
func (c *CompilationCache) Dir() string { return c.dir }

// Close exists for wazero's shape (its cache holds compiled code in
// memory) and returns nil: the cache holds no memory or descriptors, and
// the verdicts stay in the directory for later processes. Runtimes made
// with the cache may go on using the directory after Close.
func (c *CompilationCache) Close(ctx context.Context) error { return nil }

// validations counts the validations Compile ran (for tests).
var validations atomic.Int64

var buildID = sync.OnceValue(func() string {
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), runtime.GOARCH)
	if info, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintln(h, info.Main.Path, info.Main.Version)
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				fmt.Fprintln(h, s.Key, s.Value)
			}
		}
		for _, d := range info.Deps {
			fmt.Fprintln(h, d.Path, d.Version, d.Sum)
		}
	}
	if exe, err := os.Executable(); err == nil { // a (devel) build changes with its binary
		if st, err := os.Stat(exe); err == nil {
			fmt.Fprintln(h, st.Size(), st.ModTime().UnixNano())
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
})

// verdictPath is the cache file saying that the module of hash validated
// with features under this build.
func verdictPath(dir string, hash [32]byte, features api.CoreFeatures) string {
	return filepath.Join(dir, fmt.Sprintf("%x-%x-%s.valid", hash[:16], uint64(features), buildID()))
}

// cachedVerdict reports whether dir records that the module validated.
func cachedVerdict(dir string, hash [32]byte, features api.CoreFeatures) bool {
	_, err := os.Stat(verdictPath(dir, hash, features))
	return err == nil
}

// recordVerdict records that the module validated; a failure to write
// only loses the saving.
func recordVerdict(dir string, hash [32]byte, features api.CoreFeatures) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	p := verdictPath(dir, hash, features)
	tmp := p + ".tmp" + fmt.Sprint(os.Getpid())
	if err := os.WriteFile(tmp, nil, 0o644); err == nil {
		_ = os.Rename(tmp, p)
	}
}
