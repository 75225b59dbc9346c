;; A WASI reactor that opens and closes a file of its first preopen (fd 3):
;; "open" returns the errno and leaves the new descriptor at address 0,
;; "close" closes it. Used to check that a snapshot refuses open files.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "f.txt")
  (func (export "_initialize"))
  (func (export "open") (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 5)
      (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 0)))
  (func (export "close") (result i32)
    (call $fd_close (i32.load (i32.const 0)))))
