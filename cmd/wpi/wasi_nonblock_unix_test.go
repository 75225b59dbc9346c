//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental/sock"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

// liveRun runs a WASI command with the host directory dir mounted as "/"
// (if not empty) and a TCP listener preopened on 127.0.0.1:port (if not
// 0), writing to stdout and stderr as it goes, and returns its exit code.
// The tests below talk to the guest while it runs, under each engine.
type liveRun func(t *testing.T, wasm string, args []string, dir string, port int, stdout, stderr io.Writer) int

// liveWazero is liveRun on wazero (the reference), configured as wazero's
// own tests do.
func liveWazero(t *testing.T, wasm string, args []string, dir string, port int, stdout, stderr io.Writer) int {
	ctx := context.Background()
	if port != 0 {
		ctx = sock.WithConfig(ctx, sock.NewConfig().WithTCPListener("127.0.0.1", port))
	}
	bin, err := os.ReadFile(wasm)
	if err != nil {
		t.Error(err)
		return -1
	}
	// The interpreter: it compiles the Go program in a fraction of the
	// compiler's time, and these guests mostly wait.
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	fsc := wazero.NewFSConfig()
	if dir != "" {
		fsc = fsc.WithDirMount(dir, "/")
	}
	cfg := wazero.NewModuleConfig().
		WithArgs(append([]string{"wasi"}, args...)...).
		WithStdout(stdout).WithStderr(stderr).WithFSConfig(fsc).
		WithSysWalltime().WithSysNanotime().WithSysNanosleep()
	if _, err := r.InstantiateWithConfig(ctx, bin, cfg); err != nil {
		var ee *sys.ExitError
		if !errors.As(err, &ee) {
			fmt.Fprintf(stderr, "wazero: %v\n", err)
			return -1
		}
		return int(ee.ExitCode())
	}
	return 0
}

// liveWpi is liveRun through the wpi CLI, in process (stopped after a
// minute, so that a guest that blocks cannot hang the test).
func liveWpi(t *testing.T, wasm string, args []string, dir string, port int, stdout, stderr io.Writer) int {
	cli := []string{"exec", "--timeout", "60s"}
	if dir != "" {
		cli = append(cli, "--dir", dir+"::/")
	}
	if port != 0 {
		cli = append(cli, "--tcplisten", "127.0.0.1:"+strconv.Itoa(port))
	}
	cli = append(cli, wasm, "--")
	return run(append(cli, args...), stdout, stderr)
}

var liveEngines = []struct {
	name string
	run  liveRun
}{{"wazero", liveWazero}, {"wpi", liveWpi}}

// lineReader reads lines a guest writes, each within a deadline.
type lineReader struct {
	lines chan string
}

func newLineReader(r io.Reader) *lineReader {
	lr := &lineReader{lines: make(chan string, 64)}
	go func() {
		s := bufio.NewScanner(r)
		for s.Scan() {
			lr.lines <- s.Text()
		}
		close(lr.lines)
	}()
	return lr
}

func (lr *lineReader) next(t *testing.T) (string, bool) {
	t.Helper()
	select {
	case l, ok := <-lr.lines:
		return l, ok
	case <-time.After(20 * time.Second):
		t.Error("no line from the guest in 20s")
		return "", false
	}
}

// TestWASINonblockingFIFO is wazero's Test_NonblockingFile under both
// engines: the zig-cc program opens a FIFO with O_NONBLOCK and prints a dot
// per read that finds no data, until the host writes "wazero".
func TestWASINonblockingFIFO(t *testing.T) {
	wasm := filepath.Join(wazeroDir(t), "imports", "wasi_snapshot_preview1", "testdata", "zig-cc", "wasi.wasm")
	for _, e := range liveEngines {
		t.Run(e.name, func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "test-fifo")
			if err := syscall.Mkfifo(fifo, 0o666); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			var stdout, stderr bytes.Buffer
			done := make(chan int, 1)
			go func() { done <- e.run(t, wasm, []string{"nonblock", "/test-fifo"}, dir, 0, &stdout, &stderr) }()
			time.Sleep(300 * time.Millisecond) // a few empty reads, 100 ms apart
			f, err := os.OpenFile(fifo, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte("wazero")); err != nil {
				t.Fatal(err)
			}
			f.Close()
			code := <-done
			lines := strings.Split(stdout.String(), "\n")
			if code != 0 || len(lines) < 2 || !strings.HasPrefix(lines[0], ".") || strings.Trim(lines[0], ".") != "" || lines[1] != "wazero" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 0 and dots, then \"wazero\"", code, stdout.String(), stderr.String())
			}
		})
	}
}

