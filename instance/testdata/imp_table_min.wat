;; Import test module.
(module (import "env" "tab" (table 5 funcref)))
