package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/spectest"
)

const spectestUsage = `usage: wpi spectest [flags] PATH...

Runs wast2json output: each PATH is a .json file or a directory of them.
Prints one line per file, then the totals of assertions and actions
("N passed, N failed[, N skipped]"). Exits 1 if any failed.

flags:
`

// runSpectest implements "wpi spectest".
func runSpectest(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spectest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	features := fs.String("features", "v2", "core features: v1 (Wasm 1.0) or v2 (Wasm 2.0)")
	verbose := fs.Bool("v", false, "print every failed command")
	timeout := fs.Duration("timeout", 0, "limit for each command (0: none)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, spectestUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return exitOK
		}
		fmt.Fprintf(stderr, "wpi spectest: %s (run 'wpi spectest -h')\n", oneLine(err))
		return exitUsage
	}
	opts := spectest.Options{CommandTimeout: *timeout}
	switch *features {
	case "v1":
		opts.Features = api.CoreFeaturesV1
	case "v2":
		opts.Features = api.CoreFeaturesV2
	default:
		fmt.Fprintf(stderr, "wpi spectest: -features %q: want v1 or v2\n", *features)
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "wpi spectest: no PATH given (run 'wpi spectest -h')")
		return exitUsage
	}
	files, err := spectest.Files(fs.Args()...)
	if err != nil {
		fmt.Fprintf(stderr, "wpi spectest: %s\n", oneLine(err))
		return exitError
	}
	ctx := context.Background()
	var passed, failed, skipped int
	code := exitOK
	for _, f := range files {
		res, err := spectest.RunFile(ctx, f, opts)
		if err != nil {
			fmt.Fprintf(stdout, "%s: error: %s\n", f, oneLine(err))
			code = exitError
			continue
		}
		passed += res.Passed
		failed += res.Failed
		skipped += res.Skipped
		status := "ok"
		if res.Failed > 0 {
			status = "FAIL"
			code = exitError
		}
		fmt.Fprintf(stdout, "%-4s %s: %s\n", status, f, counts(res.Passed, res.Failed, res.Skipped))
		if *verbose {
			for _, c := range res.Failures() {
				fmt.Fprintf(stdout, "     line %d: %s: %s\n", c.Line, c.Type, c.Message)
			}
		}
	}
	fmt.Fprintln(stdout, counts(passed, failed, skipped))
	return code
}

func counts(passed, failed, skipped int) string {
	s := fmt.Sprintf("%d passed, %d failed", passed, failed)
	if skipped > 0 {
		s += fmt.Sprintf(", %d skipped", skipped)
	}
	return s
}
