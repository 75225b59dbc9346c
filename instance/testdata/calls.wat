;; calls.wat: call-overhead kernels (BenchmarkCall) and a typed-call test.
(module
  (import "env" "nop" (func $nop))
  (import "env" "inc" (func $inc (param i32) (result i32)))
  ;; nop: the empty export.
  (func (export "nop"))
  ;; call_nop: one call of the host function env.nop.
  (func (export "call_nop") (call $nop))
  ;; call_inc(x) = env.inc(x)
  (func (export "call_inc") (param i32) (result i32) (call $inc (local.get 0)))
  ;; mix(a, b, c) = a + b + c as f64, for the typed layer.
  (func (export "mix") (param i32 i64 f32) (result f64)
    (f64.add
      (f64.add (f64.convert_i32_s (local.get 0)) (f64.convert_i64_s (local.get 1)))
      (f64.promote_f32 (local.get 2)))))
