package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wpi-dev/wpi/instance"
	"github.com/wpi-dev/wpi/instance/wasi"
)

const snapshotUsage = `usage: wpi snapshot [flags] module.wasm [ARGS...] -o out.wasm

Pre-initializes a module, as Wizer does: instantiates it (running its
start function) with WASI preview1 available, calls its _initialize if
exported (a WASI reactor), then the init export (--init; default
wizer.initialize if exported, else _initialize), and writes the
instance's state as an ordinary WebAssembly module: the memory as data
segments of its non-zero bytes, the tables as element segments, the
globals' values as their initialisers, no start function, and neither
the init export nor _initialize. Any runtime runs the result; each of its
instances starts where the init left off.

What the guest read during its init is baked in: ARGS (argv[0] is the
module's file name), --env, the clocks and random bytes, and what it read
from --dir mounts. Give the output's instances the same mounts in the
same order. The init must close the files it opened (the snapshot fails
otherwise); stdio passes through.

flags (before or after the module):
`

// runSnapshot implements "wpi snapshot".
func runSnapshot(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("snapshot", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	init := fs.String("init", "", "the init export to call and drop (default wizer.initialize if exported, else _initialize)")
	out := fs.String("o", "", "write the snapshot to `FILE` (required)")
	features := fs.String("features", "supported", "core features the module may use: `LIST` of v1, v2, supported or proposal names")
	var dirs, envs listFlag
	fs.Var(&dirs, "dir", "preopen the host directory HOST as GUEST during init: `HOST[::GUEST]` (repeatable; ::ro for read-only)")
	fs.Var(&envs, "env", "set a guest environment variable during init: `NAME[=VALUE]` (repeatable; without =VALUE, wpi's)")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, snapshotUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return exitOK
		}
		fmt.Fprintf(stderr, "wpi snapshot: %s (run 'wpi snapshot -h')\n", oneLine(err))
		return exitUsage
	}
	if len(positional) < 1 || *out == "" {
		fmt.Fprintln(stderr, "wpi snapshot: want a module and -o FILE (run 'wpi snapshot -h')")
		return exitUsage
	}
	feats, err := instance.ParseFeatures(*features)
	if err != nil {
		fmt.Fprintf(stderr, "wpi snapshot: -features: %s\n", err)
		return exitUsage
	}
	wcfg, cleanup, err := wasiConfig(dirs, envs, nil, stdout, stderr)
	defer cleanup()
	if err != nil {
		fmt.Fprintf(stderr, "wpi snapshot: %s\n", oneLine(err))
		return exitUsage
	}
	path := positional[0]
	wcfg.Args = append([]string{filepath.Base(path)}, positional[1:]...)

	ctx := context.Background()
	bin, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "wpi snapshot: %s\n", oneLine(err))
		return exitError
	}
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 4, Features: feats})
	if err != nil {
		fmt.Fprintf(stderr, "wpi snapshot: %s\n", oneLine(err))
		return exitError
	}
	defer rt.Close(ctx)
	cm, err := rt.Compile(ctx, bin)
	if err != nil {
		fmt.Fprintf(stderr, "wpi snapshot: %s: %s\n", path, oneLine(err))
		return exitError
	}
	w, err := wasi.Instantiate(ctx, rt, wasi.Config{})
	if err != nil {
		fmt.Fprintf(stderr, "wpi snapshot: %s\n", oneLine(err))
		return exitError
	}
	defer w.Close(ctx)
	snap, name, err := preinitialize(ctx, rt, cm, *init, wcfg)
	if err != nil {
		if instance.IsTrap(err) {
			fmt.Fprintf(stderr, "wpi snapshot: trap: %s\n", trapMessage(err))
			return exitTrap
		}
		fmt.Fprintf(stderr, "wpi snapshot: %s\n", oneLine(err))
		return exitError
	}
	enc, err := snap.Encode()
	if err == nil {
		err = os.WriteFile(*out, enc, 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "wpi snapshot: %s\n", oneLine(err))
		return exitError
	}
	fmt.Fprintf(stdout, "wpi snapshot: %s after %s -> %s (%d bytes, was %d)\n", path, name, *out, len(enc), len(bin))
	return exitOK
}

// parseInterleaved parses flags that may come before, between and after
// the positional arguments (Go's flag package stops at the first
// positional one), and returns the positional ones. "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// preinitialize instantiates cm with its own WASI state of wcfg, runs its
// _initialize (if exported) and init export, and returns the snapshot
// and the name of the init export that ran. init "" means
// wizer.initialize if exported, else _initialize; one of them must be.
func preinitialize(ctx context.Context, rt *instance.Runtime, cm *instance.CompiledModule, init string, wcfg wasi.Config) (*instance.CompiledModule, string, error) {
	if init == "" {
		init = instance.ReactorInit
		if hasFunc(cm, instance.WizerInit) {
			init = instance.WizerInit
		}
	}
	if !hasFunc(cm, init) {
		return nil, "", fmt.Errorf("the module exports no function %q to initialise it (--init names it)", init)
	}
	inst, err := rt.Instantiate(ctx, cm, wasi.WithConfig(instance.ModuleConfig{}, wcfg))
	if err != nil {
		return nil, "", err
	}
	defer inst.Close(ctx)
	names := []string{init}
	if init != instance.ReactorInit && hasFunc(cm, instance.ReactorInit) {
		names = []string{instance.ReactorInit, init} // the reactor ABI: _initialize first
	}
	for _, n := range names {
		if _, err := inst.ExportedFunction(n).Call(ctx); err != nil {
			if code, ok := wasi.ExitCode(err); ok {
				return nil, "", fmt.Errorf("%s exited with code %d", n, code)
			}
			return nil, "", fmt.Errorf("%s: %w", n, err)
		}
	}
	snap, err := rt.Snapshot(ctx, inst, instance.SnapshotConfig{Init: init})
	return snap, init, err
}
