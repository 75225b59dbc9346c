//go:build unix

package wasi

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestNonblockingFIFO checks O_NONBLOCK on a FIFO, from path_open's
// fdflags and from fd_fdstat_set_flags: a read with no data fails with
// EAGAIN instead of blocking the guest, poll_oneoff reports the FIFO
// readable only once it has data (waiting for it if need be), and the
// read then returns the data (wazero's Test_NonblockingFile and
// Test_NonblockGo, at the level of the calls).
func TestNonblockingFIFO(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, Config{Mounts: []Mount{{HostDir: dir, GuestPath: "/"}}})
	const in, out, nev, buf = 0, 1000, 2000, 3000

	readOnce := func(fd uint32) (string, errno) {
		h.iov(4000, buf, 64)
		e := h.call("fd_read", uint64(fd), 4000, 1, 4100)
		if e != errSuccess {
			return "", e
		}
		return string(mustRead(h, buf, int(h.u32(4100)))), e
	}
	for _, mode := range []string{"path_open", "fd_fdstat_set_flags"} {
		t.Run(mode, func(t *testing.T) {
			name := mode + ".fifo"
			if err := syscall.Mkfifo(filepath.Join(dir, name), 0o666); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			// The host keeps a writer open, so that the FIFO has one
			// (a read with none returns 0 bytes, end of file).
			w, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()

			po, pl := h.str(100, name)
			var fdflags uint64
			if mode == "path_open" {
				fdflags = fdflagNonblock
			}
			if e := h.call("path_open", 3, 1, po, pl, 0, rightFdRead|rightPollFdReadwrite|rightFdFdstatSetFlags, 0, fdflags, 200); e != errSuccess {
				t.Fatalf("path_open: %d", e)
			}
			fd := h.u32(200)
			defer h.call("fd_close", uint64(fd))
			if mode == "fd_fdstat_set_flags" {
				if e := h.call("fd_fdstat_set_flags", uint64(fd), fdflagNonblock); e != errSuccess {
					t.Fatalf("fd_fdstat_set_flags: %d", e)
				}
			}
			if e := h.call("fd_fdstat_get", uint64(fd), 300); e != errSuccess || h.u32(302)&0xffff&fdflagNonblock == 0 {
				t.Errorf("fd_fdstat_get: %d, flags %#x, want NONBLOCK set", e, h.u32(302)&0xffff)
			}
			if _, e := readOnce(fd); e != errAgain {
				t.Fatalf("fd_read of an empty FIFO: %d, want EAGAIN", e)
			}

			// Not readable yet: a poll with a 10 ms clock ends by the clock.
			h.sub(in, 1, eventFdRead, fd, 0, 0)
			h.sub(in+subscriptionSize, 2, eventClock, clockMonotonic, 10e6, 0)
			if e := h.call("poll_oneoff", in, out, 2, nev); e != errSuccess {
				t.Fatalf("poll_oneoff: %d", e)
			}
			if diff := cmp.Diff([]ev{{2, 0, eventClock}}, h.events(out, h.u32(nev))); diff != "" {
				t.Errorf("poll of an empty FIFO (-want +got):\n%s", diff)
			}

			// Written while the guest waits: the poll wakes for the FIFO.
			go func() {
				time.Sleep(30 * time.Millisecond)
				w.Write([]byte("wazero"))
			}()
			h.sub(in, 3, eventFdRead, fd, 0, 0)
			h.sub(in+subscriptionSize, 4, eventClock, clockMonotonic, 10e9, 0)
			start := time.Now()
			if e := h.call("poll_oneoff", in, out, 2, nev); e != errSuccess {
				t.Fatalf("poll_oneoff: %d", e)
			}
			if diff := cmp.Diff([]ev{{3, 0, eventFdRead}}, h.events(out, h.u32(nev))); diff != "" {
				t.Errorf("poll of a FIFO written to (-want +got):\n%s", diff)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("the poll took %s", el)
			}
			if got, e := readOnce(fd); e != errSuccess || got != "wazero" {
				t.Errorf("fd_read: %q, %d, want \"wazero\"", got, e)
			}
		})
	}
}
