;; Import test module.
(module (import "env" "mem" (memory 1 2)))
