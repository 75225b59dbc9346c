;; Imports WASI, which wpi does not provide yet.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (func (export "_start")))
