package wasi

import (
	"context"
	"encoding/binary"
	"math"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// Subscription and event layouts (spec: "subscription", 48 bytes;
// "event", 32 bytes).
const (
	subscriptionSize = 48
	eventSize        = 32

	eventClock   = 0
	eventFdRead  = 1
	eventFdWrite = 2

	subclockAbstime = 1
	eventHangup     = 1
)

type subscription struct {
	userdata uint64
	tag      uint8
	fd       uint32
	deadline time.Duration // clocks: time left, relative to the call's start
	err      errno         // set when the subscription fails on its own
}

type event struct {
	userdata uint64
	err      errno
	typ      uint8
	nbytes   uint64
	flags    uint16
}

// poll_oneoff(in, out, nsubscriptions, nevents): waits until at least one
// subscription is ready (an fd readable or writable, or a clock's time
// reached), then writes an event for each ready one. Regular files are
// always ready; FIFOs, sockets and character devices opened by path_open
// are polled on the host (poll(2)); stdin, connections and listeners are
// polled with no OS support (see readAhead). A context cancelled while waiting ends the call
// (ErrTrapInterrupted).
func pollOneoff(s *state, c *call) (errno, error) {
	in, out, n, neventsp := c.u32(0), c.u32(1), c.u32(2), c.u32(3)
	if n == 0 {
		return errInval, nil
	}
	raw, ok := c.read(in, n*subscriptionSize)
	if !ok || uint64(n)*subscriptionSize > math.MaxUint32 {
		return errFault, nil
	}
	if _, ok := c.read(out, n*eventSize); !ok {
		return errFault, nil
	}
	subs := make([]subscription, n)
	wait := time.Duration(-1) // -1: no clock, wait for fds
	for i := range subs {
		b := raw[i*subscriptionSize:]
		sub := &subs[i]
		sub.userdata = binary.LittleEndian.Uint64(b)
		sub.tag = b[8]
		switch sub.tag {
		case eventClock:
			id := binary.LittleEndian.Uint32(b[16:])
			timeout := binary.LittleEndian.Uint64(b[24:])
			flags := binary.LittleEndian.Uint16(b[40:])
			d := time.Duration(min(timeout, math.MaxInt64))
			if flags&subclockAbstime != 0 {
				now, en := s.now(id)
				if en != errSuccess {
					sub.err = en
					continue
				}
				d = time.Duration(int64(timeout) - now)
			} else if _, en := s.now(id); en != errSuccess {
				sub.err = en
				continue
			}
			sub.deadline = max(d, 0)
			if wait < 0 || sub.deadline < wait {
				wait = sub.deadline
			}
		case eventFdRead, eventFdWrite:
			sub.fd = binary.LittleEndian.Uint32(b[16:])
		default:
			return errInval, nil
		}
	}

	startT := time.Now()
	events := s.readyEvents(subs, 0, false)
	if len(events) == 0 {
		var timer <-chan time.Time
		if wait >= 0 {
			t := time.NewTimer(wait)
			defer t.Stop()
			timer = t.C
		}
		if err := s.waitAny(c.ctx, subs, timer); err != nil {
			return 0, err
		}
		events = s.readyEvents(subs, time.Since(startT), true)
	}
	for i, ev := range events {
		var b [eventSize]byte
		binary.LittleEndian.PutUint64(b[0:], ev.userdata)
		binary.LittleEndian.PutUint16(b[8:], uint16(ev.err))
		b[10] = ev.typ
		binary.LittleEndian.PutUint64(b[16:], ev.nbytes)
		binary.LittleEndian.PutUint16(b[24:], ev.flags)
		c.write(out+uint32(i)*eventSize, b[:])
	}
	if !c.putU32(neventsp, uint32(len(events))) {
		return errFault, nil
	}
	return errSuccess, nil
}

// readyEvents returns the events of the subscriptions ready now, elapsed
// after the call began. afterWait makes the earliest clock fire even if
// the timer woke us a hair early.
func (s *state) readyEvents(subs []subscription, elapsed time.Duration, afterWait bool) []event {
	var evs []event
	var earliest *subscription
	for i := range subs {
		sub := &subs[i]
		if sub.tag == eventClock && sub.err == errSuccess && (earliest == nil || sub.deadline < earliest.deadline) {
			earliest = sub
		}
	}
	for i := range subs {
		sub := &subs[i]
		ev := event{userdata: sub.userdata, typ: sub.tag}
		if sub.err != errSuccess {
			ev.err = sub.err
			evs = append(evs, ev)
			continue
		}
		switch sub.tag {
		case eventClock:
			if sub.deadline <= elapsed || (afterWait && sub == earliest && !s.anyFdReady(subs)) {
				evs = append(evs, ev)
			}
		case eventFdRead, eventFdWrite:
			if ready, en, nbytes, hangup := s.fdReady(sub); ready {
				ev.err, ev.nbytes = en, nbytes
				if hangup {
					ev.flags = eventHangup
				}
				evs = append(evs, ev)
			}
		}
	}
	return evs
}

func (s *state) anyFdReady(subs []subscription) bool {
	for i := range subs {
		if subs[i].tag != eventClock {
			if ready, _, _, _ := s.fdReady(&subs[i]); ready {
				return true
			}
		}
	}
	return false
}

// fdReady reports an fd subscription's readiness: an error (EBADF, ...) is
// ready at once.
func (s *state) fdReady(sub *subscription) (ready bool, en errno, nbytes uint64, hangup bool) {
	e, en := s.lookup(sub.fd)
	if en != errSuccess {
		return true, en, 0, false
	}
	read := sub.tag == eventFdRead
	switch e.kind {
	case kindFile:
		if e.isDir {
			return true, errBadf, 0, false
		}
		if e.poll != nil {
			if !read {
				return true, errSuccess, 0, false
			}
			ready, se := e.poll.Poll(experimentalsys.POLLIN, 0)
			for se == experimentalsys.EINTR {
				// A signal (Go's preemption sends SIGURG) interrupted
				// the host poll: that says nothing about the file, and
				// a zero-timeout poll is simply asked again.
				ready, se = e.poll.Poll(experimentalsys.POLLIN, 0)
			}
			if se != 0 {
				return true, fromSys(se), 0, false
			}
			return ready, errSuccess, 0, false
		}
		if read {
			st, se := e.file.Stat()
			pos, se2 := e.file.Seek(0, 1)
			if se == 0 && se2 == 0 && st.Size > pos {
				nbytes = uint64(st.Size - pos)
			}
		}
		return true, errSuccess, nbytes, false
	case kindStdin:
		if !read {
			return true, errBadf, 0, false
		}
		if e.r.ready() {
			return true, errSuccess, uint64(e.r.buffered()), e.r.buffered() == 0
		}
		return false, 0, 0, false
	case kindStdout:
		if read {
			return true, errBadf, 0, false
		}
		return true, errSuccess, 0, false
	case kindConn:
		if !read {
			return true, errSuccess, 0, false
		}
		if e.r.ready() {
			return true, errSuccess, uint64(e.r.buffered()), e.r.buffered() == 0
		}
		return false, 0, 0, false
	case kindListener:
		if !read {
			return true, errBadf, 0, false
		}
		return e.ln.ready(), errSuccess, 0, false
	}
	return true, errBadf, 0, false
}

// waitAny blocks until one of the pending fd subscriptions becomes ready,
// the timer fires, or ctx is done (then it returns the interruption).
func (s *state) waitAny(ctx context.Context, subs []subscription, timer <-chan time.Time) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wake := make(chan struct{}, len(subs)+1)
	for i := range subs {
		sub := &subs[i]
		if sub.tag != eventFdRead || sub.err != errSuccess {
			continue
		}
		e, en := s.lookup(sub.fd)
		if en != errSuccess {
			continue
		}
		var w func(context.Context, <-chan time.Time)
		switch e.kind {
		case kindStdin, kindConn:
			w = e.r.wait
		case kindListener:
			w = e.ln.wait
		case kindFile:
			if e.poll == nil {
				continue
			}
			p := e.poll
			w = func(ctx context.Context, _ <-chan time.Time) { pollWait(ctx, p) }
		default:
			continue
		}
		go func() {
			w(wctx, nil)
			wake <- struct{}{}
		}()
	}
	select {
	case <-wake:
	case <-timer:
	case <-ctx.Done():
		return interrupted(ctx)
	}
	return nil
}

