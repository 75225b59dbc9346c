package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/wpi-dev/wpi/instance"
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
	features := fs.String("features", "", "core features: `LIST` of v1, v2, all or proposal names (threads,tail-call,extended-const,exception-handling,typed-function-references,...); default: from each file's folder name (v1, a proposal's name, else v2)")
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
	if *features != "" {
		f, err := instance.ParseFeatures(*features)
		if err != nil {
			fmt.Fprintf(stderr, "wpi spectest: -features: %s\n", err)
			return exitUsage
		}
		opts.Features = f
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
		fopts := opts
		if *features == "" {
			fopts.Features = instance.SuiteFeatures(suiteFolder(f))
		}
		res, err := spectest.RunFile(ctx, f, fopts)
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

// suiteFolder names the suite a wast2json file belongs to: its directory's
// name, or the directory above when that is "testdata" (the layout of
// wazero's suites, e.g. spectest/threads/testdata/atomic.json).
func suiteFolder(file string) string {
	dir := filepath.Dir(file)
	if filepath.Base(dir) == "testdata" {
		dir = filepath.Dir(dir)
	}
	return filepath.Base(dir)
}
