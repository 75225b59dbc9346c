;; simd_nan.wat: f32x4.add of NaN lanes (TestSIMDNaNPayloads). Lane 1 of
;; both operands is a NaN with its own payload.
(module
  (func (export "add") (result v128)
    (f32x4.add
      (v128.const i32x4 0x000000b8 0xffffff96 0x00000002 0x7fc00000)
      (v128.const i32x4 0x0001ff81 0xffc1ffb7 0x00ffffa3 0x3f800000))))
