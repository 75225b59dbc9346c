package instance

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/tetratelabs/wazero/api"
)

var (
	contextType  = reflect.TypeFor[context.Context]()
	instanceType = reflect.TypeFor[Instance]()
	moduleType   = reflect.TypeFor[Module]()
	errorType    = reflect.TypeFor[error]()
)

// WithFunc sets the function's code and signature from fn, a Go func of
// any of the shapes wazero's HostFunctionBuilder.WithFunc takes, so that a
// wazero host module ports line for line (api.Module becomes Module, or
// Instance for a call without reflection):
//
//	func(v uint32)                                          // a param, no result
//	func() uint32                                           // a result
//	func(ctx context.Context, m Instance, off, n uint32) int32 // the caller's memory
//	func(ctx context.Context, a int64, b float64) (float64, uint32, error)
//
// The params are, in order: an optional context.Context (the call's), an
// optional Instance or Module (the caller, as for GoModuleFunc), then the wasm
// params; the results are the wasm results, then an optional error
// (non-nil ends the call, as for GoModuleFunc). Wasm params and results
// have Value types: int32, uint32 or a type defined on them for i32,
// int64 or uint64 for i64, float32 for f32, float64 for f64. Any other
// type fails the builder (Instantiate returns the error).
//
// fn's type is read with reflection once, here. A call from wasm uses no
// reflection and allocates nothing when fn has at most 4 params of the
// i32 or i64 class and no result or one of those classes (generated
// code, withfunc_gen.go; this covers the usual pointer-and-length host
// functions) and takes its caller, if at all, as an Instance; other
// shapes (floats, more params or results, a Module caller) are called
// with reflect.Value.Call, as wazero calls them, which allocates. The
// typed forms HostFunc0 ... HostFunc6R3 cover floats and multiple results
// without reflection.
func (fb *HostFunctionBuilder) WithFunc(fn any) *HostFunctionBuilder {
	hf, _, err := funcOf(fn)
	if err != nil {
		fb.b.fail(fmt.Errorf("host function: WithFunc: %w", err))
		return fb
	}
	return fb.WithHostFunction(hf)
}

// signature is what funcOf reads of a func type.
type signature struct {
	ctx, caller, err bool
	callerModule     bool // the caller param is a Module, not an Instance
	params, results  []reflect.Type
}

// valueTypeOfKind returns the wasm type of a Go type of kind k.
func valueTypeOfKind(k reflect.Kind) (api.ValueType, bool) {
	switch k {
	case reflect.Int32, reflect.Uint32:
		return api.ValueTypeI32, true
	case reflect.Int64, reflect.Uint64:
		return api.ValueTypeI64, true
	case reflect.Float32:
		return api.ValueTypeF32, true
	case reflect.Float64:
		return api.ValueTypeF64, true
	}
	return 0, false
}

// funcOf makes the HostFunction of fn (see WithFunc); fast reports that
// it calls fn without reflection.
func funcOf(fn any) (_ HostFunction, fast bool, _ error) {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return HostFunction{}, false, fmt.Errorf("%T is not a func", fn)
	}
	t := v.Type()
	if t.IsVariadic() {
		return HostFunction{}, false, fmt.Errorf("%s: variadic funcs are not supported", t)
	}
	var sig signature
	var hf HostFunction
	i := 0
	if i < t.NumIn() && t.In(i) == contextType {
		sig.ctx = true
		i++
	}
	if i < t.NumIn() && (t.In(i) == instanceType || t.In(i) == moduleType) {
		sig.caller, sig.callerModule = true, t.In(i) == moduleType
		i++
	}
	for ; i < t.NumIn(); i++ {
		vt, ok := valueTypeOfKind(t.In(i).Kind())
		if !ok {
			return HostFunction{}, false, fmt.Errorf("%s: param %d has type %s, want int32, uint32, int64, uint64, float32 or float64 (context.Context and Instance or Module only first)", t, i, t.In(i))
		}
		sig.params = append(sig.params, t.In(i))
		hf.Params = append(hf.Params, vt)
	}
	n := t.NumOut()
	if n > 0 && t.Out(n-1) == errorType {
		sig.err = true
		n--
	}
	for i := 0; i < n; i++ {
		vt, ok := valueTypeOfKind(t.Out(i).Kind())
		if !ok {
			return HostFunction{}, false, fmt.Errorf("%s: result %d has type %s, want int32, uint32, int64, uint64, float32 or float64 (error only last)", t, i, t.Out(i))
		}
		sig.results = append(sig.results, t.Out(i))
		hf.Results = append(hf.Results, vt)
	}
	if key, ok := sig.fastKey(); ok {
		if f, ok := fastFunc(fn, key); ok {
			hf.Func = f
			return hf, true, nil
		}
	}
	hf.Func = reflectFunc(v, sig)
	return hf, false, nil
}

// fastKey returns the key of the signature in fastFunc's table: "c" for a
// context, "m" for an Instance, the params in parentheses ("i" for the
// i32 class, "I" for i64), the result's letter, "e" for an error. ok is
// false for a signature outside the generated set's classes.
func (s signature) fastKey() (string, bool) {
	if s.callerModule { // the generated adapters pass an Instance
		return "", false
	}
	var b strings.Builder
	if s.ctx {
		b.WriteByte('c')
	}
	if s.caller {
		b.WriteByte('m')
	}
	letter := func(t reflect.Type) (byte, bool) {
		switch t.Kind() {
		case reflect.Int32, reflect.Uint32:
			return 'i', true
		case reflect.Int64, reflect.Uint64:
			return 'I', true
		}
		return 0, false
	}
	b.WriteByte('(')
	for _, p := range s.params {
		l, ok := letter(p)
		if !ok {
			return "", false
		}
		b.WriteByte(l)
	}
	b.WriteByte(')')
	if len(s.results) > 1 {
		return "", false
	}
	for _, r := range s.results {
		l, ok := letter(r)
		if !ok {
			return "", false
		}
		b.WriteByte(l)
	}
	if s.err {
		b.WriteByte('e')
	}
	return b.String(), true
}

// reflectFunc calls fn with reflect.Value.Call (the slow path of
// WithFunc): each param is written into a new value of its type by its
// bits, each result read back the same way.
func reflectFunc(fn reflect.Value, sig signature) GoModuleFunc {
	return func(ctx context.Context, caller Instance, stack []uint64) error {
		in := make([]reflect.Value, 0, 2+len(sig.params))
		if sig.ctx {
			in = append(in, reflect.ValueOf(&ctx).Elem())
		}
		if sig.caller {
			in = append(in, reflect.ValueOf(caller))
		}
		for i, t := range sig.params {
			p := reflect.New(t)
			// SAFETY: t is a Value type of 4 or 8 bytes (funcOf checked
			// its kind) and p points to a new value of it.
			if t.Size() == 4 {
				*(*uint32)(p.UnsafePointer()) = uint32(stack[i])
			} else {
				*(*uint64)(p.UnsafePointer()) = stack[i]
			}
			in = append(in, p.Elem())
		}
		out := fn.Call(in)
		if sig.err {
			if err, _ := out[len(out)-1].Interface().(error); err != nil {
				return err
			}
		}
		for i, t := range sig.results {
			r := reflect.New(t)
			r.Elem().Set(out[i])
			// SAFETY: as for the params.
			if t.Size() == 4 {
				stack[i] = uint64(*(*uint32)(r.UnsafePointer()))
			} else {
				stack[i] = *(*uint64)(r.UnsafePointer())
			}
		}
		return nil
	}
}
