;; runaway_start.wat: a start function that never returns.
(module
  (memory 1)
  (func $spin (loop $l (br $l)))
  (start $spin))
