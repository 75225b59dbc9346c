;; The start function traps at instantiation.
(module
  (func $s (i32.div_u (i32.const 1) (i32.const 0)) drop)
  (start $s))