// --- sockets ---

const (
	riflagRecvPeek    = 1
	riflagRecvWaitall = 2
	sdflagRd          = 1
	sdflagWr          = 2
)

// sock_accept(fd, flags, result.fd) on a preopened listener. It blocks
// unless the listener or flags is non-blocking (then EAGAIN).
func sockAccept(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	flags := uint16(c.u32(1))
	if flags&^fdflagNonblock != 0 {
		return errInval, nil
	}
	if e.kind != kindListener {
		if e.kind == kindConn {
			return errInval, nil
		}
		return errNotsock, nil
	}
	conn, en, err := e.ln.accept(c.ctx, e.flags&fdflagNonblock == 0)
	if err != nil || en != errSuccess {
		return en, err
	}
	fd := s.add(&fdEntry{kind: kindConn, conn: conn, r: newReadAhead(conn), w: conn, flags: flags, rights: rightsSock})
	if !c.putU32(c.u32(2), fd) {
		return errFault, nil
	}
	return errSuccess, nil
}

func (s *state) connOf(fd uint32) (*fdEntry, errno) {
	e, en := s.lookup(fd)
	if en != errSuccess {
		return nil, en
	}
	switch e.kind {
	case kindConn:
		return e, errSuccess
	case kindListener:
		return nil, errNotconn
	}
	return nil, errNotsock
}

