;; bulk.wat: bulk-memory and SIMD kernels for benchmarks (Wasm 2.0).
(module
  (memory (export "memory") 64)
  ;; fill(n): memory.fill of n bytes at 0 with 0x5a.
  (func (export "fill") (param $n i32)
    (memory.fill (i32.const 0) (i32.const 0x5a) (local.get $n)))
  ;; copy(n): memory.copy of n bytes from 0 to 1 MiB.
  (func (export "copy") (param $n i32)
    (memory.copy (i32.const 0x100000) (i32.const 0) (local.get $n)))
  ;; add8(n): dst[i] = a[i] + b[i] over n bytes with i8x16.add
  ;; (a at 0, b at 1 MiB, dst at 2 MiB); returns the byte sum of dst's
  ;; first 16 bytes as a checksum.
  (func (export "add8") (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (v128.store offset=0x200000 (local.get $i)
          (i8x16.add (v128.load (local.get $i)) (v128.load offset=0x100000 (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (i32.add
      (i8x16.extract_lane_u 0 (v128.load (i32.const 0x200000)))
      (i8x16.extract_lane_u 15 (v128.load (i32.const 0x200000)))))
  ;; add8scalar(n): the same with i32.load8_u/i32.store8, for reference.
  (func (export "add8scalar") (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 offset=0x200000 (local.get $i)
          (i32.add (i32.load8_u (local.get $i)) (i32.load8_u offset=0x100000 (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.add (i32.load8_u (i32.const 0x200000)) (i32.load8_u (i32.const 0x20000f))))
)
