;; Import test module.
(module (import "nomax" "mem" (memory 1 2)))
