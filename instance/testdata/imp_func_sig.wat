;; Import test module.
(module (import "env" "f" (func (param i64))))
