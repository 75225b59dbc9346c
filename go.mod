module github.com/wpi-dev/wpi

go 1.26.8

require (
	github.com/google/go-cmp v0.7.0
	github.com/google/pprof v0.0.0-20261105003125-4bf881d7fb0b
	github.com/tetratelabs/wazero v1.12.0
	golang.org/x/sys v0.49.0
)
