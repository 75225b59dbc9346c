package instance_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/instance"
)

// importerKey is the key of the value the host module "host" makes for
// its importers.
type importerKey struct{}

// importerVal is that value: the importer's Args.
type importerVal struct{ args []string }

// TestWithImporterValueFunc: a host module's importer value is made from
// each importing instance's ModuleConfig (once per instance however many
// functions it imports), read by the host functions through the caller,
// closed with the instance and made again by Reset; a value the
// ModuleConfig attaches under the key wins; a nil result attaches
// nothing; an error fails the instantiation and closes the values made
// before it; a module that does not import from the host module gets
// nothing.
func TestWithImporterValueFunc(t *testing.T) {
	ctx := context.Background()
	rt := instance.MustNewRuntime(ctx, instance.Config{MemorySlots: 2, MemorySlotBytes: 1 << 20})
	defer rt.Close(ctx)
	var opened, closed int
	_, err := rt.NewHostModuleBuilder("host").
		WithImporterValueFunc(importerKey{}, func(_ context.Context, mc instance.ModuleConfig) (any, error) {
			opened++
			switch {
			case mc.Args == nil:
				return nil, nil
			case mc.Args[0] == "fail":
				return nil, errors.New("refused")
			}
			return &importerVal{args: mc.Args}, nil
		}, func(any) { closed++ }).
		NewFunctionBuilder().WithGoModuleFunction(func(_ context.Context, caller instance.Instance, stack []uint64) error {
		stack[0] = 99 // no value
		if v, ok := caller.Value(importerKey{}).(*importerVal); ok {
			stack[0] = uint64(len(v.args))
		}
		return nil
	}, nil, []api.ValueType{api.ValueTypeI32}).Export("f").
		NewFunctionBuilder().WithFunc(func() {}).Export("g").
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.NewHostModuleBuilder("other").NewFunctionBuilder().WithFunc(func() {}).Export("h").Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	read := func(name string) *instance.CompiledModule {
		b, err := os.ReadFile("testdata/" + name + ".wasm")
		if err != nil {
			t.Fatal(err)
		}
		cm, err := rt.Compile(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		return cm
	}
	importer, other := read("importer"), read("importer_other")

	type counts struct{ Get, Opened, Closed int }
	get := func(inst instance.Instance) int {
		res, err := inst.ExportedFunction("get").Call(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int(res[0])
	}
	for _, tc := range []struct {
		name      string
		mc        instance.ModuleConfig
		open      counts // after Instantiate
		afterDone counts // after Reset and Close
	}{
		{"Args", instance.ModuleConfig{}.WithArgs("a", "b"), counts{2, 1, 0}, counts{2, 2, 2}},
		{"nil result", instance.ModuleConfig{}, counts{99, 1, 0}, counts{99, 2, 0}},
		{"ModuleConfig's value wins", instance.ModuleConfig{}.WithArgs("a").WithValue(importerKey{}, &importerVal{args: []string{"x", "y", "z"}}), counts{3, 0, 0}, counts{3, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opened, closed = 0, 0
			inst, err := rt.Instantiate(ctx, importer, tc.mc)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.open, counts{get(inst), opened, closed}); diff != "" {
				t.Errorf("after Instantiate (-want +got)\n%s", diff)
			}
			if err := inst.Reset(ctx); err != nil {
				t.Fatal(err)
			}
			g := get(inst)
			inst.Close(ctx)
			if diff := cmp.Diff(tc.afterDone, counts{g, opened, closed}); diff != "" {
				t.Errorf("after Reset and Close (-want +got)\n%s", diff)
			}
		})
	}

	t.Run("error", func(t *testing.T) {
		opened, closed = 0, 0
		var own int
		mc := instance.ModuleConfig{}.WithArgs("fail").
			WithValueFunc("own", func(context.Context) (any, error) { return 1, nil }, func(any) { own++ })
		inst, err := rt.Instantiate(ctx, importer, mc)
		if err == nil || !strings.Contains(err.Error(), "refused") || !inst.Closed() {
			t.Fatalf("Instantiate: %v (closed %v), want the importer value's error", err, inst.Closed())
		}
		if diff := cmp.Diff(counts{0, 1, 0}, counts{0, opened, closed}); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		if own != 1 {
			t.Errorf("the ModuleConfig's own value was closed %d times, want 1", own)
		}
		if n := rt.PoolStats().InUse; n != 0 {
			t.Errorf("%d slots in use after a failed instantiation", n)
		}
	})

	t.Run("nil newVal", func(t *testing.T) {
		_, err := rt.NewHostModuleBuilder("bad").WithImporterValueFunc(importerKey{}, nil, nil).Instantiate(ctx)
		if err == nil || !strings.Contains(err.Error(), "nil newVal") {
			t.Errorf("Instantiate of a host module with a nil newVal: %v, want an error", err)
		}
	})

	t.Run("not an importer", func(t *testing.T) {
		opened, closed = 0, 0
		inst, err := rt.Instantiate(ctx, other, instance.ModuleConfig{}.WithArgs("a"))
		if err != nil {
			t.Fatal(err)
		}
		inst.Close(ctx)
		if diff := cmp.Diff(counts{0, 0, 0}, counts{0, opened, closed}); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
	})
}

// The system-environment With methods set ModuleConfig's fields on a
// copy, as wazero's do: WithArgs copies its arguments, WithEnv replaces
// a variable in place or appends it without changing the original's
// slice.
func TestModuleConfigEnvironmentFields(t *testing.T) {
	args := []string{"prog", "x"}
	base := instance.ModuleConfig{}.WithArgs(args...).WithEnv("A", "1").WithEnv("B", "2")
	args[1] = "changed"
	mc := base.WithEnv("A", "3").WithEnv("C", "4")
	if diff := cmp.Diff([]string{"prog", "x"}, base.Args); diff != "" {
		t.Errorf("Args (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"A=1", "B=2"}, {"A=3", "B=2", "C=4"}}, [][]string{base.Env, mc.Env}); diff != "" {
		t.Errorf("Env of the original and the copy (-want +got)\n%s", diff)
	}
	in, out, errw, fsys := strings.NewReader("in"), new(strings.Builder), new(strings.Builder), os.DirFS(".")
	mc = mc.WithStdin(in).WithStdout(out).WithStderr(errw).WithFS(fsys)
	if mc.Stdin != in || mc.Stdout != out || mc.Stderr != errw || mc.FS == nil || base.Stdin != nil || base.FS != nil {
		t.Errorf("With{Stdin,Stdout,Stderr,FS}: %+v (original %+v)", mc, base)
	}
}
