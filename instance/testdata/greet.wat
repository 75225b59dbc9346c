;; greet.wat: greet() passes a string in its memory to the host function
;; env.log(ptr, len) (for the host-state example).
(module
  (import "env" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "hello from wasm")
  (func (export "greet") (call $log (i32.const 0) (i32.const 15))))
