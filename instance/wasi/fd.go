package wasi

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// File types (the spec's "filetype" enum).
const (
	ftUnknown      = 0
	ftBlockDevice  = 1
	ftCharDevice   = 2
	ftDirectory    = 3
	ftRegularFile  = 4
	ftSocketDgram  = 5
	ftSocketStream = 6
	ftSymlink      = 7
)

// fdflags.
const (
	fdflagAppend   = 1
	fdflagDsync    = 2
	fdflagNonblock = 4
	fdflagRsync    = 8
	fdflagSync     = 16
)

// Rights (the spec's "rights" bit set).
const (
	rightFdDatasync = 1 << iota
	rightFdRead
	rightFdSeek
	rightFdFdstatSetFlags
	rightFdSync
	rightFdTell
	rightFdWrite
	rightFdAdvise
	rightFdAllocate
	rightPathCreateDirectory
	rightPathCreateFile
	rightPathLinkSource
	rightPathLinkTarget
	rightPathOpen
	rightFdReaddir
	rightPathReadlink
	rightPathRenameSource
	rightPathRenameTarget
	rightPathFilestatGet
	rightPathFilestatSetSize
	rightPathFilestatSetTimes
	rightFdFilestatGet
	rightFdFilestatSetSize
	rightFdFilestatSetTimes
	rightPathSymlink
	rightPathRemoveDirectory
	rightPathUnlinkFile
	rightPollFdReadwrite
	rightSockShutdown
	rightSockAccept

	rightsAll = 1<<30 - 1

	rightsFile = rightFdDatasync | rightFdRead | rightFdSeek | rightFdFdstatSetFlags | rightFdSync |
		rightFdTell | rightFdWrite | rightFdAdvise | rightFdAllocate | rightFdFilestatGet |
		rightFdFilestatSetSize | rightFdFilestatSetTimes | rightPollFdReadwrite
	rightsDir = rightFdFdstatSetFlags | rightFdSync | rightFdAdvise | rightPathCreateDirectory |
		rightPathCreateFile | rightPathLinkSource | rightPathLinkTarget | rightPathOpen | rightFdReaddir |
		rightPathReadlink | rightPathRenameSource | rightPathRenameTarget | rightPathFilestatGet |
		rightPathFilestatSetSize | rightPathFilestatSetTimes | rightFdFilestatGet | rightFdFilestatSetTimes |
		rightPathSymlink | rightPathRemoveDirectory | rightPathUnlinkFile
	rightsStdio    = rightFdRead | rightFdWrite | rightFdFdstatSetFlags | rightFdFilestatGet | rightPollFdReadwrite
	rightsSock     = rightFdRead | rightFdWrite | rightFdFdstatSetFlags | rightFdFilestatGet | rightPollFdReadwrite | rightSockShutdown
	rightsListener = rightsSock | rightSockAccept
)

// kind is what a descriptor refers to.
type kind uint8

const (
	kindFile     kind = iota // a file or directory of a mount
	kindStdin                // descriptor 0, or any readable stream
	kindStdout               // descriptors 1 and 2: writers
	kindListener             // a preopened TCP listener
	kindConn                 // an accepted connection
)

// fdEntry is an open descriptor.
type fdEntry struct {
	kind kind
	// For kindFile: the file, the mount it belongs to, and its path in
	// the mount (clean, relative, "" for the mount's root).
	file  experimentalsys.File
	mount *mountPoint
	path  string
	isDir bool
	// preopen is the guest name of a preopened mount root ("" if not).
	preopen string

	// Streams: stdin and connections read through r; stdout, stderr and
	// connections write to w.
	r    *readAhead
	w    io.Writer
	conn net.Conn
	ln   *acceptAhead

	// poll is set for a FIFO, socket or character device opened by
	// path_open: its readiness comes from the host (poll(2)), where a
	// regular file is always ready.
	poll experimentalsys.Pollable

	flags                 uint16 // fdflags
	rights, rightsInherit uint64

	// dirents caches a directory listing for fd_readdir, refreshed when
	// the guest asks for cookie 0.
	dirents []experimentalsys.Dirent
}

// mountPoint is a mounted file system.
type mountPoint struct {
	fs    experimentalsys.FS
	guest string
}

