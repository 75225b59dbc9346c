;; A command module: _start traps.
(module
  (func (export "_start") (unreachable)))
