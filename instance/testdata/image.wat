;; A memory with a data image and no code: 1 page, may grow to 4.
(module
  (memory (export "mem") 1 4)
  (data (i32.const 16) "hello")
  (data (i32.const 65530) "edge!"))
