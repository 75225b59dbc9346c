;; Traps two calls deep; gen.sh keeps the names (--debug-names) so the
;; backtrace shows them.
(module $names
  (func $inner unreachable)
  (func $outer (call $inner))
  (func $_start (export "_start") (call $outer)))
