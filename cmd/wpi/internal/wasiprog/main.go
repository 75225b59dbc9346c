// Command wasiprog is a Go program for testing wpi's WASI with
// GOOS=wasip1 GOARCH=wasm: goroutines write files into a directory, a
// timer paces them, the files are read back and listed, and the program
// exits with the code it is given.
//
//	wasiprog DIR [EXITCODE]
//
// It is ordinary Go: its tests pass natively and under
// `go test -exec cmd/wpi/go_wasip1_wasm_exec`.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: wasiprog DIR [EXITCODE]")
		os.Exit(2)
	}
	report, err := work(os.Args[1], 8)
	fmt.Print(report)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasiprog:", err)
		os.Exit(1)
	}
	if len(os.Args) > 2 {
		code, err := strconv.Atoi(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "wasiprog:", err)
			os.Exit(2)
		}
		os.Exit(code)
	}
}

// work starts n goroutines that each wait on a timer, then write a file
// out/<i>.txt under dir; it then reads every file back and returns a
// report listing them in order.
func work(dir string, n int) (string, error) {
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-time.After(time.Duration(n-i) * time.Millisecond)
			name := filepath.Join(out, fmt.Sprintf("%d.txt", i))
			if err := os.WriteFile(name, []byte(strings.Repeat("x", i)+"\n"), 0o644); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return "", err
	}
	if el := time.Since(start); el < time.Duration(n)*time.Millisecond {
		return "", fmt.Errorf("timers fired after %s, before %s", el, time.Duration(n)*time.Millisecond)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return "", err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s %d\n", name, len(data))
	}
	return b.String(), nil
}
