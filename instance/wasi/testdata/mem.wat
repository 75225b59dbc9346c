;; Just a memory, for tests that call WASI functions from Go on it.
(module (memory (export "memory") 1))
