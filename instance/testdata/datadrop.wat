;; datadrop.wat: an active and a passive data segment, for the dropped
;; flags that instances of one compiled module share until a data.drop
;; (TestDataDropPerInstance).
(module
  (memory 1)
  (data $active (i32.const 0) "AB")
  (data $passive "pq")
  ;; init(n): memory.init of n bytes of the passive segment at 16;
  ;; returns the byte at 16.
  (func (export "init") (param $n i32) (result i32)
    (memory.init $passive (i32.const 16) (i32.const 0) (local.get $n))
    (i32.load8_u (i32.const 16)))
  (func (export "drop") (data.drop $passive))
  ;; initActive(n): memory.init from the active segment, dropped by the
  ;; instantiation (spec 4.5.4 step 15): traps unless n is 0.
  (func (export "initActive") (param $n i32)
    (memory.init $active (i32.const 32) (i32.const 0) (local.get $n)))
)
