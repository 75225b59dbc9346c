package decoder

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// BenchmarkDecode measures, on the largest .wasm shipped with wazero (a
// 786 KB zig-cc WASI program), our parse alone, wazero's validation alone
// (CompileModule + Close, no cache), and Decode with a warm verdict cache.
func BenchmarkDecode(b *testing.B) {
	path := filepath.Join(wazeroDir(b), "imports", "wasi_snapshot_preview1", "testdata", "zig-cc", "wasi.wasm")
	bin, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("benchmark module not found: %v", err)
	}
	features := api.CoreFeaturesV2

	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(bin)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parse(bin, features); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("validate", func(b *testing.B) {
		ctx := context.Background()
		rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter().
			WithCoreFeatures(features).WithMemoryLimitPages(gateMemoryLimitPages))
		defer rt.Close(ctx)
		b.SetBytes(int64(len(bin)))
		b.ReportAllocs()
		for b.Loop() {
			if err := compile(rt, bin); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Decode-cached", func(b *testing.B) {
		if _, err := Decode(bin, features); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(bin)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode(bin, features); err != nil {
				b.Fatal(err)
			}
		}
	})
}
