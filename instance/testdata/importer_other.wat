;; A module importing only from "other" (importer_test.go): "host" makes
;; it no value.
(module
  (import "other" "h" (func $h))
  (memory 1))