// TestWASINonblockGo is wazero's Test_NonblockGo (after Go's
// runtime/internal/wasitest) under both engines: the Go program opens 8
// FIFOs, non-blocking from os.Open ("open") or by syscall.SetNonblock
// ("create"), and reads each on its own goroutine; the host writes them
// in reverse order and must see the lines echoed in that order, which a
// blocking read would make impossible.
func TestWASINonblockGo(t *testing.T) {
	wasm := goWASIProgram(t)
	const numFifos = 8
	for _, mode := range []string{"open", "create"} {
		for _, e := range liveEngines {
			t.Run(mode+"/"+e.name, func(t *testing.T) {
				dir := t.TempDir()
				args := []string{"nonblock", mode}
				files := make([]*os.File, numFifos)
				for i := range files {
					name := fmt.Sprintf("fifo-%d", i)
					if err := syscall.Mkfifo(filepath.Join(dir, name), 0o666); err != nil {
						t.Skipf("mkfifo: %v", err)
					}
					f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR, 0)
					if err != nil {
						t.Fatal(err)
					}
					defer f.Close()
					args = append(args, name)
					files[numFifos-1-i] = f
				}
				pr, pw := io.Pipe()
				var stdout bytes.Buffer
				done := make(chan int, 1)
				go func() {
					done <- e.run(t, wasm, args, dir, 0, &stdout, pw)
					pw.Close()
				}()
				lr := newLineReader(pr)
				var got, want []string
				if l, _ := lr.next(t); l != "waiting" {
					t.Fatalf("first line %q, want \"waiting\"", l)
				}
				for _, f := range files {
					if _, err := f.WriteString(f.Name() + "\n"); err != nil {
						t.Fatal(err)
					}
					want = append(want, f.Name())
					l, ok := lr.next(t)
					if !ok {
						break
					}
					got = append(got, l)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("lines read back (-want +got):\n%s", diff)
				}
				if code := <-done; code != 0 || stdout.Len() != 0 {
					t.Errorf("exit %d, stdout %q; want 0 and nothing", code, stdout.String())
				}
			})
		}
	}
}

// goWASIProgram builds wazero's Go WASI test program (testdata/go/wasi.go)
// and returns its path.
func goWASIProgram(t *testing.T) string {
	t.Helper()
	return buildWasip1(t, filepath.Join(wazeroDir(t), "imports", "wasi_snapshot_preview1", "testdata", "go", "wasi.go"), false)
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no TCP: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestWASISock is wazero's Test_Sock under both engines: the program
// accepts a connection on the preopened listener (descriptor 3), reads
// what the host sends and prints it.
func TestWASISock(t *testing.T) {
	w := wazeroDir(t)
	td := filepath.Join(w, "imports", "wasi_snapshot_preview1", "testdata")
	programs := []struct{ name, wasm string }{
		{"cargo-wasi", filepath.Join(td, "cargo-wasi", "wasi.wasm")},
		{"zig-cc", filepath.Join(td, "zig-cc", "wasi.wasm")},
	}
	if !testing.Short() {
		programs = append(programs, struct{ name, wasm string }{"go", goWASIProgram(t)})
	}
	for _, p := range programs {
		for _, e := range liveEngines {
			t.Run(p.name+"/"+e.name, func(t *testing.T) {
				wasm := p.wasm
				port := freePort(t)
				var stdout, stderr bytes.Buffer
				done := make(chan int, 1)
				go func() { done <- e.run(t, wasm, []string{"sock"}, "", port, &stdout, &stderr) }()
				var conn net.Conn
				var err error
				for range 1500 { // until the engine listens (at most 30 s)
					if conn, err = net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				time.Sleep(100 * time.Millisecond) // let the guest reach its read
				if _, err := conn.Write([]byte("wazero")); err != nil {
					t.Fatal(err)
				}
				code := <-done
				// Non-blocking guests may log retries first; the end is
				// what counts, as in wazero's test.
				if out := stdout.String(); code != 0 || !strings.HasSuffix(out, "wazero\n") {
					t.Errorf("exit %d, stdout %q, stderr %q; want 0 and stdout ending in \"wazero\\n\"", code, out, stderr.String())
				}
			})
		}
	}
}
