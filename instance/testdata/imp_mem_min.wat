;; Import test module.
(module (import "env" "mem" (memory 2)))
