;; A global initialised by an extended constant expression
;; (extended-const proposal): 6 * 7 = 42.
(module
  (global $g i32 (i32.mul (i32.const 6) (i32.const 7)))
  (func (export "answer") (result i32) (global.get $g)))
