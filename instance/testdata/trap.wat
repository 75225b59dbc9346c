;; A trap two calls deep, for TrapError's backtrace and formatting.
(module $trapper
  (memory (export "mem") 1 2)
  (table (export "tab") 2 funcref)
  (global (export "g") (mut i64) (i64.const 7))
  (func $inner (unreachable))
  (func $outer (export "outer") (param i32) (result i32)
    (call $inner)
    (local.get 0)))
