;; Calls an imported host function; the engine is needed to run it.
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (func (export "call_add") (param i32 i32) (result i32)
    (call $add (local.get 0) (local.get 1)))
  (func (export "twice") (param i64) (result i64)
    (i64.add (local.get 0) (local.get 0))))
