package instance

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"
)

// uleb appends n in unsigned LEB128.
func uleb(b []byte, n int) []byte {
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// exceptionsModule is, hand-assembled (wabt cannot write try_table):
//
//	(module
//	  (import "env" "callback" (func $callback (param i32)))
//	  (tag $e (export "e") (param i32 i64))
//	  (func $thrower (export "thrower") (param i32)
//	    (throw $e (local.get 0) (i64.const 77)))
//	  (func (export "escape") (param i32) (call $thrower (local.get 0)))
//	  (func (export "trap_not_caught") (result i32)
//	    (block $h (try_table (catch_all $h) (unreachable)))
//	    (i32.const 1))
//	  (func (export "through_host") (param i32) (result i32)
//	    (block $h (result i32 i64)
//	      (try_table (catch $e $h) (call $callback (local.get 0)))
//	      (return (i32.const -1)))
//	    (drop) (i32.add (i32.const 1))))
func exceptionsModule() []byte {
	sec := func(id byte, parts ...[]byte) []byte {
		var body []byte
		for _, p := range parts {
			body = append(body, p...)
		}
		return append(uleb([]byte{id}, len(body)), body...)
	}
	str := func(s string) []byte { return append(uleb(nil, len(s)), s...) }
	fn := func(body ...byte) []byte { return append(uleb(nil, len(body)+1), append([]byte{0}, body...)...) }
	b := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	b = append(b, sec(1, []byte{5,
		0x60, 1, 0x7f, 0, // 0: (i32)
		0x60, 2, 0x7f, 0x7e, 0, // 1: (i32 i64)
		0x60, 1, 0x7f, 1, 0x7f, // 2: (i32) -> i32
		0x60, 0, 1, 0x7f, // 3: () -> i32
		0x60, 0, 2, 0x7f, 0x7e, // 4: () -> (i32 i64)
	})...)
	b = append(b, sec(2, []byte{1}, str("env"), str("callback"), []byte{0, 0})...)
	b = append(b, sec(3, []byte{4, 0, 0, 3, 2})...)
	b = append(b, sec(13, []byte{1, 0, 1})...)
	b = append(b, sec(7, []byte{5},
		str("e"), []byte{4, 0}, str("thrower"), []byte{0, 1}, str("escape"), []byte{0, 2},
		str("trap_not_caught"), []byte{0, 3}, str("through_host"), []byte{0, 4})...)
	b = append(b, sec(10, []byte{4},
		fn(0x20, 0, 0x42, 0xcd, 0x00, 0x08, 0, 0x0b),
		fn(0x20, 0, 0x10, 1, 0x0b),
		fn(0x02, 0x40, 0x1f, 0x40, 1, 0x02, 0, 0x00, 0x0b, 0x0b, 0x41, 1, 0x0b),
		fn(0x02, 4, 0x1f, 0x40, 1, 0x00, 0, 0, 0x20, 0, 0x10, 0, 0x0b, 0x41, 0x7f, 0x0f, 0x0b, 0x1a, 0x41, 1, 0x6a, 0x0b),
	)...)
	return b
}

// TestExceptions checks exception handling at the API: an exception that
// escapes wasm is an error matchable with errors.As carrying its tag and
// values; a trap is never caught by catch_all; and an exception thrown by
// wasm that a host function called back into unwinds through the host
// frame to the try_table of the wasm that called the host.
func TestExceptions(t *testing.T) {
	rt := newTestRuntime(t, Config{Features: SupportedFeatures})
	var inst Instance
	_, err := rt.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithGoModuleFunction(func(ctx context.Context, _ Instance, s []uint64) error {
			// Call back into wasm, which throws; hand its error back.
			_, err := inst.ExportedFunction("thrower").Call(ctx, s[0])
			return err
		}, []api.ValueType{api.ValueTypeI32}, nil).Export("callback").Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inst, err = rt.InstantiateWasm(ctx, exceptionsModule(), ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)

	_, err = inst.ExportedFunction("escape").Call(ctx, api.EncodeI32(-5))
	var exn *Exception
	if !errors.As(err, &exn) {
		t.Fatalf("escape: error %v, want an *Exception", err)
	}
	if tag := inst.ExportedTag("e"); exn.Tag != tag || tag.IsNil() {
		t.Errorf("exception's tag %v, want the exported tag e %v", exn.Tag, tag)
	}
	if diff := cmp.Diff([]uint64{api.EncodeI32(-5), 77}, exn.Values); diff != "" {
		t.Errorf("exception values (-want +got):\n%s", diff)
	}
	if IsTrap(err) && errors.Is(err, ErrTrapUnreachable) {
		t.Errorf("an exception reported as a trap kind: %v", err)
	}

	if _, err := inst.ExportedFunction("trap_not_caught").Call(ctx); !errors.Is(err, ErrTrapUnreachable) || errors.As(err, &exn) {
		t.Errorf("trap_not_caught: %v, want the unreachable trap, uncaught", err)
	}

	got, err := inst.ExportedFunction("through_host").Call(ctx, api.EncodeI32(41))
	if err != nil {
		t.Fatalf("through_host: %v", err)
	}
	if diff := cmp.Diff([]uint64{42}, got); diff != "" {
		t.Errorf("through_host (-want +got):\n%s", diff)
	}
}
