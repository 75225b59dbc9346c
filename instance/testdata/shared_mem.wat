;; A shared memory (threads) for shared_worker.wat's instances to import;
;; the first page starts with a marker word at 64.
(module
  (memory (export "mem") 1 4 shared)
  (data (i32.const 64) "\2a\00\00\00"))
