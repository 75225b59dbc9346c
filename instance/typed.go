package instance

import (
	"context"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/decoder"
)

// The typed layer: Go types for wasm values, exported functions called
// with typed arguments, and host functions written as ordinary typed Go
// functions. It sits on CallWithStack and GoModuleFunc, checks signatures
// once (when a handle or host function is made) and, like them,
// allocates nothing per call. It uses no reflection per call.

// Value is the Go types that stand for wasm number types: int32 and
// uint32 for i32, int64 and uint64 for i64, float32 for f32, float64 for
// f64, and types defined on them (type Fd int32).
type Value interface {
	~int32 | ~uint32 | ~int64 | ~uint64 | ~float32 | ~float64
}

// Result is a Value, or None for a function without a result.
type Result interface {
	Value | None
}

// None is the Result type of a function that returns nothing.
type None struct{}

// Encode encodes v as a cell, as api.EncodeI32, api.EncodeF64 etc. do:
// 32-bit values zero-extended, floats as their IEEE 754 bits.
func Encode[T Value](v T) uint64 {
	// SAFETY: T is one of six number types (or a type defined on one) of
	// 4 or 8 bytes; reading its bytes as an unsigned integer of the same
	// size is a bit cast.
	if unsafe.Sizeof(v) == 4 {
		return uint64(*(*uint32)(unsafe.Pointer(&v)))
	}
	return *(*uint64)(unsafe.Pointer(&v))
}

// Decode decodes a cell made by Encode (or api.EncodeI32 etc.): the low
// 32 bits for a 32-bit T.
func Decode[T Value](cell uint64) T {
	var v T
	// SAFETY: as for Encode, v has 4 or 8 bytes.
	if unsafe.Sizeof(v) == 4 {
		*(*uint32)(unsafe.Pointer(&v)) = uint32(cell)
	} else {
		*(*uint64)(unsafe.Pointer(&v)) = cell
	}
	return v
}

// ValueTypeOf returns the wasm type T stands for (api.ValueTypeI32, ...).
func ValueTypeOf[T Value]() api.ValueType {
	var half T = 1
	half /= 2 // 0.5 for floats, 0 for integers
	switch {
	case unsafe.Sizeof(half) == 4 && half != 0:
		return api.ValueTypeF32
	case unsafe.Sizeof(half) == 4:
		return api.ValueTypeI32
	case half != 0:
		return api.ValueTypeF64
	default:
		return api.ValueTypeI64
	}
}

// resultTypes returns the result types for R: none for None.
func resultTypes[R Result]() []api.ValueType {
	t := reflect.TypeFor[R]()
	switch t.Kind() {
	case reflect.Struct:
		return nil
	case reflect.Int32, reflect.Uint32:
		return []api.ValueType{api.ValueTypeI32}
	case reflect.Int64, reflect.Uint64:
		return []api.ValueType{api.ValueTypeI64}
	case reflect.Float32:
		return []api.ValueType{api.ValueTypeF32}
	default:
		return []api.ValueType{api.ValueTypeF64}
	}
}

// encodeResult writes r to stack[0] unless R is None.
func encodeResult[R Result](stack []uint64, r R) {
	// SAFETY: R is None (0 bytes, nothing to encode) or a Value of 4 or 8
	// bytes.
	switch unsafe.Sizeof(r) {
	case 4:
		stack[0] = uint64(*(*uint32)(unsafe.Pointer(&r)))
	case 8:
		stack[0] = *(*uint64)(unsafe.Pointer(&r))
	}
}

// decodeResult reads R from stack[0]: the zero None for None.
func decodeResult[R Result](stack []uint64) R {
	var r R
	// SAFETY: as for encodeResult.
	switch unsafe.Sizeof(r) {
	case 4:
		*(*uint32)(unsafe.Pointer(&r)) = uint32(stack[0])
	case 8:
		*(*uint64)(unsafe.Pointer(&r)) = stack[0]
	}
	return r
}

//go:generate go run ./internal/gentyped

// HostFunction is a host function with its signature, made from a typed
// Go function by HostFunc0 ... HostFunc6 (one result, or None for none)
// or HostFunc0R2 ... HostFunc6R3 (two or three results), which are
// generated (typed_gen.go); add it to a host module with
// HostFunctionBuilder.WithHostFunction. For any other shape, and for
// functions written for wazero's WithFunc, see HostFunctionBuilder.WithFunc.
type HostFunction struct {
	// Func is the stack-based adapter around the typed Go function.
	Func GoModuleFunc
	// Params and Results are its wasm signature.
	Params, Results []api.ValueType
}

// WithHostFunction sets the function's code and signature from a typed
// host function (HostFunc0 ... HostFunc6R3).
func (fb *HostFunctionBuilder) WithHostFunction(hf HostFunction) *HostFunctionBuilder {
	return fb.WithGoModuleFunction(hf.Func, hf.Params, hf.Results)
}

