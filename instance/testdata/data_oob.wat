;; Imports a table and a memory; the elements fit, the second data
;; segment does not.
(module
  (import "env" "f" (func $f))
  (import "env" "tab" (table 4 funcref))
  (import "env" "mem" (memory 1))
  (elem (i32.const 0) $f $f)
  (data (i32.const 0) "abc")
  (data (i32.const 65535) "de"))
