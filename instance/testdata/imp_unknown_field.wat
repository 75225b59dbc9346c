;; Import test module.
(module (import "env" "nope" (func)))
