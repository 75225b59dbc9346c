;; bulk_bound.wat: bulk instructions of a guest-chosen length, for the
;; tests that fuel and the context bound them (TestBulkBounded).
(module
  (import "env" "cancel" (func $cancel))
  (memory (export "memory") 1 65536)
  (table $t 0 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "tfill") (param i32 i32) (table.fill $t (local.get 0) (ref.null func) (local.get 1)))
  ;; cancel_fill(n): the host cancels the call's context, then a fill of n bytes.
  (func (export "cancel_fill") (param i32)
    (call $cancel)
    (memory.fill (i32.const 0) (i32.const 0x77) (local.get 0))))
