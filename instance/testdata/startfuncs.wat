;; Exports for ModuleConfig.WithStartFunctions (startfuncs_test.go): each
;; appends its digit to the global log (log = log*10 + digit), and the
;; start section writes 1 first, so the order the host called them in is
;; the global's decimal digits.
(module
  (import "host" "exit" (func $exit (param i32)))
  (memory 1)
  (global $log (export "log") (mut i32) (i32.const 0))
  (func $note (param i32)
    (global.set $log (i32.add (i32.mul (global.get $log) (i32.const 10)) (local.get 0))))
  (func $start (call $note (i32.const 1)))
  (start $start)
  (func (export "two") (call $note (i32.const 2)))
  (func (export "three") (result i32) (call $note (i32.const 3)) (i32.const 7))
  (func (export "trap") (call $note (i32.const 4)) unreachable)
  (func (export "exit0") (call $note (i32.const 5)) (call $exit (i32.const 0)))
  (func (export "exit3") (call $note (i32.const 6)) (call $exit (i32.const 3)))
  (func (export "params") (param i32))
  (func (export "_start") (call $note (i32.const 7)))
  (global (export "notfunc") i32 (i32.const 0)))
