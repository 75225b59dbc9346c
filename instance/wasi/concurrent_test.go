package wasi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"

	"github.com/wpi-dev/wpi/instance"
)

// guestRuntime returns a runtime of slots 1 MiB slots with WASI
// registered (cfg serving the guests without their own) and
// testdata/name.wasm compiled in it; the test's end closes both.
func guestRuntime(t *testing.T, slots int, cfg Config, name string) (*instance.Runtime, *instance.CompiledModule) {
	t.Helper()
	ctx := context.Background()
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: slots, MemorySlotBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	w, err := Instantiate(ctx, rt, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(ctx) })
	bin, err := os.ReadFile("testdata/" + name + ".wasm")
	if err != nil {
		t.Fatal(err)
	}
	cm, err := rt.Compile(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	return rt, cm
}

// TestConcurrentGuests runs many instances of one WASI command at once,
// each with its own arguments and stdout (WithConfig), and checks that
// each wrote its own argument and nothing else; a guest without its own
// config uses the Module's.
func TestConcurrentGuests(t *testing.T) {
	ctx := context.Background()
	const guests, rounds = 8, 10
	var shared bytes.Buffer
	rt, cm := guestRuntime(t, guests, Config{Args: []string{"prog", "default"}, Stdout: &shared}, "echoargs")

	got := make([]string, guests)
	var wg sync.WaitGroup
	for g := range guests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out bytes.Buffer
			for r := range rounds {
				mc := WithConfig(instance.ModuleConfig{}, Config{Args: []string{"prog", fmt.Sprintf("<%d.%d>", g, r)}, Stdout: &out})
				inst, err := rt.Instantiate(ctx, cm, mc)
				if err != nil {
					t.Error(err)
					return
				}
				if err := Run(ctx, inst); err != nil {
					t.Error(err)
				}
				inst.Close(ctx)
			}
			got[g] = out.String()
		}()
	}
	wg.Wait()
	want := make([]string, guests)
	for g := range guests {
		for r := range rounds {
			want[g] += fmt.Sprintf("<%d.%d>", g, r)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stdout of each guest (-want +got):\n%s", diff)
	}

	inst, err := rt.Instantiate(ctx, cm, instance.ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	if err := Run(ctx, inst); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("default", shared.String()); diff != "" {
		t.Errorf("stdout of the guest without its own config (-want +got):\n%s", diff)
	}
}

// countingFS counts the directories opened through it and still open.
type countingFS struct {
	experimentalsys.FS
	mu   sync.Mutex
	open int
}

type countingFile struct {
	experimentalsys.File
	fs *countingFS
}

func (f *countingFS) OpenFile(path string, flag experimentalsys.Oflag, perm os.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	file, e := f.FS.OpenFile(path, flag, perm)
	if e == 0 {
		f.mu.Lock()
		f.open++
		f.mu.Unlock()
		file = countingFile{file, f}
	}
	return file, e
}

func (c countingFile) Close() experimentalsys.Errno {
	c.fs.mu.Lock()
	c.fs.open--
	c.fs.mu.Unlock()
	return c.File.Close()
}

// TestWithConfigLifetime: a guest's mounts are opened when it is
// instantiated and closed with it (also when the instantiation fails),
// and a bad mount fails the instantiation.
func TestWithConfigLifetime(t *testing.T) {
	ctx := context.Background()
	rt, cm := guestRuntime(t, 2, Config{}, "echoargs")
	fsys := &countingFS{FS: sysfs.DirFS(t.TempDir())}
	mc := WithConfig(instance.ModuleConfig{}, Config{Args: []string{"p", "x"}, Mounts: []Mount{{FS: fsys, GuestPath: "/a"}, {FS: fsys, GuestPath: "/b"}}})
	a, err := rt.Instantiate(ctx, cm, mc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := rt.Instantiate(ctx, cm, mc)
	if err != nil {
		t.Fatal(err)
	}
	opened := fsys.open
	a.Close(ctx)
	afterA := fsys.open
	b.Close(ctx)
	if diff := cmp.Diff([]int{4, 2, 0}, []int{opened, afterA, fsys.open}); diff != "" {
		t.Errorf("open preopens with two guests, after closing one, both (-want +got):\n%s", diff)
	}

	bad := WithConfig(instance.ModuleConfig{}, Config{Mounts: []Mount{{HostDir: "/no/such/dir"}}})
	if _, err := rt.Instantiate(ctx, cm, bad); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing mount: got %v, want os.ErrNotExist", err)
	}
	if st := rt.PoolStats(); st.InUse != 0 {
		t.Errorf("%d slots in use after a failed instantiation, want 0", st.InUse)
	}
}
