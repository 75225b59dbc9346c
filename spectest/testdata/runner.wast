;; Fixture for the runner's own tests: every command kind, with known
;; outcomes. Regenerate with: wast2json runner.wast -o runner.json
(module $M
  (import "spectest" "global_i32" (global i32))
  (global (export "g666") i32 (global.get 0))
  (global (export "f") f32 (f32.const -0.0))
  (global (export "nan") f64 (f64.const nan))
  (memory (export "mem") 1))
(register "M" $M)
(assert_return (get "g666") (i32.const 666))
(assert_return (get "f") (f32.const -0.0))
(assert_return (get "nan") (f64.const nan:canonical))
;; Deliberately wrong: +0 is not -0.
(assert_return (get "f") (f32.const 0.0))
(module
  (import "M" "mem" (memory 1))
  (import "spectest" "print_i32" (func (param i32))))
(assert_unlinkable
  (module (import "M" "g666" (global i64)))
  "incompatible import type")
(assert_unlinkable
  (module (import "M" "nothing" (func)))
  "unknown import")
;; Deliberately wrong text.
(assert_unlinkable
  (module (import "M" "nothing" (func)))
  "incompatible import type")
(assert_invalid
  (module (func (result i32)))
  "type mismatch")
(assert_malformed
  (module quote "(func")
  "unexpected end")
(assert_malformed
  (module binary "\00asm\02\00\00\00")
  "unknown binary version")
