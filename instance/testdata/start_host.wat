;; The start function is an imported host function; no wasm code.
(module
  (import "env" "boom" (func $boom))
  (memory 1)
  (data (i32.const 0) "tenant")
  (start $boom))
