;; Import test module.
(module (import "env" "base" (global (mut i32))))
