;; big_table.wat: a table of 10^7 funcrefs, the default cap
;; (BenchmarkBigTable measures what it costs per instance).
(module (table (export "tab") 10000000 funcref))
