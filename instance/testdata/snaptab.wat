;; A recyclable snapshot test module (it imports only a function): its
;; table holds the imported add, and calladd calls it through the table.
(module
  (import "host" "add" (func $hadd (param i32 i32) (result i32)))
  (type $bin (func (param i32 i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $hadd)
  (func (export "calladd") (param i32 i32) (result i32)
    (call_indirect (type $bin) (local.get 0) (local.get 1) (i32.const 0))))
