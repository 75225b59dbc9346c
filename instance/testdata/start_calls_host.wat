;; The start function is wasm code that calls an imported host function,
;; so the host function sees the instance being instantiated as its caller.
(module
  (import "env" "boom" (func $boom))
  (memory 1)
  (data (i32.const 0) "tenant")
  (func $start (call $boom))
  (start $start))
