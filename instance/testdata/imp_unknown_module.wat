;; Import test module.
(module (import "nope" "f" (func)))
