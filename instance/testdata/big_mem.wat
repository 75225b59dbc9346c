;; A memory whose minimum is 2 pages.
(module (memory 2))