// typedFunc is what the typed handles share: the function and a stack
// big enough for its params and result.
type typedFunc struct {
	f     Function
	stack [3]uint64
}

// checkSignature verifies that f's signature is params -> results.
func checkSignature(f Function, params, results []api.ValueType) error {
	if f.IsNil() {
		return fmt.Errorf("instance: typed function: nil function")
	}
	same := func(a, b []api.ValueType) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	if !same(f.ParamTypes(), params) || !same(f.ResultTypes(), results) {
		want := funcTypeString(&decoder.FuncType{Params: params, Results: results})
		return fmt.Errorf("instance: %s has type %s, not %s", f.describe(), funcTypeString(f.f.Type), want)
	}
	return nil
}

// TypedFunc0 is an exported function taking no params, called with
// typed Go values; make one with NewTypedFunc0. It holds its own call
// stack: like the instance, it is not safe for concurrent use.
type TypedFunc0[R Result] struct{ t typedFunc }

// NewTypedFunc0 checks that f takes no params and returns R (nothing for
// None) and returns a typed handle for it.
func NewTypedFunc0[R Result](f Function) (*TypedFunc0[R], error) {
	if err := checkSignature(f, nil, resultTypes[R]()); err != nil {
		return nil, err
	}
	return &TypedFunc0[R]{t: typedFunc{f: f}}, nil
}

// Call calls the function (see Function.CallWithStack for the errors).
// It does not allocate.
func (t *TypedFunc0[R]) Call(ctx context.Context) (R, error) {
	s := t.t.stack[:]
	if err := t.t.f.CallWithStack(ctx, s); err != nil {
		var zero R
		return zero, err
	}
	return decodeResult[R](s), nil
}

// TypedFunc1 is an exported function taking one param; see TypedFunc0.
type TypedFunc1[A Value, R Result] struct{ t typedFunc }

// NewTypedFunc1 checks that f takes an A and returns R, and returns a
// typed handle for it.
func NewTypedFunc1[A Value, R Result](f Function) (*TypedFunc1[A, R], error) {
	if err := checkSignature(f, []api.ValueType{ValueTypeOf[A]()}, resultTypes[R]()); err != nil {
		return nil, err
	}
	return &TypedFunc1[A, R]{t: typedFunc{f: f}}, nil
}

// Call calls the function with a. It does not allocate.
func (t *TypedFunc1[A, R]) Call(ctx context.Context, a A) (R, error) {
	s := t.t.stack[:]
	s[0] = Encode(a)
	if err := t.t.f.CallWithStack(ctx, s); err != nil {
		var zero R
		return zero, err
	}
	return decodeResult[R](s), nil
}

// TypedFunc2 is an exported function taking two params; see TypedFunc0.
type TypedFunc2[A, B Value, R Result] struct{ t typedFunc }

// NewTypedFunc2 checks that f takes an A and a B and returns R, and
// returns a typed handle for it.
func NewTypedFunc2[A, B Value, R Result](f Function) (*TypedFunc2[A, B, R], error) {
	if err := checkSignature(f, []api.ValueType{ValueTypeOf[A](), ValueTypeOf[B]()}, resultTypes[R]()); err != nil {
		return nil, err
	}
	return &TypedFunc2[A, B, R]{t: typedFunc{f: f}}, nil
}

// Call calls the function with a and b. It does not allocate.
func (t *TypedFunc2[A, B, R]) Call(ctx context.Context, a A, b B) (R, error) {
	s := t.t.stack[:]
	s[0], s[1] = Encode(a), Encode(b)
	if err := t.t.f.CallWithStack(ctx, s); err != nil {
		var zero R
		return zero, err
	}
	return decodeResult[R](s), nil
}

// TypedFunc3 is an exported function taking three params; see
// TypedFunc0.
type TypedFunc3[A, B, C Value, R Result] struct{ t typedFunc }

// NewTypedFunc3 checks that f takes an A, a B and a C and returns R, and
// returns a typed handle for it.
func NewTypedFunc3[A, B, C Value, R Result](f Function) (*TypedFunc3[A, B, C, R], error) {
	if err := checkSignature(f, []api.ValueType{ValueTypeOf[A](), ValueTypeOf[B](), ValueTypeOf[C]()}, resultTypes[R]()); err != nil {
		return nil, err
	}
	return &TypedFunc3[A, B, C, R]{t: typedFunc{f: f}}, nil
}

// Call calls the function with a, b and c. It does not allocate.
func (t *TypedFunc3[A, B, C, R]) Call(ctx context.Context, a A, b B, c C) (R, error) {
	s := t.t.stack[:]
	s[0], s[1], s[2] = Encode(a), Encode(b), Encode(c)
	if err := t.t.f.CallWithStack(ctx, s); err != nil {
		var zero R
		return zero, err
	}
	return decodeResult[R](s), nil
}
