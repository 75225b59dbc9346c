;; Isolation test module: a memory with a data image, a mutable global and
;; a table, and exports that write memory in every way the engine can.
(module
  (memory (export "mem") 2 8)
  (table (export "tab") 2 4 funcref)
  (global $g (export "g") (mut i32) (i32.const 42))
  (elem (i32.const 0) $store8)
  (data (i32.const 100) "tenant image: first segment")
  (data (i32.const 5000) "second segment, crossing into the second card? no, in card 1")
  (data (i32.const 65530) "straddles the wasm page boundary")
  (data $passive "passive bytes for memory.init")
  (func $store8 (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "store64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (memory.init $passive (local.get 0) (local.get 1) (local.get 2)))
  (func (export "setg") (param i32) (global.set $g (local.get 0)))
  (func (export "tgrow") (param i32) (result i32) (table.grow 0 (ref.null func) (local.get 0)))
  (func (export "tset") (param i32) (table.set 0 (local.get 0) (ref.null func)))
  ;; Writes, then traps midway.
  (func (export "trap") (param i32 i32)
    (i32.store8 (local.get 0) (local.get 1))
    unreachable)
  ;; Writes consecutive bytes from its argument on, forever: stopped by
  ;; fuel, a deadline, or the end of memory (a trap).
  (func (export "spin") (param i32)
    (loop
      (i32.store8 (local.get 0) (i32.const 0x66))
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br 0)))
  (func (export "tsetf") (param i32) (table.set 0 (local.get 0) (ref.func $store8)))
)
