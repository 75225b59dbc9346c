;; A WASI command that copies stdin to stdout, then writes argc (as one
;; digit) and "\n" to stderr.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (block $done
      (loop $copy
        ;; iovec at 0: buf 1024, len 4096; nread at 8
        (i32.store (i32.const 0) (i32.const 1024))
        (i32.store (i32.const 4) (i32.const 4096))
        (br_if $done (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (br_if $done (i32.eqz (i32.load (i32.const 8))))
        (i32.store (i32.const 4) (i32.load (i32.const 8)))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 12)))
        (br $copy)))
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (i32.store8 (i32.const 1024) (i32.add (i32.load (i32.const 16)) (i32.const 48)))
    (i32.store8 (i32.const 1025) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 2))
    (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 12)))))
