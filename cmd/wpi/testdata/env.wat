;; The "env" host module of wazero's examples/import-go (age_calculator)
;; written in wasm, for `wpi run --preload env=env.wasm`:
;;   log_i32(v)      prints "log_i32 >> v\n" to stdout, as the Go host
;;                   function of the example does;
;;   current_year()  the year in $CURRENT_YEAR if set (the example's
;;                   override), else the year of the realtime clock.
(module $env
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (memory 1)
  ;; 0..15: iovec and scratch; 16: "log_i32 >> "; 32: "CURRENT_YEAR=";
  ;; 64..95: digits; 1024: environ pointers; 8192: environ strings.
  (data (i32.const 16) "log_i32 >> ")
  (data (i32.const 32) "CURRENT_YEAR=")

  (func (export "log_i32") (param $v i32)
    (local $p i32)
    ;; digits of v, backwards from 96, then "\n" at 96
    (i32.store8 (i32.const 96) (i32.const 10))
    (local.set $p (i32.const 96))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $digit (local.get $v)))
    ;; prefix in front of the digits
    (local.set $p (i32.sub (local.get $p) (i32.const 11)))
    (memory.copy (local.get $p) (i32.const 16) (i32.const 11))
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (i32.sub (i32.const 97) (local.get $p)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; prefixed reports whether the string at s starts with "CURRENT_YEAR=".
  (func $prefixed (param $s i32) (result i32)
    (local $i i32)
    (loop $cmp
      (if (i32.ne (i32.load8_u (i32.add (local.get $s) (local.get $i)))
                  (i32.load8_u (i32.add (i32.const 32) (local.get $i))))
        (then (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $cmp (i32.lt_u (local.get $i) (i32.const 13))))
    (i32.const 1))

  (func (export "current_year") (result i32)
    (local $n i32) (local $i i32) (local $s i32) (local $y i32) (local $c i32)
    (drop (call $environ_sizes_get (i32.const 0) (i32.const 4)))
    (local.set $n (i32.load (i32.const 0)))
    (if (i32.le_u (local.get $n) (i32.const 1024))
      (then
        (drop (call $environ_get (i32.const 1024) (i32.const 8192)))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $s (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
            (if (call $prefixed (local.get $s))
              (then
                (local.set $s (i32.add (local.get $s) (i32.const 13)))
                (block $end
                  (loop $digits
                    (local.set $c (i32.sub (i32.load8_u (local.get $s)) (i32.const 48)))
                    (br_if $end (i32.gt_u (local.get $c) (i32.const 9)))
                    (local.set $y (i32.add (i32.mul (local.get $y) (i32.const 10)) (local.get $c)))
                    (local.set $s (i32.add (local.get $s) (i32.const 1)))
                    (br $digits)))
                (return (local.get $y))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))))
    ;; 1970 + seconds / (365.2425 days)
    (drop (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 0)))
    (i32.add (i32.const 1970)
      (i32.wrap_i64 (i64.div_u (i64.div_u (i64.load (i32.const 0)) (i64.const 1000000000)) (i64.const 31556952))))))
