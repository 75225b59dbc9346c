;; Declared locals are zero at every entry, whatever an earlier frame at
;; the same cells left there (engine_test.go TestLocalsZeroed). Made with
;; wat2wasm locals.wat.
(module
  ;; dirty fills its locals and temporaries with non-zero values.
  (func $dirty (param i64) (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 1 (local.get 0)) (local.set 2 (local.get 0))
    (local.set 3 (local.get 0)) (local.set 4 (local.get 0))
    (local.set 5 (local.get 0)) (local.set 6 (local.get 0))
    (local.set 7 (local.get 0)) (local.set 8 (local.get 0))
    (i64.add (i64.add (i64.add (local.get 1) (local.get 2)) (i64.add (local.get 3) (local.get 4)))
             (i64.add (i64.add (local.get 5) (local.get 6)) (i64.add (local.get 7) (local.get 8)))))
  ;; sumN returns its N declared locals' bits, or-ed: 0 if they were zeroed.
  (func $sum1 (param i64) (result i64) (local i64)
    (i64.or (local.get 1) (i64.mul (local.get 0) (local.get 0))))
  (func $sum2 (param i64) (result i64) (local i64 i64)
    (i64.or (i64.or (local.get 1) (local.get 2)) (i64.mul (local.get 0) (local.get 0))))
  (func $sum3 (param i64) (result i64) (local i64 i64 i64)
    (i64.or (i64.or (local.get 1) (local.get 2)) (i64.or (local.get 3) (i64.mul (local.get 0) (local.get 0)))))
  (func $sum6 (param i64) (result i64) (local i64 i64 i64 i64 i64 i64)
    (i64.or (i64.or (i64.or (local.get 1) (local.get 2)) (i64.or (local.get 3) (local.get 4)))
            (i64.or (i64.or (local.get 5) (local.get 6)) (i64.mul (local.get 0) (local.get 0)))))
  ;; callN calls dirty then sumN at the same frame base: sumN's locals
  ;; lie where dirty's were.
  (func (export "call1") (param i64) (result i64)
    (drop (call $dirty (local.get 0))) (call $sum1 (i64.const 0)))
  (func (export "call2") (param i64) (result i64)
    (drop (call $dirty (local.get 0))) (call $sum2 (i64.const 0)))
  (func (export "call3") (param i64) (result i64)
    (drop (call $dirty (local.get 0))) (call $sum3 (i64.const 0)))
  (func (export "call6") (param i64) (result i64)
    (drop (call $dirty (local.get 0))) (call $sum6 (i64.const 0))))
