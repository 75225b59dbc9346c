;; Globals initialised from imports and extended-const arithmetic.
(module
  (import "env" "base" (global $base i32))
  (import "env" "base64" (global $base64 i64))
  (global (export "copy") i32 (global.get $base))
  (global (export "sum") i32 (i32.add (global.get $base) (i32.const 10)))
  (global (export "prod") i64 (i64.mul (global.get $base64) (i64.const 3)))
  (global (export "diff") i32 (i32.sub (i32.const 1) (i32.const 2)))
  (global (export "mut") (mut f64) (f64.const 1.5)))
