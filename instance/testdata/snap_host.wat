;; The "host" module of snap.wat as wasm, for runtimes whose host modules
;; cannot export globals (wazero): add(a, b) and the global k = 5.
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (global (export "k") i32 (i32.const 5)))
