package main

// #include <stddef.h>
// #include <stdint.h>
// #include <stdbool.h>
// typedef struct wasm_config_t wasm_config_t;
// typedef struct wasmtime_pooling_allocation_config_t wasmtime_pooling_allocation_config_t;
// typedef struct wasmtime_error wasmtime_error_t;
// wasmtime_pooling_allocation_config_t *wasmtime_pooling_allocation_config_new();
// void wasmtime_pooling_allocation_config_delete(wasmtime_pooling_allocation_config_t *);
// void wasmtime_pooling_allocation_config_linear_memory_keep_resident_set(wasmtime_pooling_allocation_config_t *, size_t);
// void wasmtime_pooling_allocation_config_table_keep_resident_set(wasmtime_pooling_allocation_config_t *, size_t);
// void wasmtime_pooling_allocation_config_total_memories_set(wasmtime_pooling_allocation_config_t *, uint32_t);
// void wasmtime_pooling_allocation_config_total_tables_set(wasmtime_pooling_allocation_config_t *, uint32_t);
// void wasmtime_pooling_allocation_config_total_core_instances_set(wasmtime_pooling_allocation_config_t *, uint32_t);
// void wasmtime_pooling_allocation_strategy_set(wasm_config_t *, const wasmtime_pooling_allocation_config_t *);
// void wasmtime_config_memory_init_cow_set(wasm_config_t *, bool);
//
// static void wpi_pooling(void *cfg, size_t keep, uint32_t total) {
//   wasmtime_pooling_allocation_config_t *p = wasmtime_pooling_allocation_config_new();
//   wasmtime_pooling_allocation_config_linear_memory_keep_resident_set(p, keep);
//   wasmtime_pooling_allocation_config_table_keep_resident_set(p, keep);
//   wasmtime_pooling_allocation_config_total_memories_set(p, total);
//   wasmtime_pooling_allocation_config_total_tables_set(p, total);
//   wasmtime_pooling_allocation_config_total_core_instances_set(p, total);
//   wasmtime_pooling_allocation_strategy_set((wasm_config_t *)cfg, p);
//   wasmtime_pooling_allocation_config_delete(p);
// }
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v37"
)

// wasmtimeEngine configures Wasmtime through wasmtime-go, calling the C
// API for what the Go wrapper lacks (the pooling allocator). keep < 0
// means on-demand allocation; pulley selects Wasmtime's interpreter.
func wasmtimeEngine(pulley bool, keep int) (*wasmtime.Engine, error) {
	cfg := wasmtime.NewConfig()
	if pulley {
		if err := cfg.SetTarget("pulley64"); err != nil {
			return nil, fmt.Errorf("pulley64: %w", err)
		}
	}
	if keep >= 0 {
		// SAFETY: wasmtime.Config's only field is the *C.wasm_config_t
		// (wasmtime-go v37 config.go); we read it to call the C API the
		// wrapper does not expose, before the config is consumed by
		// NewEngineWithConfig below.
		ptr := *(*unsafe.Pointer)(unsafe.Pointer(cfg))
		C.wpi_pooling(ptr, C.size_t(keep), 1000)
		// Copy-on-write images of the data segments (Wasmtime's default,
		// said explicitly: it is what the snapshot rows compare with).
		C.wasmtime_config_memory_init_cow_set((*C.wasm_config_t)(ptr), true)
	}
	return wasmtime.NewEngineWithConfig(cfg), nil
}

// wasmtimeRunner returns a tenancy function for Wasmtime: a new store,
// instance, one call, then the store is closed (which frees the instance
// and gives its memory back to the pool).
func wasmtimeRunner(engine *wasmtime.Engine, bin []byte, fn string, args []int32, argv []string, reactor bool) (func() error, error) {
	mod, err := wasmtime.NewModule(engine, bin)
	if err != nil {
		return nil, err
	}
	if reactor {
		// A WASI reactor: a WASI context per store, _initialize if
		// exported, then fn(args).
		linker := wasmtime.NewLinker(engine)
		if err := linker.DefineWasi(); err != nil {
			return nil, err
		}
		iargs := make([]any, len(args))
		for i, a := range args {
			iargs[i] = a
		}
		return func() error {
			store := wasmtime.NewStore(engine)
			defer store.Close()
			wc := wasmtime.NewWasiConfig()
			wc.SetArgv([]string{"reactor"})
			store.SetWasi(wc)
			inst, err := linker.Instantiate(store, mod)
			if err != nil {
				return err
			}
			if init := inst.GetFunc(store, "_initialize"); init != nil {
				if _, err := init.Call(store); err != nil {
					return err
				}
			}
			_, err = inst.GetFunc(store, fn).Call(store, iargs...)
			return err
		}, nil
	}
	if argv != nil {
		// A WASI command: a WASI context per store, _start, exit code 0.
		linker := wasmtime.NewLinker(engine)
		if err := linker.DefineWasi(); err != nil {
			return nil, err
		}
		return func() error {
			store := wasmtime.NewStore(engine)
			defer store.Close()
			wc := wasmtime.NewWasiConfig()
			wc.SetArgv(argv)
			store.SetWasi(wc)
			inst, err := linker.Instantiate(store, mod)
			if err != nil {
				return err
			}
			_, err = inst.GetFunc(store, "_start").Call(store)
			var werr *wasmtime.Error
			if errors.As(err, &werr) {
				if code, ok := werr.ExitStatus(); ok && code == 0 {
					return nil
				}
			}
			return err
		}, nil
	}
	iargs := make([]any, len(args))
	for i, a := range args {
		iargs[i] = a
	}
	return func() error {
		store := wasmtime.NewStore(engine)
		inst, err := wasmtime.NewInstance(store, mod, nil)
		if err != nil {
			store.Close()
			return err
		}
		_, err = inst.GetFunc(store, fn).Call(store, iargs...)
		store.Close()
		return err
	}, nil
}
