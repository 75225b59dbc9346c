;; runaway.wat: guests that never stop on their own, for the deadline,
;; fuel, stack and memory-limit tests.
(module
  (import "env" "tick" (func $tick))
  ;; env.reenter calls back into the caller's export "spin" from Go.
  (import "env" "reenter" (func $reenter))
  (memory (export "memory") 1 100)
  ;; spin: loop br 0, no calls.
  (func $spin (export "spin") (loop $l (br $l)))
  ;; nested: three wasm frames deep, then spin.
  (func $n2 (call $spin))
  (func $n1 (call $n2))
  (func (export "nested") (call $n1))
  ;; host_loop: a host call in every iteration.
  (func (export "host_loop") (loop $l (call $tick) (br $l)))
  ;; reenter: wasm -> host -> wasm (spin).
  (func (export "reenter") (call $reenter))
  ;; recurse: unbounded recursion.
  (func $recurse (export "recurse") (call $recurse))
  ;; count(n): n back-edges, then returns n.
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $n))
  ;; grow(d) = memory.grow(d)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  ;; store(a, v): i32.store
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1))))
