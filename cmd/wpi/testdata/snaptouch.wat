;; A reactor with a 16 MiB memory that its _initialize fills (every page
;; non-zero: a 16 MiB snapshot); touch(n) then writes one byte into each
;; of the first n 4 KiB pages. From a snapshot, an instance should cost
;; the n pages it writes, not the 16 MiB.
(module
  (memory (export "memory") 256 256)
  (func (export "_initialize")
    (memory.fill (i32.const 0) (i32.const 0x5a) (i32.const 0x1000000)))
  (func (export "touch") (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.shl (local.get $i) (i32.const 12)) (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.load8_u (i32.const 4096))))