// sock_recv(fd, ri_data, ri_data_len, ri_flags, ro_datalen, ro_flags).
func sockRecv(s *state, c *call) (errno, error) {
	e, en := s.connOf(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	iovs, ok := c.iovecs(c.u32(1), c.u32(2))
	if !ok {
		return errFault, nil
	}
	flags := c.u32(3)
	if flags&^(riflagRecvPeek|riflagRecvWaitall) != 0 {
		return errInval, nil
	}
	total := min(iovTotal(iovs), maxIO)
	buf := s.buffer(total)
	block := e.flags&fdflagNonblock == 0
	n := 0
	for {
		k, en, err := e.r.read(c.ctx, [][]byte{buf[n:]}, block, flags&riflagRecvPeek != 0)
		if err != nil {
			return 0, err
		}
		if en != errSuccess {
			if n > 0 && en == errAgain {
				break
			}
			return en, nil
		}
		n += k
		if k == 0 || flags&riflagRecvWaitall == 0 || n == total || flags&riflagRecvPeek != 0 {
			break
		}
	}
	scatter(c, iovs, buf[:n])
	if !c.putU32(c.u32(4), uint32(n)) || !c.putU32(c.u32(5), 0) {
		return errFault, nil
	}
	return errSuccess, nil
}

// sock_send(fd, si_data, si_data_len, si_flags, so_datalen).
func sockSend(s *state, c *call) (errno, error) {
	e, en := s.connOf(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	iovs, ok := c.iovecs(c.u32(1), c.u32(2))
	if !ok {
		return errFault, nil
	}
	if c.u32(3) != 0 {
		return errInval, nil // no siflags are defined
	}
	n, en := s.writeFrom(c, e, iovs, 0, false)
	if en != errSuccess {
		return en, nil
	}
	if !c.putU32(c.u32(4), uint32(n)) {
		return errFault, nil
	}
	return errSuccess, nil
}

// sock_shutdown(fd, how).
func sockShutdown(s *state, c *call) (errno, error) {
	e, en := s.connOf(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	how := c.u32(1)
	if how == 0 || how&^(sdflagRd|sdflagWr) != 0 {
		return errInval, nil
	}
	type halfCloser interface {
		CloseRead() error
		CloseWrite() error
	}
	hc, ok := e.conn.(halfCloser)
	if !ok {
		if how == sdflagRd|sdflagWr {
			_ = e.conn.Close()
			return errSuccess, nil
		}
		return errNotsup, nil
	}
	if how&sdflagRd != 0 {
		if err := hc.CloseRead(); err != nil {
			return errNotconn, nil
		}
	}
	if how&sdflagWr != 0 {
		if err := hc.CloseWrite(); err != nil {
			return errNotconn, nil
		}
	}
	return errSuccess, nil
}
