;; Import test module.
(module (import "env" "f" (func)))
