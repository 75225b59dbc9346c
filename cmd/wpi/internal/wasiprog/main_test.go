package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWork(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{1, "0.txt 1\n"},
		{3, "0.txt 1\n1.txt 2\n2.txt 3\n"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			got, err := work(t.TempDir(), tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFiles exercises the file operations Go's os package maps to WASI:
// create, append, seek, rename, remove, stat, and reading a directory.
func TestFiles(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(name, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(", world"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	renamed := filepath.Join(dir, "b.txt")
	if err := os.Rename(name, renamed); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("stat after rename: %v, want not exist", err)
	}
	f, err = os.Open(renamed)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := f.Seek(7, 0); err != nil {
		t.Fatal(err)
	}
	n, _ := f.Read(buf)
	f.Close()
	if got := string(buf[:n]); got != "world" {
		t.Errorf("read after seek: %q, want %q", got, "world")
	}
	fi, err := os.Stat(renamed)
	if err != nil || fi.Size() != 12 {
		t.Errorf("stat: %v, %v; want size 12", fi, err)
	}
	if err := os.Remove(renamed); err != nil {
		t.Fatal(err)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("ReadDir of emptied dir: %v, %v", entries, err)
	}
}

// TestGoroutinesAndTime: sleeping goroutines, a ticker and a timeout.
func TestGoroutinesAndTime(t *testing.T) {
	var ticks atomic.Int32
	done := make(chan struct{})
	go func() {
		tk := time.NewTicker(2 * time.Millisecond)
		defer tk.Stop()
		for ticks.Load() < 5 {
			<-tk.C
			ticks.Add(1)
		}
		close(done)
	}()
	start := time.Now()
	time.Sleep(10 * time.Millisecond)
	if el := time.Since(start); el < 10*time.Millisecond {
		t.Errorf("Sleep(10ms) returned after %s", el)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("ticker: %d ticks after 5s", ticks.Load())
	}
	results := make(chan int, 100)
	for i := 0; i < 100; i++ {
		go func() {
			runtime.Gosched()
			results <- i
		}()
	}
	sum := 0
	for i := 0; i < 100; i++ {
		sum += <-results
	}
	if sum != 4950 {
		t.Errorf("sum of goroutine results: %d, want 4950", sum)
	}
}

func TestArgs(t *testing.T) {
	if len(os.Args) == 0 || os.Args[0] == "" {
		t.Errorf("os.Args = %q, want a program name", os.Args)
	}
}
