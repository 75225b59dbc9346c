module github.com/wpi-dev/wpi/bench

go 1.26.8

require (
	github.com/bytecodealliance/wasmtime-go/v37 v37.0.0
	github.com/tetratelabs/wazero v1.12.0
	github.com/wpi-dev/wpi v0.0.0
)

require (
	github.com/google/pprof v0.0.0-20261105003125-4bf881d7fb0b // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace github.com/wpi-dev/wpi => ../
