;; Changes its WASI process's stdio (for the recycled-state test): spoil
;; drops every right of stdout and closes stderr; rights(fd) returns fd's
;; fs_rights_base (-1 if fd_fdstat_get fails); hello(fd) writes "hi" to fd
;; and returns the errno.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func $set_rights (param i32 i64 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\64\00\00\00\02\00\00\00") ;; iovec {100, 2}
  (data (i32.const 100) "hi")
  (func (export "spoil") (result i32)
    (i32.or (call $set_rights (i32.const 1) (i64.const 0) (i64.const 0))
            (call $fd_close (i32.const 2))))
  (func (export "rights") (param i32) (result i64)
    (if (result i64) (call $fdstat (local.get 0) (i32.const 16))
      (then (i64.const -1))
      (else (i64.load (i32.const 24)))))
  (func (export "hello") (param i32) (result i32)
    (call $fd_write (local.get 0) (i32.const 0) (i32.const 1) (i32.const 8))))
