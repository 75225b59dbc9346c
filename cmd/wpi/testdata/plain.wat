;; No _start and no start function: exec does nothing.
(module (func (export "f")))
