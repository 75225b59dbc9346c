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
//	    (drop) (i32.add (i32.const 1)))
//	  (func (export "throw_catch") (param i32) (result i32)
//	    (loop $l
//	      (block $h (result i32 i64)
//	        (try_table (catch $e $h) (throw $e (local.get 0) (i64.const 1)))
//	        (unreachable))
//	      (drop) (drop)
//	      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
//	    (i32.const 0))
//	  (func (export "throw_catch_ref") (param i32) (result i32)
//	    ;; the same, but (catch_ref $e $h) into (result i32 i64 exnref),
//	    ;; and three drops
//	    ...))
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
	b = append(b, sec(1, []byte{6,
		0x60, 1, 0x7f, 0, // 0: (i32)
		0x60, 2, 0x7f, 0x7e, 0, // 1: (i32 i64)
		0x60, 1, 0x7f, 1, 0x7f, // 2: (i32) -> i32
		0x60, 0, 1, 0x7f, // 3: () -> i32
		0x60, 0, 2, 0x7f, 0x7e, // 4: () -> (i32 i64)
		0x60, 0, 3, 0x7f, 0x7e, 0x69, // 5: () -> (i32 i64 exnref)
	})...)
	b = append(b, sec(2, []byte{1}, str("env"), str("callback"), []byte{0, 0})...)
	b = append(b, sec(3, []byte{6, 0, 0, 3, 2, 2, 2})...)
	b = append(b, sec(13, []byte{1, 0, 1})...)
	b = append(b, sec(7, []byte{7},
		str("e"), []byte{4, 0}, str("thrower"), []byte{0, 1}, str("escape"), []byte{0, 2},
		str("trap_not_caught"), []byte{0, 3}, str("through_host"), []byte{0, 4},
		str("throw_catch"), []byte{0, 5}, str("throw_catch_ref"), []byte{0, 6})...)
	// throwLoop is throw_catch's body, with the catch clause's kind, the
	// block's type and its results' drops as given.
	throwLoop := func(catchKind, blockType byte, drops int) []byte {
		b := []byte{0x03, 0x40, 0x02, blockType,
			0x1f, 0x40, 1, catchKind, 0, 0, 0x20, 0, 0x42, 1, 0x08, 0, 0x0b, 0x00,
			0x0b}
		for range drops {
			b = append(b, 0x1a)
		}
		b = append(b, 0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b, 0x41, 0, 0x0b)
		return fn(b...)
	}
	b = append(b, sec(10, []byte{6},
		fn(0x20, 0, 0x42, 0xcd, 0x00, 0x08, 0, 0x0b),
		fn(0x20, 0, 0x10, 1, 0x0b),
		fn(0x02, 0x40, 0x1f, 0x40, 1, 0x02, 0, 0x00, 0x0b, 0x0b, 0x41, 1, 0x0b),
		fn(0x02, 4, 0x1f, 0x40, 1, 0x00, 0, 0, 0x20, 0, 0x10, 0, 0x0b, 0x41, 0x7f, 0x0f, 0x0b, 0x1a, 0x41, 1, 0x6a, 0x0b),
		throwLoop(0x00, 4, 2), // catch
		throwLoop(0x01, 5, 3), // catch_ref
	)...)
	return b
}

