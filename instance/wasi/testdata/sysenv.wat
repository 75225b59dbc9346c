;; A WASI command that shows its whole environment (sysenv_test.go):
;; it writes argv[1] to stdout, the first environment variable to
;; stderr, then what it reads from stdin (up to 64 bytes) and the
;; contents of f.txt in its first preopen (fd 3) to stdout, and exits
;; with code 7.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "f.txt")
  ;; strlen of the NUL-terminated string at p.
  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $end
      (loop $len
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $len)))
    (local.get $n))
  ;; write n bytes at p to fd (iovec at 16, nwritten at 24).
  (func $write (param $fd i32) (param $p i32) (param $n i32)
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (local.get $n))
    (drop (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 24))))
  ;; copy up to 64 bytes from fd to stdout (iovec at 32, nread at 40,
  ;; buffer at 3072).
  (func $cat (param $fd i32)
    (i32.store (i32.const 32) (i32.const 3072))
    (i32.store (i32.const 36) (i32.const 64))
    (i32.store (i32.const 40) (i32.const 0))
    (drop (call $fd_read (local.get $fd) (i32.const 32) (i32.const 1) (i32.const 40)))
    (call $write (i32.const 1) (i32.const 3072) (i32.load (i32.const 40))))
  (func (export "_start") (local $p i32)
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 64) (i32.const 1024)))
    (local.set $p (i32.load (i32.const 68))) ;; argv[1]
    (call $write (i32.const 1) (local.get $p) (call $strlen (local.get $p)))
    (drop (call $environ_sizes_get (i32.const 8) (i32.const 12)))
    (drop (call $environ_get (i32.const 128) (i32.const 2048)))
    (local.set $p (i32.load (i32.const 128))) ;; environ[0]
    (call $write (i32.const 2) (local.get $p) (call $strlen (local.get $p)))
    (call $cat (i32.const 0))
    (if (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 5)
          (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 44)))
      (then (call $cat (i32.load (i32.const 44)))))
    (call $proc_exit (i32.const 7))))
