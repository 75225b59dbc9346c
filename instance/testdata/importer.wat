;; A module importing two functions of the host module "host" and one of
;; "other" (importer_test.go): "get" returns what host.f reads from the
;; value "host" made for this instance (WithImporterValueFunc).
(module
  (import "host" "f" (func $f (result i32)))
  (import "host" "g" (func $g))
  (import "other" "h" (func $h))
  (memory 1)
  (func (export "get") (result i32) (call $f)))
