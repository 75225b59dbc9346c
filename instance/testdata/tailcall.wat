;; Tail calls (tail-call proposal): a mutual recursion of n steps through
;; return_call, one through return_call_indirect, and a tail call of a
;; host function (env.add). (return_call_ref is in the spec suite's
;; typed-function-references/return_call_ref.json; wabt cannot write it.)
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (type $step (func (param i64) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $even_i $odd_i)

  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))

  (func $even_i (export "even_indirect") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call_indirect (type $step) (i64.sub (local.get 0) (i64.const 1)) (i32.const 1)))))
  (func $odd_i (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call_indirect (type $step) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))

  ;; (x + 1) computed by the host, returned through a tail call, with
  ;; locals and temporaries of this frame around the arguments.
  (func (export "add1") (param i32) (result i32) (local i64 i64)
    (local.set 1 (i64.const 7))
    (return_call $add (i32.add (local.get 0) (i32.const 0)) (i32.const 1))))
