package instance

import (
	"crypto/sha256"
	"encoding/hex"
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