// state is one WASI process.
type state struct {
	cfg  Config
	args []string
	env  []string
	// fds is the descriptor table, indexed by descriptor: nil for a free
	// one. It only grows as far as the lowest free descriptor does (add;
	// fd_renumber's target must be open), and nfds counts the open ones.
	fds  []*fdEntry
	nfds int
	// stdio holds the entries of descriptors 0, 1 and 2 as opened.
	stdio [3]fdEntry
	// scratch is a buffer for I/O. Reused across calls, and across
	// instances when the state is recycled (WithConfig): every user
	// copies out only the bytes it filled.
	scratch []byte

	// States of guests on different cores are often neighbours on the
	// heap; a cache line of padding keeps the fields every instantiation
	// and close writes (fds, nfds, stdio) off the next state's line.
	_ [64]byte
}

// maxKeptScratch is the largest scratch buffer a recycled state keeps.
const maxKeptScratch = 64 << 10

func newState(cfg Config) (*state, error) {
	defaults(&cfg)
	// The descriptor table is written at every instantiation and close:
	// at least 16 pointers (128 bytes on 64-bit, 64 on 32-bit: a size
	// class the allocator aligns to 64 bytes), so that the tables of
	// states used on different cores share no cache line.
	s := &state{cfg: cfg, args: cfg.Args, env: cfg.Env, fds: make([]*fdEntry, 0, max(16, 3+len(cfg.Mounts)+len(cfg.Listeners)))}
	s.openStdio()
	next := uint32(3)
	for _, m := range cfg.Mounts {
		f, err := mountFS(m)
		if err != nil {
			s.closeAll()
			return nil, err
		}
		guest := m.GuestPath
		if guest == "" {
			guest = m.HostDir
		}
		mp := &mountPoint{fs: f, guest: guest}
		dir, e := f.OpenFile(".", experimentalsys.O_RDONLY|experimentalsys.O_DIRECTORY, 0)
		if e != 0 {
			s.closeAll()
			return nil, &os.PathError{Op: "open", Path: m.HostDir, Err: e}
		}
		s.set(next, &fdEntry{kind: kindFile, file: dir, mount: mp, isDir: true, preopen: guest,
			rights: rightsDir, rightsInherit: rightsAll})
		next++
	}
	for _, l := range cfg.Listeners {
		s.set(next, &fdEntry{kind: kindListener, ln: newAcceptAhead(l), rights: rightsListener})
		next++
	}
	return s, nil
}

// openStdio sets up descriptors 0, 1 and 2 as a new process has them (the
// table must hold nothing else: a new or closed state).
func (s *state) openStdio() {
	ra := s.stdio[0].r
	if ra == nil || !ra.reset(s.cfg.Stdin) {
		ra = newReadAhead(s.cfg.Stdin)
	}
	s.stdio[0] = fdEntry{kind: kindStdin, r: ra, rights: rightsStdio}
	s.stdio[1] = fdEntry{kind: kindStdout, w: s.cfg.Stdout, rights: rightsStdio}
	s.stdio[2] = fdEntry{kind: kindStdout, w: s.cfg.Stderr, rights: rightsStdio}
	for fd := range s.stdio {
		s.set(uint32(fd), &s.stdio[fd])
	}
	if cap(s.scratch) > maxKeptScratch {
		s.scratch = nil
	}
}

func statDir(dir string) (os.FileInfo, error) { return os.Stat(dir) }

// closeAll closes every descriptor that the module opened.
func (s *state) closeAll() {
	for fd, e := range s.fds {
		if e != nil {
			s.closeEntry(e)
			s.fds[fd] = nil
		}
	}
	s.fds, s.nfds = s.fds[:0], 0
}

// set puts e at descriptor fd, which is free or the next one past the
// table's end.
func (s *state) set(fd uint32, e *fdEntry) {
	for uint32(len(s.fds)) <= fd {
		s.fds = append(s.fds, nil)
	}
	if s.fds[fd] == nil {
		s.nfds++
	}
	s.fds[fd] = e
}

// del frees descriptor fd (which is open).
func (s *state) del(fd uint32) {
	if int(fd) < len(s.fds) && s.fds[fd] != nil {
		s.fds[fd] = nil
		s.nfds--
	}
}

func (s *state) closeEntry(e *fdEntry) experimentalsys.Errno {
	switch e.kind {
	case kindFile:
		if e.file != nil {
			return e.file.Close()
		}
	case kindConn:
		_ = e.conn.Close()
	}
	return 0
}

