;; Import test module.
(module (import "env" "base" (global i32)))
