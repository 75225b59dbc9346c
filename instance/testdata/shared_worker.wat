;; An instance of the threads test: it imports the shared memory of
;; shared_mem.wat and updates counters in it with atomics.
;;   0: i32 counter (rmw.add)      8: i64 counter (rmw.add by 2)
;;  16: i32 counter (cmpxchg loop) 20: i32 counter (rmw16.add_u, mod 65536)
;;  23: byte counter (rmw8.add_u, mod 256)
;;  32: the release flag waiters wait on; 36: waiters that saw it
;;  48: the flag of await_then_load and grow_and_signal
(module
  (import "shared" "mem" (memory 1 4 shared))
  (func (export "count") (param $n i32)
    (local $old i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
        (drop (i64.atomic.rmw.add (i32.const 8) (i64.const 2)))
        (drop (i32.atomic.rmw16.add_u (i32.const 20) (i32.const 1)))
        (drop (i32.atomic.rmw8.add_u (i32.const 23) (i32.const 1)))
        ;; an increment by compare-exchange, retried until it wins
        (loop $retry
          (local.set $old (i32.atomic.load (i32.const 16)))
          (br_if $retry (i32.ne
            (i32.atomic.rmw.cmpxchg (i32.const 16) (local.get $old) (i32.add (local.get $old) (i32.const 1)))
            (local.get $old))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next))))
  ;; Waits (no timeout) until the flag at 32 is set, then counts itself at 36.
  (func (export "await_flag")
    (block $set
      (loop $again
        (br_if $set (i32.atomic.load (i32.const 32)))
        (drop (memory.atomic.wait32 (i32.const 32) (i32.const 0) (i64.const -1)))
        (br $again)))
    (drop (i32.atomic.rmw.add (i32.const 36) (i32.const 1))))
  ;; Sets the flag and wakes every waiter: the number woken.
  (func (export "release") (result i32)
    (i32.atomic.store (i32.const 32) (i32.const 1))
    (memory.atomic.notify (i32.const 32) (i32.const -1)))
  (func (export "wait32") (param $addr i32) (param $expect i32) (param $ns i64) (result i32)
    (memory.atomic.wait32 (local.get $addr) (local.get $expect) (local.get $ns)))
  (func (export "load32") (param $addr i32) (result i32)
    (i32.atomic.load (local.get $addr)))
  (func (export "load64") (param $addr i32) (result i64)
    (i64.atomic.load (local.get $addr)))
;; Waits until the flag at 48 is set, then reads $addr with a plain load
  ;; (the memory may have grown meanwhile, by another instance): the value
  ;; plus 1000 times memory.size.
  (func (export "await_then_load") (param $addr i32) (result i32)
    (block $set
      (loop $again
        (br_if $set (i32.atomic.load (i32.const 48)))
        (drop (memory.atomic.wait32 (i32.const 48) (i32.const 0) (i64.const -1)))
        (br $again)))
    (i32.add (i32.mul (memory.size) (i32.const 1000)) (i32.load (local.get $addr))))
  (func (export "grow_and_signal") (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 65540) (i32.const 77))
    (i32.atomic.store (i32.const 48) (i32.const 1))
    (memory.atomic.notify (i32.const 48) (i32.const -1)))
  (func (export "grow") (param $n i32) (result i32)
    (memory.grow (local.get $n)))
  (func (export "size") (result i32) (memory.size)))
