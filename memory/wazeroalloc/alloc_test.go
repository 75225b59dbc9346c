package wazeroalloc_test

import (
	"context"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/wpi-dev/wpi/memory"
	"github.com/wpi-dev/wpi/memory/wazeroalloc"
)

func newPool(tb testing.TB) *memory.Pool {
	tb.Helper()
	p, err := memory.New(memory.Config{Slots: 8, SlotBytes: 4 << 20})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := p.Close(); err != nil {
			tb.Error(err)
		}
	})
	return p
}

func readWasm(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("../../instance/testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestIsolation runs tenants that dirty memory and grow it, each in a
// wazero module whose memory is a pool slot, and checks that every tenant
// starts from its initial image and size.
func TestIsolation(t *testing.T) {
	ctx := context.Background()
	p := newPool(t)
	actx := experimental.WithMemoryAllocator(ctx, wazeroalloc.New(p))
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	cm, err := rt.CompileModule(ctx, readWasm(t, "touch.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 16<<16)
	copy(want[1024:], "TinyGo-like rodata")
	for n := range 40 {
		mod, err := rt.InstantiateModule(actx, cm, wazero.NewModuleConfig().WithName(""))
		if err != nil {
			t.Fatal(err)
		}
		mem := mod.Memory()
		got, _ := mem.Read(0, mem.Size())
		if diff := cmp.Diff(want[:1024+18], got[:1024+18]); diff != "" || mem.Size() != 16<<16 {
			t.Fatalf("tenant %d: size %d, image (-want +got):\n%s", n, mem.Size(), diff)
		}
		for i, b := range got[1024+1024:] {
			if b != 0 {
				t.Fatalf("tenant %d: byte %d is %#x, want 0", n, 2048+i, b)
			}
		}
		if _, err := mod.ExportedFunction("touch").Call(ctx, uint64(n*5%257)); err != nil {
			t.Fatal(err)
		}
		if _, ok := mem.Grow(uint32(n % 3)); !ok {
			t.Fatalf("tenant %d: grow failed", n)
		}
		mem.Write(mem.Size()-1, []byte{0xff})
		if err := mod.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if st := p.Stats(); st.InUse != 0 || st.Acquires != 40 || st.MadviseCalls != 0 {
		t.Errorf("pool stats %+v: want 40 acquires, none in use, no madvise", st)
	}
}

// BenchmarkEcho compares wazero's interpreter on the echo workload with
// its default memory (Go heap) and with pool slots.
func BenchmarkEcho(b *testing.B) {
	ctx := context.Background()
	for _, alloc := range []string{"go-heap", "wpi-pool"} {
		b.Run("memory="+alloc, func(b *testing.B) {
			actx := ctx
			if alloc == "wpi-pool" {
				actx = experimental.WithMemoryAllocator(ctx, wazeroalloc.New(newPool(b)))
			}
			rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
			defer rt.Close(ctx)
			cm, err := rt.CompileModule(ctx, readWasm(b, "echo.wasm"))
			if err != nil {
				b.Fatal(err)
			}
			cfg := wazero.NewModuleConfig().WithName("")
			stack := make([]uint64, 2)
			b.ReportAllocs()
			for b.Loop() {
				mod, err := rt.InstantiateModule(actx, cm, cfg)
				if err != nil {
					b.Fatal(err)
				}
				stack[0], stack[1] = 1, 2
				if err := mod.ExportedFunction("echo").CallWithStack(ctx, stack); err != nil {
					b.Fatal(err)
				}
				mod.Close(ctx)
			}
		})
	}
}
