;; An infinite loop, for --timeout.
(module
  (func (export "_start") (loop (br 0))))