// lookup returns the entry of fd, or EBADF.
func (s *state) lookup(fd uint32) (*fdEntry, errno) {
	if int64(fd) >= int64(len(s.fds)) || s.fds[fd] == nil {
		return nil, errBadf
	}
	return s.fds[fd], errSuccess
}

// add puts e at the lowest free descriptor.
func (s *state) add(e *fdEntry) uint32 {
	for fd := uint32(3); ; fd++ {
		if int(fd) >= len(s.fds) || s.fds[fd] == nil {
			s.set(fd, e)
			return fd
		}
	}
}

// readAhead turns any io.Reader into a stream that can be polled for
// readiness and read with a deadline: reads happen on a goroutine, one at
// a time, into a buffer the guest then drains.
type readAhead struct {
	r io.Reader

	mu      sync.Mutex
	buf     []byte
	err     error         // sticky, reported once buf is drained
	pending chan struct{} // non-nil while a read is in flight; closed when it ends

	// A recycled state resets its stdin's readAhead at every
	// instantiation; padding keeps those writes off the line of the next
	// object on the heap (often another core's state's readAhead).
	_ [64]byte
}

func newReadAhead(r io.Reader) *readAhead { return &readAhead{r: r} }

// reset makes ra as new (nothing buffered, no error) reading from r, for
// the next guest of a recycled state, unless a background read is in
// flight (it would deliver into the next guest's stdin): then it reports
// false.
func (ra *readAhead) reset(r io.Reader) bool {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	if ra.pending != nil {
		return false
	}
	ra.r, ra.buf, ra.err = r, ra.buf[:0], nil
	return true
}

// ready reports whether a read would not block (data or an error such as
// EOF is available), starting a background read if none is in flight.
func (ra *readAhead) ready() bool {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	if len(ra.buf) > 0 || ra.err != nil {
		return true
	}
	fresh := ra.pending == nil
	done := ra.startLocked(0)
	if !fresh {
		return false
	}
	// A read just started: give a reader that does not block (a
	// strings.Reader, a buffered pipe) a moment to answer, so a poll with
	// a zero timeout sees its data.
	ra.mu.Unlock()
	t := time.NewTimer(readyGrace)
	select {
	case <-done:
	case <-t.C:
	}
	t.Stop()
	ra.mu.Lock()
	return len(ra.buf) > 0 || ra.err != nil
}

// readyGrace is how long ready waits for a read it just started.
const readyGrace = time.Millisecond

// buffered returns how many bytes can be read without blocking.
func (ra *readAhead) buffered() int {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	return len(ra.buf)
}

func (ra *readAhead) startLocked(n int) chan struct{} {
	if ra.pending != nil {
		return ra.pending
	}
	n = min(max(n, 16<<10), 1<<20)
	done := make(chan struct{})
	ra.pending = done
	go func() {
		b := make([]byte, n)
		k, err := ra.r.Read(b)
		ra.mu.Lock()
		ra.buf = append(ra.buf, b[:k]...)
		if err != nil {
			ra.err = err
		}
		ra.pending = nil
		ra.mu.Unlock()
		close(done)
	}()
	return done
}

// wait blocks until the stream is ready, ctx is done, or the timer fires
// (timer nil: no limit).
func (ra *readAhead) wait(ctx context.Context, timer <-chan time.Time) {
	for {
		ra.mu.Lock()
		if len(ra.buf) > 0 || ra.err != nil {
			ra.mu.Unlock()
			return
		}
		done := ra.startLocked(0)
		ra.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return
		case <-timer:
			return
		}
	}
}

// read copies buffered data into each of bufs in turn. With block, it
// waits for data first (returning ctx's error if ctx ends the wait);
// without, it returns EAGAIN when nothing is buffered. peek leaves the
// data in the buffer. EOF reads as 0 bytes.
func (ra *readAhead) read(ctx context.Context, bufs [][]byte, block, peek bool) (int, errno, error) {
	total := 0
	for _, b := range bufs {
		total += len(b)
	}
	if total == 0 {
		return 0, errSuccess, nil
	}
	for {
		ra.mu.Lock()
		if len(ra.buf) > 0 {
			n := 0
			for _, b := range bufs {
				k := copy(b, ra.buf[n:])
				n += k
				if n == len(ra.buf) {
					break
				}
			}
			if !peek {
				ra.buf = ra.buf[n:]
				if len(ra.buf) == 0 {
					ra.buf = nil
				}
			}
			ra.mu.Unlock()
			return n, errSuccess, nil
		}
		if ra.err != nil {
			err := ra.err
			ra.mu.Unlock()
			if err == io.EOF {
				return 0, errSuccess, nil
			}
			return 0, errIo, nil
		}
		done := ra.startLocked(total)
		ra.mu.Unlock()
		if !block {
			return 0, errAgain, nil
		}
		select {
		case <-done:
		case <-ctx.Done():
			return 0, 0, interrupted(ctx)
		}
	}
}

