;; grow(n) returns memory.grow(n) on a memory of 1 page, for
;; --max-memory-size.
(module
  (memory 1)
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0))))
