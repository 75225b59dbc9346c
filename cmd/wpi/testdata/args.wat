;; A WASI command that prints its arguments, then its environment, one
;; per line, to stdout (for --argv0, --env and --env-inherit).
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory 2)
  (data (i32.const 32) "\n")
  ;; puts writes the NUL-terminated string at s and a newline.
  (func $puts (param $s i32)
    (local $n i32)
    (block $end
      (loop $len
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $len)))
    (i32.store (i32.const 0) (local.get $s))
    (i32.store (i32.const 4) (local.get $n))
    (i32.store (i32.const 8) (i32.const 32))
    (i32.store (i32.const 12) (i32.const 1))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 16))))
  ;; list prints the n strings whose pointers are at ptrs.
  (func $list (param $ptrs i32) (param $n i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $puts (i32.load (i32.add (local.get $ptrs) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
  (func (export "_start")
    (drop (call $args_sizes_get (i32.const 20) (i32.const 24)))
    (drop (call $args_get (i32.const 1024) (i32.const 4096)))
    (call $list (i32.const 1024) (i32.load (i32.const 20)))
    (drop (call $environ_sizes_get (i32.const 20) (i32.const 24)))
    (drop (call $environ_get (i32.const 2048) (i32.const 65536)))
    (call $list (i32.const 2048) (i32.load (i32.const 20)))))
