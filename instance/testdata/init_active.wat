;; init_active.wat: memory.init of an active data segment after
;; instantiation, which the spec has dropped by then: it traps
;; (TestWazeroMemoryInitOfActiveSegment).
(module
  (memory 1)
  (data (i32.const 0) "active")
  (func (export "init") (memory.init 0 (i32.const 100) (i32.const 0) (i32.const 1))))