// acceptAhead accepts connections of a listener on a goroutine so that
// sock_accept can be non-blocking and pollable.
type acceptAhead struct {
	l net.Listener

	mu      sync.Mutex
	conns   []net.Conn
	err     error
	pending chan struct{}
}

func newAcceptAhead(l net.Listener) *acceptAhead { return &acceptAhead{l: l} }

func (a *acceptAhead) startLocked() chan struct{} {
	if a.pending != nil {
		return a.pending
	}
	done := make(chan struct{})
	a.pending = done
	go func() {
		c, err := a.l.Accept()
		a.mu.Lock()
		if err != nil {
			a.err = err
		} else {
			a.conns = append(a.conns, c)
		}
		a.pending = nil
		a.mu.Unlock()
		close(done)
	}()
	return done
}

func (a *acceptAhead) ready() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.conns) > 0 || a.err != nil {
		return true
	}
	a.startLocked()
	return false
}

func (a *acceptAhead) wait(ctx context.Context, timer <-chan time.Time) {
	for {
		a.mu.Lock()
		if len(a.conns) > 0 || a.err != nil {
			a.mu.Unlock()
			return
		}
		done := a.startLocked()
		a.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return
		case <-timer:
			return
		}
	}
}

// accept returns a pending connection; without block, EAGAIN if none.
func (a *acceptAhead) accept(ctx context.Context, block bool) (net.Conn, errno, error) {
	for {
		a.mu.Lock()
		if len(a.conns) > 0 {
			c := a.conns[0]
			a.conns = a.conns[1:]
			a.mu.Unlock()
			return c, errSuccess, nil
		}
		if a.err != nil {
			a.mu.Unlock()
			return nil, errIo, nil
		}
		done := a.startLocked()
		a.mu.Unlock()
		if !block {
			return nil, errAgain, nil
		}
		select {
		case <-done:
		case <-ctx.Done():
			return nil, 0, interrupted(ctx)
		}
	}
}

// CheckSnapshot implements instance.SnapshotChecker: a snapshot's
// instances get a new WASI process (stdio, then the mounts and listeners
// of their own Config), so the guest's descriptor table must be what a
// new process has. It fails if the guest holds a descriptor it opened
// (a file, a directory, an accepted connection), or closed or renumbered
// stdio, a preopen or a listener.
func (s *state) CheckSnapshot() error {
	n := uint32(3 + len(s.cfg.Mounts) + len(s.cfg.Listeners))
	for i, e := range s.fds {
		fd := uint32(i)
		switch {
		case e == nil:
			continue
		case fd < 3 && e == &s.stdio[fd]:
		case fd >= 3 && fd < 3+uint32(len(s.cfg.Mounts)) && e.kind == kindFile && e.preopen != "" && e.path == "":
		case fd >= 3+uint32(len(s.cfg.Mounts)) && fd < n && e.kind == kindListener:
		case e.kind == kindFile:
			return fmt.Errorf("wasi: descriptor %d (%q in mount %q) was opened by the guest", fd, e.path, e.mount.guest)
		default:
			return fmt.Errorf("wasi: descriptor %d was opened or renumbered by the guest", fd)
		}
	}
	if uint32(s.nfds) != n {
		return fmt.Errorf("wasi: the guest closed %d of its %d initial descriptors", n-uint32(s.nfds), n)
	}
	return nil
}

// pollSlice is how long one host poll of a FIFO (or other pollable file)
// blocks inside poll_oneoff's wait, so that the wait notices the end of
// the call (another subscription, the timer, the context) this soon.
const pollSlice = 20 // milliseconds

// pollWait blocks until p is readable (or its poll fails), or ctx is done.
func pollWait(ctx context.Context, p experimentalsys.Pollable) {
	for ctx.Err() == nil {
		if ready, se := p.Poll(experimentalsys.POLLIN, pollSlice); ready || (se != 0 && se != experimentalsys.EINTR) {
			return
		}
	}
}
