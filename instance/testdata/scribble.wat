;; Writes every 4 KiB of its memory, grows it, and writes again.
(module
  (memory (export "mem") 1 4)
  (data (i32.const 16) "hello")
  (func (export "scribble") (result i32)
    (local $a i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $a) (i32.shl (memory.size) (i32.const 16))))
        (i32.store (local.get $a) (i32.const -1))
        (local.set $a (i32.add (local.get $a) (i32.const 4096)))
        (br $l)))
    (drop (memory.grow (i32.const 2)))
    (i32.store (i32.const 131072) (i32.const 7))
    (memory.size)))