// exceptionsRuntime is a runtime with exceptionsModule's import: an
// env.callback that calls back into *inst's "thrower" (which throws) and
// hands its error back.
func exceptionsRuntime(t *testing.T, inst *Instance) *Runtime {
	t.Helper()
	rt := newTestRuntime(t, Config{Features: SupportedFeatures})
	_, err := rt.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithGoModuleFunction(func(ctx context.Context, _ Instance, s []uint64) error {
			_, err := inst.ExportedFunction("thrower").Call(ctx, s[0])
			return err
		}, []api.ValueType{api.ValueTypeI32}, nil).Export("callback").Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// TestExceptions checks exception handling at the API: an exception that
// escapes wasm is an error matchable with errors.As carrying its tag and
// values; a trap is never caught by catch_all; and an exception thrown by
// wasm that a host function called back into unwinds through the host
// frame to the try_table of the wasm that called the host.
func TestExceptions(t *testing.T) {
	var inst Instance
	rt := exceptionsRuntime(t, &inst)
	inst, err := rt.InstantiateWasm(ctx, exceptionsModule(), ModuleConfig{})
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

// TestExceptionsKept: an exception caught without _ref is not kept by
// its instance (a guest that throws and catches in a loop holds no
// memory for it); one caught with catch_ref is kept, once, as the exnref
// may be stored anywhere; closing the instance drops them all.
func TestExceptionsKept(t *testing.T) {
	rt := newTestRuntime(t, Config{Features: SupportedFeatures})
	_, err := rt.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithGoModuleFunction(func(context.Context, Instance, []uint64) error { return nil },
			[]api.ValueType{api.ValueTypeI32}, nil).Export("callback").Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := rt.Compile(ctx, exceptionsModule())
	if err != nil {
		t.Fatal(err)
	}
	inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	kept := func() int { return len(inst.e.Exceptions) }
	if res, err := inst.ExportedFunction("throw_catch").Call(ctx, 100_000); err != nil || res[0] != 0 {
		t.Fatalf("throw_catch(100000) = %v, %v", res, err)
	}
	if n := kept(); n != 0 {
		t.Errorf("after 100000 exceptions caught without _ref, the instance keeps %d, want 0", n)
	}
	if res, err := inst.ExportedFunction("throw_catch_ref").Call(ctx, 1000); err != nil || res[0] != 0 {
		t.Fatalf("throw_catch_ref(1000) = %v, %v", res, err)
	}
	if n := kept(); n != 1000 {
		t.Errorf("after 1000 exceptions caught with catch_ref, the instance keeps %d, want 1000", n)
	}
	e := inst.e
	inst.Close(ctx)
	inst, err = rt.Instantiate(ctx, cm, ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	if inst.e == e && len(e.Exceptions) != 0 {
		t.Errorf("the recycled instance state keeps %d exceptions of its last tenant", len(e.Exceptions))
	}
}

// TestSnapshotWithTags: a module with a tag and exception handling
// snapshots, and the snapshot's Encode writes a module (tag section,
// tag export) that compiles again and throws and catches as the
// original.
func TestSnapshotWithTags(t *testing.T) {
	var inst Instance
	rt := exceptionsRuntime(t, &inst)
	src, err := rt.InstantiateWasm(ctx, exceptionsModule(), ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.ExportedFunction("throw_catch").Call(ctx, 3); err != nil {
		t.Fatal(err)
	}
	snap, err := rt.Snapshot(ctx, src, SnapshotConfig{Init: "throw_catch"})
	src.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := snap.Encode()
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	inst, err = rt.InstantiateWasm(ctx, bin, ModuleConfig{})
	if err != nil {
		t.Fatalf("the encoded snapshot: %v", err)
	}
	defer inst.Close(ctx)
	if _, ok := snap.ExportedFunctionType("throw_catch"); ok {
		t.Errorf("the snapshot still exports its init, throw_catch")
	}
	_, err = inst.ExportedFunction("escape").Call(ctx, 9)
	var exn *Exception
	if !errors.As(err, &exn) || exn.Tag != inst.ExportedTag("e") || len(exn.Values) != 2 || exn.Values[0] != 9 || exn.Values[1] != 77 {
		t.Errorf("escape(9) from the encoded snapshot: %v (%+v), want exception e(9, 77)", err, exn)
	}
	if got, err := inst.ExportedFunction("through_host").Call(ctx, 1); err != nil || got[0] != 2 {
		t.Errorf("through_host(1) from the encoded snapshot = %v, %v; want [2]", got, err)
	}
}
