;; faults.wat: guests for the faults-mid-flight tests (TestFaultsMidFlight).
(module
  (import "env" "hook" (func $hook))
  (memory (export "memory") 1)
  ;; call_hook: one call of the host function env.hook.
  (func (export "call_hook") (call $hook))
  ;; hook_then_spin: env.hook, then stores to byte 0 ... 65535 over and
  ;; over, forever (stopped by a deadline, fuel or Close).
  (func (export "hook_then_spin") (local $i i32)
    (call $hook)
    (loop
      (i32.store8 (i32.and (local.get $i) (i32.const 0xffff)) (i32.const 0x5a))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0)))
  (func (export "nop")))
