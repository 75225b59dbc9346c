;; Store-heavy kernel for measuring dirty-card tracking: stores(n) does n
;; i32.store and n i64.store over a 64 KiB window, nothing else but the loop.
(module
  (memory 2)
  (func (export "stores") (param $n i32) (result i32)
    (local $i i32) (local $a i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $a (i32.and (i32.shl (local.get $i) (i32.const 3)) (i32.const 0xfff8)))
        (i32.store (local.get $a) (local.get $i))
        (i64.store offset=4 (local.get $a) (i64.extend_i32_u (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $i))
)
