;; Import test module.
(module (import "env" "tab" (table 2 funcref)))
