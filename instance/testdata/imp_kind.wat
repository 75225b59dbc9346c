;; Import test module.
(module (import "env" "f" (global i32)))
