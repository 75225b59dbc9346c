;; One function per fused form of the interpreter (see TestFused): each
;; is the wasm shape the translator turns into that form.
(module
  (memory 1)
  ;; i32.add_imm2: two increments in a row.
  (func (export "add_imm2") (param i32 i32) (result i32)
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 1 (i32.sub (local.get 1) (i32.const 2)))
    (i32.xor (local.get 0) (local.get 1)))
  ;; i32.add.add_imm: an add, then an increment.
  (func (export "add.add_imm") (param i32 i32) (result i32)
    (local.set 0 (i32.add (local.get 0) (local.get 1)))
    (local.set 1 (i32.add (local.get 1) (i32.const 3)))
    (i32.xor (local.get 0) (local.get 1)))
  ;; i32.add_imm.br_nz: a count-down loop.
  (func (export "add_imm.br_nz") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 7)))
      (br_if $l (local.tee 0 (i32.add (local.get 0) (i32.const -1)))))
    (local.get 1))
  ;; i32.add_imm.br_ne: a count-up loop to a bound in a local.
  (func (export "add_imm.br_ne") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (i32.ne (local.get 1) (local.get 0))))
    (local.get 1))
  ;; i32.add_imm.br_gt_u_imm: a loop left when a counter passes a bound.
  (func (export "add_imm.br_gt_u_imm") (param i32) (result i32)
    (block $b
      (loop $l
        (br_if $b (i32.gt_u (local.tee 0 (i32.add (local.get 0) (i32.const 3))) (i32.const 100)))
        (br $l)))
    (local.get 0))
  ;; i32.bitfield_u: a bitfield extract.
  (func (export "bitfield_u") (param i32) (result i32)
    (i32.and (i32.shr_u (local.get 0) (i32.const 5)) (i32.const 127)))
  ;; i32.mul_add: a multiply-accumulate.
  (func (export "mul_add") (param i32 i32 i32) (result i32)
    (i32.add (local.get 2) (i32.mul (local.get 0) (local.get 1))))
  ;; i32.shl_add: a scaled index.
  (func (export "shl_add") (param i32 i32) (result i32)
    (i32.add (local.get 1) (i32.shl (local.get 0) (i32.const 2))))
  ;; i32.load8_u_idx: a load from the sum of two cells (base + index).
  (func (export "load8_u_idx") (param i32 i32) (result i32)
    (i32.store8 (i32.const 21) (i32.const 99))
    (i32.load8_u offset=1 (i32.add (local.get 0) (local.get 1))))
  ;; copy.i32.load and copy.br_nz: a linked-list reversal (CoreMark's);
  ;; the nodes are at 100, 200, 300.
  (func (export "reverse") (param $list i32) (result i32) (local $rev i32) (local $next i32)
    (i32.store (i32.const 100) (i32.const 200))
    (i32.store (i32.const 200) (i32.const 300))
    (local.set $next (local.get $list))
    (loop $l
      (local.set $list (local.get $next))
      (local.set $next (i32.load (local.get $list)))
      (i32.store (local.get $list) (local.get $rev))
      (local.set $rev (local.get $list))
      (br_if $l (local.get $next)))
    (i32.add (local.get $rev) (i32.load (i32.const 300))))
  ;; i32.store.copy: a store, then a copy of its address.
  (func (export "i32.store.copy") (param i32 i32) (result i32) (local i32)
    (i32.store (local.get 0) (local.get 1))
    (local.set 2 (local.get 0))
    (i32.add (local.get 2) (i32.load (local.get 0))))
  ;; copy.br_i32_ne_imm: a copy, then a loop's test.
  (func (export "copy.br_i32_ne_imm") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (local.set 0 (local.get 1))
      (br_if $l (i32.ne (local.get 1) (i32.const 7))))
    (local.get 0))
  ;; Chained pairs of hashes and checksums.
  (func (export "i32.xor.mul_imm") (param i32 i32) (result i32)
    (i32.mul (i32.xor (local.get 0) (local.get 1)) (i32.const 16777619)))
  (func (export "i32.xor.shl_imm") (param i32 i32) (result i32)
    (i32.shl (i32.xor (local.get 0) (local.get 1)) (i32.const 3)))
  (func (export "i32.shr_u_imm.xor") (param i32 i32) (result i32)
    (i32.xor (i32.shr_u (local.get 0) (i32.const 8)) (local.get 1)))
  (func (export "i64.xor.mul_imm") (param i64 i64) (result i64)
    (i64.mul (i64.xor (local.get 0) (local.get 1)) (i64.const 1099511628211)))
  (func (export "f64.mul.add") (param f64 f64 f64) (result f64)
    (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "i32.load8_u.xor") (param i32 i32) (result i32)
    (i32.store8 (i32.const 5) (i32.const 0xf0))
    (i32.xor (i32.load8_u (local.get 0)) (local.get 1)))
  (func (export "i64.shr_u_imm.xor") (param i64 i64) (result i64)
    (i64.xor (i64.shr_u (local.get 0) (i64.const 33)) (local.get 1)))
  ;; Wraps a reader does not need: an address (Go's i64 pointers) and an
  ;; operand of i32.and.
  (func (export "wrap.load") (param i64) (result i32)
    (i32.store (i32.const 16) (i32.const 77))
    (i32.load offset=8 (i32.wrap_i64 (i64.add (local.get 0) (i64.const 0x100000004)))))
  (func (export "wrap.and") (param i64 i32) (result i32)
    (i32.and (i32.wrap_i64 (local.get 0)) (local.get 1)))
  ;; A load tested at once: br_if, and if (a branch when zero).
  (func (export "i32.load.br_nz") (param i32) (result i32)
    (i32.store (i32.const 32) (i32.const 1))
    (block $b
      (br_if $b (i32.load offset=4 (local.get 0)))
      (return (i32.const 10)))
    (i32.const 20))
  (func (export "load.tee.br_nz") (param i32) (result i32) (local i32)
    (i32.store (i32.const 32) (i32.const 5))
    (block $b
      (br_if $b (local.tee 1 (i32.load (local.get 0))))
      (return (i32.const 0)))
    (local.get 1))
  (func (export "i32.load8_u.br_z") (param i32) (result i32)
    (i32.store8 (i32.const 33) (i32.const 1))
    (if (result i32) (i32.load8_u (i32.add (local.get 0) (i32.const 1)))
      (then (i32.const 7)) (else (i32.const 9))))
  ;; CoreMark's: a constant block result kept in a local, a masked
  ;; increment, a bit field flipped.
  (func (export "const32.copy") (param i32) (result i32) (local i32 i32)
    (local.set 1 (i32.const 5))
    (local.set 2 (local.get 0))
    (i32.add (local.get 1) (local.get 2)))
  (func (export "i32.add_imm.and_imm") (param i32) (result i32)
    (i32.and (i32.add (local.get 0) (i32.const 3)) (i32.const 0xff)))
  (func (export "i32.bitfield_u.xor_imm") (param i32) (result i32)
    (i32.xor (i32.and (i32.shr_u (local.get 0) (i32.const 4)) (i32.const 0xff)) (i32.const 0x5a)))
  ;; Go's wasm: its state variable set before the jump to the loop's
  ;; br_table, and its stack pointer moved.
  (func (export "const32.br") (param i32) (result i32) (local i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (local.set 1 (i32.const 7))
        (br $l)))
    (local.get 1))
  (global $sp (mut i32) (i32.const 0))
  (func (export "i32.add_imm.global.set") (param i32) (result i32)
    (global.set $sp (i32.add (local.get 0) (i32.const -16)))
    (global.get $sp))
  (func (export "add_imm.tee.global.set") (param i32) (result i32) (local i32)
    (global.set $sp (local.tee 1 (i32.add (local.get 0) (i32.const -16))))
    (i32.add (global.get $sp) (local.get 1)))
  ;; Scaled array indices: B<<s + k, and B + C<<s.
  (func (export "load_shl") (param i32) (result i32)
    (i32.store (i32.const 108) (i32.const 55))
    (i32.load offset=100 (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 4))))
  (func (export "load_idx_shl") (param i32 i32) (result i64)
    (i64.store (i32.const 40) (i64.const 0x123456789))
    (i64.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 3)))))
  ;; An eqz of an eqz tested (clang's `x != 0` on an i64): one
  ;; compare-and-branch on x, inverted.
  (func $eqz_eqz_br_if (export "eqz.eqz.br_if") (export "eqz.eqz.br_if/0") (param i64) (result i32)
    (block $nz
      (br_if $nz (i32.eqz (i64.eqz (local.get 0))))
      (return (i32.const 10)))
    (i32.const 20))
  (func $eqz_eqz_if (export "eqz.eqz.if") (export "eqz.eqz.if/0") (param i32) (result i32)
    (if (result i32) (i32.eqz (i32.eqz (local.get 0)))
      (then (i32.const 30)) (else (i32.const 40))))
  ;; A masked probe index, then the key at it (hashtable's probe loops).
  (func (export "and.load_idx_shl") (param i32 i32 i32) (result i64) (local i32)
    (i64.store (i32.const 48) (i64.const 0x5555))
    (local.set 3 (i32.and (local.get 1) (local.get 2)))
    (i64.add
      (i64.load (i32.add (local.get 0) (i32.shl (local.get 3) (i32.const 3))))
      (i64.extend_i32_u (local.get 3))))
  ;; A pointer bumped, then a byte loaded: through another pointer, and
  ;; through the bumped one (bytecode's and memloops' loops).
  (func (export "add_imm.load8_u") (param i32 i32) (result i32) (local i32)
    (i32.store8 (i32.const 41) (i32.const 9))
    (local.set 0 (i32.add (local.get 0) (i32.const 5)))
    (local.set 2 (i32.load8_u offset=1 (local.get 1)))
    (i32.add (local.get 0) (local.get 2)))
  (func (export "add_imm.load8_u_via") (param i32) (result i32) (local i32)
    (i32.store8 (i32.const 45) (i32.const 9))
    (local.set 0 (i32.add (local.get 0) (i32.const 5)))
    (local.set 1 (i32.load8_u offset=2 (local.get 0)))
    (i32.add (local.get 0) (local.get 1)))
  ;; A pointer loaded, then a byte through it (CoreMark's list walks).
  (func (export "load.load8_u") (param i32) (result i32)
    (i32.store (i32.const 52) (i32.const 60))
    (i32.store8 (i32.const 61) (i32.const 77))
    (i32.load8_u offset=1 (i32.load offset=4 (local.get 0))))
)
