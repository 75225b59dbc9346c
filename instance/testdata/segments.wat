;; Imports a table and a memory; the second element and data segments
;; are out of bounds, so instantiation traps after the first ones applied.
(module
  (import "env" "f" (func $f))
  (import "env" "tab" (table 4 funcref))
  (import "env" "mem" (memory 1))
  (elem (i32.const 1) $f)
  (elem (i32.const 3) $f $f)
  (data (i32.const 0) "abc")
  (data (i32.const 65535) "de"))
