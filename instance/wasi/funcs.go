package wasi

import (
	"encoding/binary"
	"io"
	"io/fs"
	"os"
	"runtime"

	"github.com/tetratelabs/wazero/api"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
)

// maxIO bounds the bytes one fd_read / fd_pread / sock_recv moves (a short
// read is always allowed), so a guest cannot make the host allocate its
// whole address space.
const maxIO = 4 << 20

// functions is every function of wasi_snapshot_preview1, in the spec's
// order.
var functions = []hostFunc{
	{"args_get", []api32{i32, i32}, res, argsGet},
	{"args_sizes_get", []api32{i32, i32}, res, argsSizesGet},
	{"environ_get", []api32{i32, i32}, res, environGet},
	{"environ_sizes_get", []api32{i32, i32}, res, environSizesGet},
	{"clock_res_get", []api32{i32, i32}, res, clockResGet},
	{"clock_time_get", []api32{i32, i64, i32}, res, clockTimeGet},
	{"fd_advise", []api32{i32, i64, i64, i32}, res, fdAdvise},
	{"fd_allocate", []api32{i32, i64, i64}, res, fdAllocate},
	{"fd_close", []api32{i32}, res, fdClose},
	{"fd_datasync", []api32{i32}, res, fdDatasync},
	{"fd_fdstat_get", []api32{i32, i32}, res, fdFdstatGet},
	{"fd_fdstat_set_flags", []api32{i32, i32}, res, fdFdstatSetFlags},
	{"fd_fdstat_set_rights", []api32{i32, i64, i64}, res, fdFdstatSetRights},
	{"fd_filestat_get", []api32{i32, i32}, res, fdFilestatGet},
	{"fd_filestat_set_size", []api32{i32, i64}, res, fdFilestatSetSize},
	{"fd_filestat_set_times", []api32{i32, i64, i64, i32}, res, fdFilestatSetTimes},
	{"fd_pread", []api32{i32, i32, i32, i64, i32}, res, fdRW(false, true)},
	{"fd_prestat_get", []api32{i32, i32}, res, fdPrestatGet},
	{"fd_prestat_dir_name", []api32{i32, i32, i32}, res, fdPrestatDirName},
	{"fd_pwrite", []api32{i32, i32, i32, i64, i32}, res, fdRW(true, true)},
	{"fd_read", []api32{i32, i32, i32, i32}, res, fdRW(false, false)},
	{"fd_readdir", []api32{i32, i32, i32, i64, i32}, res, fdReaddir},
	{"fd_renumber", []api32{i32, i32}, res, fdRenumber},
	{"fd_seek", []api32{i32, i64, i32, i32}, res, fdSeek},
	{"fd_sync", []api32{i32}, res, fdSync},
	{"fd_tell", []api32{i32, i32}, res, fdTell},
	{"fd_write", []api32{i32, i32, i32, i32}, res, fdRW(true, false)},
	{"path_create_directory", []api32{i32, i32, i32}, res, pathCreateDirectory},
	{"path_filestat_get", []api32{i32, i32, i32, i32, i32}, res, pathFilestatGet},
	{"path_filestat_set_times", []api32{i32, i32, i32, i32, i64, i64, i32}, res, pathFilestatSetTimes},
	{"path_link", []api32{i32, i32, i32, i32, i32, i32, i32}, res, pathLink},
	{"path_open", []api32{i32, i32, i32, i32, i32, i64, i64, i32, i32}, res, pathOpen},
	{"path_readlink", []api32{i32, i32, i32, i32, i32, i32}, res, pathReadlink},
	{"path_remove_directory", []api32{i32, i32, i32}, res, pathRemoveDirectory},
	{"path_rename", []api32{i32, i32, i32, i32, i32, i32}, res, pathRename},
	{"path_symlink", []api32{i32, i32, i32, i32, i32}, res, pathSymlink},
	{"path_unlink_file", []api32{i32, i32, i32}, res, pathUnlinkFile},
	{"poll_oneoff", []api32{i32, i32, i32, i32}, res, pollOneoff},
	{"proc_exit", []api32{i32}, nil, procExit},
	{"proc_raise", []api32{i32}, res, procRaise},
	{"sched_yield", nil, res, schedYield},
	{"random_get", []api32{i32, i32}, res, randomGet},
	{"sock_accept", []api32{i32, i32, i32}, res, sockAccept},
	{"sock_recv", []api32{i32, i32, i32, i32, i32, i32}, res, sockRecv},
	{"sock_send", []api32{i32, i32, i32, i32, i32}, res, sockSend},
	{"sock_shutdown", []api32{i32, i32}, res, sockShutdown},
}

var res = []api32{i32}

type api32 = api.ValueType

// --- args and environ ---

// putStrings writes a NUL-terminated copy of each string to buf and a
// pointer to each into ptrs (args_get, environ_get).
func putStrings(c *call, list []string, ptrs, buf uint32) errno {
	for _, a := range list {
		if !c.putU32(ptrs, buf) || !c.write(buf, append([]byte(a), 0)) {
			return errFault
		}
		ptrs += 4
		buf += uint32(len(a)) + 1
	}
	return errSuccess
}

func putSizes(c *call, list []string, countp, sizep uint32) errno {
	n := 0
	for _, a := range list {
		n += len(a) + 1
	}
	if !c.putU32(countp, uint32(len(list))) || !c.putU32(sizep, uint32(n)) {
		return errFault
	}
	return errSuccess
}

func argsGet(s *state, c *call) (errno, error) { return putStrings(c, s.args, c.u32(0), c.u32(1)), nil }
func argsSizesGet(s *state, c *call) (errno, error) {
	return putSizes(c, s.args, c.u32(0), c.u32(1)), nil
}
func environGet(s *state, c *call) (errno, error) {
	return putStrings(c, s.env, c.u32(0), c.u32(1)), nil
}
func environSizesGet(s *state, c *call) (errno, error) {
	return putSizes(c, s.env, c.u32(0), c.u32(1)), nil
}

// --- clocks ---

const (
	clockRealtime = iota
	clockMonotonic
	clockProcessCPUTime
	clockThreadCPUTime
)

func clockResGet(s *state, c *call) (errno, error) {
	var r uint64
	switch c.u32(0) {
	case clockRealtime, clockMonotonic:
		r = 1
	case clockProcessCPUTime, clockThreadCPUTime:
		if cpuTime() < 0 {
			return errNotsup, nil
		}
		r = 1000
	default:
		return errInval, nil
	}
	if !c.putU64(c.u32(1), r) {
		return errFault, nil
	}
	return errSuccess, nil
}

func (s *state) now(id uint32) (int64, errno) {
	switch id {
	case clockRealtime:
		return s.cfg.Walltime(), errSuccess
	case clockMonotonic:
		return s.cfg.Nanotime(), errSuccess
	case clockProcessCPUTime, clockThreadCPUTime:
		// The guest runs on one goroutine, so its thread and the process
		// are the same thing for it: the process's CPU time.
		if t := cpuTime(); t >= 0 {
			return t, errSuccess
		}
		return 0, errNotsup
	}
	return 0, errInval
}

func clockTimeGet(s *state, c *call) (errno, error) {
	t, e := s.now(c.u32(0))
	if e != errSuccess {
		return e, nil
	}
	if !c.putU64(c.u32(2), uint64(t)) {
		return errFault, nil
	}
	return errSuccess, nil
}

// --- descriptors ---

// fileOf returns the open file of a mount descriptor: EBADF if fd is not
// open, wantKind's errno if it is a stream.
func (s *state) fileOf(fd uint32) (*fdEntry, errno) {
	e, en := s.lookup(fd)
	if en != errSuccess {
		return nil, en
	}
	if e.kind != kindFile {
		return nil, errSpipe
	}
	return e, errSuccess
}

func fdAdvise(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	if c.u32(3) > 5 {
		return errInval, nil
	}
	if e.kind != kindFile {
		return errSpipe, nil
	}
	if e.isDir {
		return errBadf, nil
	}
	return errSuccess, nil // advice is only a hint
}

func fdAllocate(s *state, c *call) (errno, error) {
	e, en := s.fileOf(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	if e.isDir {
		return errBadf, nil
	}
	off, n := c.i64(1), c.i64(2)
	if off < 0 || n <= 0 || off+n < 0 {
		return errInval, nil
	}
	st, se := e.file.Stat()
	if se != 0 {
		return fromSys(se), nil
	}
	if end := off + n; end > st.Size {
		return fromSys(e.file.Truncate(end)), nil
	}
	return errSuccess, nil
}

func fdClose(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	s.del(c.u32(0))
	return fromSys(s.closeEntry(e)), nil
}

func fdDatasync(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	if e.kind != kindFile {
		return errInval, nil
	}
	return fromSys(e.file.Datasync()), nil
}

func fdSync(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	if e.kind != kindFile {
		return errInval, nil
	}
	return fromSys(e.file.Sync()), nil
}

// filetype returns the WASI filetype of a descriptor.
func (s *state) filetype(e *fdEntry) uint8 {
	switch e.kind {
	case kindStdin, kindStdout:
		return stdioType(e)
	case kindListener, kindConn:
		return ftSocketStream
	}
	if e.isDir {
		return ftDirectory
	}
	st, se := e.file.Stat()
	if se != 0 {
		return ftUnknown
	}
	return modeType(st.Mode)
}

// stdioType is the filetype of a stream: an *os.File's own (a terminal or
// /dev/null is a character device, a pipe unknown, a file a regular
// file), and unknown for other readers and writers (like a pipe).
func stdioType(e *fdEntry) uint8 {
	var f any = e.w
	if e.r != nil {
		f = e.r.r
	}
	if osf, ok := f.(*os.File); ok {
		if fi, err := osf.Stat(); err == nil {
			return modeType(fi.Mode())
		}
	}
	return ftUnknown
}

func modeType(m fs.FileMode) uint8 {
	switch {
	case m.IsDir():
		return ftDirectory
	case m&fs.ModeSymlink != 0:
		return ftSymlink
	case m&fs.ModeSocket != 0:
		return ftSocketStream
	case m&fs.ModeCharDevice != 0:
		return ftCharDevice
	case m&fs.ModeDevice != 0:
		return ftBlockDevice
	case m.IsRegular():
		return ftRegularFile
	}
	return ftUnknown
}

func fdFdstatGet(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	var b [24]byte
	b[0] = s.filetype(e)
	flags := e.flags
	if e.kind == kindFile && !e.isDir && e.file.IsAppend() {
		flags |= fdflagAppend
	}
	binary.LittleEndian.PutUint16(b[2:], flags)
	binary.LittleEndian.PutUint64(b[8:], e.rights)
	binary.LittleEndian.PutUint64(b[16:], e.rightsInherit)
	if !c.write(c.u32(1), b[:]) {
		return errFault, nil
	}
	return errSuccess, nil
}

func fdFdstatSetFlags(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	flags := uint16(c.u32(1))
	if flags&^(fdflagAppend|fdflagDsync|fdflagNonblock|fdflagRsync|fdflagSync) != 0 {
		return errInval, nil
	}
	if flags&(fdflagDsync|fdflagRsync|fdflagSync) != 0 {
		return errNotsup, nil // synchronized I/O can only be asked for at path_open
	}
	if e.kind == kindFile && !e.isDir {
		// Only on a change: wazero's files reopen themselves to change
		// O_APPEND, which a FIFO does not survive.
		if app := flags&fdflagAppend != 0; app != e.file.IsAppend() {
			if se := e.file.SetAppend(app); se != 0 {
				return fromSys(se), nil
			}
		}
		// O_NONBLOCK on the host file, so that a read of a FIFO with no
		// data fails with EAGAIN instead of blocking the guest (Go's
		// wasip1 runtime sets it on every file it opens, then polls).
		if (flags^e.flags)&fdflagNonblock != 0 {
			if pf, ok := e.file.(experimentalsys.PollableFile); ok {
				if se := pf.SetNonblock(flags&fdflagNonblock != 0); se != 0 && se != experimentalsys.ENOSYS {
					return fromSys(se), nil
				}
			}
		}
	}
	e.flags = flags
	return errSuccess, nil
}

func fdFdstatSetRights(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	base, inh := c.u64(1), c.u64(2)
	if base&^e.rights != 0 || inh&^e.rightsInherit != 0 {
		return errNotcapable, nil // rights can only shrink
	}
	e.rights, e.rightsInherit = base, inh
	return errSuccess, nil
}

// putFilestat writes a 64-byte filestat.
func putFilestat(c *call, off uint32, st sys.Stat_t, ft uint8) errno {
	var b [64]byte
	binary.LittleEndian.PutUint64(b[0:], st.Dev)
	binary.LittleEndian.PutUint64(b[8:], st.Ino)
	b[16] = ft
	binary.LittleEndian.PutUint64(b[24:], st.Nlink)
	binary.LittleEndian.PutUint64(b[32:], uint64(st.Size))
	binary.LittleEndian.PutUint64(b[40:], uint64(st.Atim))
	binary.LittleEndian.PutUint64(b[48:], uint64(st.Mtim))
	binary.LittleEndian.PutUint64(b[56:], uint64(st.Ctim))
	if !c.write(off, b[:]) {
		return errFault
	}
	return errSuccess
}

func fdFilestatGet(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	if e.kind != kindFile {
		return putFilestat(c, c.u32(1), sys.Stat_t{}, s.filetype(e)), nil
	}
	st, se := e.file.Stat()
	if se != 0 {
		return fromSys(se), nil
	}
	return putFilestat(c, c.u32(1), st, modeType(st.Mode)), nil
}

func fdFilestatSetSize(s *state, c *call) (errno, error) {
	e, en := s.fileOf(c.u32(0))
	if en != errSuccess {
		if en == errSpipe {
			en = errInval
		}
		return en, nil
	}
	if c.i64(1) < 0 {
		return errInval, nil
	}
	return fromSys(e.file.Truncate(c.i64(1))), nil
}

// fstflags.
const (
	fstAtim = 1 << iota
	fstAtimNow
	fstMtim
	fstMtimNow
)

// times converts set_times arguments to Utimens arguments.
func (s *state) times(atim, mtim int64, flags uint32) (int64, int64, errno) {
	if flags&^(fstAtim|fstAtimNow|fstMtim|fstMtimNow) != 0 ||
		flags&(fstAtim|fstAtimNow) == fstAtim|fstAtimNow || flags&(fstMtim|fstMtimNow) == fstMtim|fstMtimNow {
		return 0, 0, errInval
	}
	now := s.cfg.Walltime()
	a, m := experimentalsys.UTIME_OMIT, experimentalsys.UTIME_OMIT
	switch {
	case flags&fstAtim != 0:
		a = atim
	case flags&fstAtimNow != 0:
		a = now
	}
	switch {
	case flags&fstMtim != 0:
		m = mtim
	case flags&fstMtimNow != 0:
		m = now
	}
	return a, m, errSuccess
}

func fdFilestatSetTimes(s *state, c *call) (errno, error) {
	e, en := s.fileOf(c.u32(0))
	if en != errSuccess {
		if en == errSpipe {
			en = errInval
		}
		return en, nil
	}
	a, m, en := s.times(c.i64(1), c.i64(2), c.u32(3))
	if en != errSuccess {
		return en, nil
	}
	return fromSys(e.file.Utimens(a, m)), nil
}

// readInto reads from a descriptor into iovs: files read at the offset
// (pread) or from the cursor; streams block unless non-blocking.
func (s *state) readInto(c *call, e *fdEntry, iovs [][2]uint32, off int64, positioned bool) (int, errno, error) {
	total := min(iovTotal(iovs), maxIO)
	switch e.kind {
	case kindFile:
		if e.isDir {
			return 0, errIsdir, nil
		}
		buf := s.buffer(total)
		var n int
		var se experimentalsys.Errno
		if positioned {
			n, se = e.file.Pread(buf, off)
		} else {
			n, se = e.file.Read(buf)
		}
		if se != 0 {
			return 0, fromSys(se), nil
		}
		scatter(c, iovs, buf[:n])
		return n, errSuccess, nil
	case kindStdin, kindConn:
		if positioned {
			return 0, errSpipe, nil
		}
		buf := s.buffer(total)
		n, en, err := e.r.read(c.ctx, [][]byte{buf}, e.flags&fdflagNonblock == 0, false)
		if err != nil || en != errSuccess {
			return 0, en, err
		}
		scatter(c, iovs, buf[:n])
		return n, errSuccess, nil
	case kindListener:
		return 0, errNotconn, nil
	}
	return 0, errBadf, nil
}

// writeFrom writes iovs to a descriptor.
func (s *state) writeFrom(c *call, e *fdEntry, iovs [][2]uint32, off int64, positioned bool) (int, errno) {
	buf := s.gather(c, iovs)
	switch e.kind {
	case kindFile:
		if e.isDir {
			return 0, errIsdir
		}
		var n int
		var se experimentalsys.Errno
		if positioned {
			n, se = e.file.Pwrite(buf, off)
		} else {
			n, se = e.file.Write(buf)
		}
		return n, fromSys(se)
	case kindStdout, kindConn:
		if positioned {
			return 0, errSpipe
		}
		n, err := e.w.Write(buf)
		if err != nil {
			if n > 0 {
				return n, errSuccess
			}
			return 0, errIo
		}
		return n, errSuccess
	case kindStdin:
		return 0, errBadf
	}
	return 0, errNotconn
}

func fdPrestatGet(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	if e.preopen == "" {
		return errBadf, nil
	}
	var b [8]byte // tag 0 (dir), then u32 name length
	binary.LittleEndian.PutUint32(b[4:], uint32(len(e.preopen)))
	if !c.write(c.u32(1), b[:]) {
		return errFault, nil
	}
	return errSuccess, nil
}

func fdPrestatDirName(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	if e.preopen == "" {
		return errBadf, nil
	}
	if c.u32(2) < uint32(len(e.preopen)) {
		return errNametoolong, nil
	}
	if !c.write(c.u32(1), []byte(e.preopen)) {
		return errFault, nil
	}
	return errSuccess, nil
}

// fd_readdir writes dirent records (24-byte header + name) from the
// entry at index cookie on. The listing starts with "." and ".."; cookie
// 0 re-reads the directory.
func fdReaddir(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	if e.kind != kindFile || !e.isDir {
		return errBadf, nil // not open for reading a directory (wazero and Wasmtime agree)
	}
	buf, bufLen, cookie := c.u32(1), c.u32(2), c.u64(3)
	if _, ok := c.read(buf, bufLen); !ok {
		return errFault, nil
	}
	if cookie == 0 || e.dirents == nil {
		d, se := e.mount.fs.OpenFile(pathOr(e.path), experimentalsys.O_RDONLY|experimentalsys.O_DIRECTORY, 0)
		if se != 0 {
			return fromSys(se), nil
		}
		list, se := d.Readdir(-1)
		d.Close()
		if se != 0 {
			return fromSys(se), nil
		}
		ino, _ := e.file.Ino()
		e.dirents = append([]experimentalsys.Dirent{{Name: ".", Ino: ino, Type: fs.ModeDir}, {Name: "..", Type: fs.ModeDir}}, list...)
	}
	if cookie > uint64(len(e.dirents)) {
		return errInval, nil
	}
	out := s.scratch[:0]
	for i := cookie; i < uint64(len(e.dirents)) && uint32(len(out)) < bufLen; i++ {
		d := e.dirents[i]
		var h [24]byte
		binary.LittleEndian.PutUint64(h[0:], i+1)
		binary.LittleEndian.PutUint64(h[8:], d.Ino)
		binary.LittleEndian.PutUint32(h[16:], uint32(len(d.Name)))
		h[20] = modeType(d.Type)
		if d.Type == 0 {
			h[20] = ftRegularFile
		}
		out = append(out, h[:]...)
		out = append(out, d.Name...)
	}
	s.scratch = out[:0]
	n := min(uint32(len(out)), bufLen)
	c.write(buf, out[:n])
	if !c.putU32(c.u32(4), n) {
		return errFault, nil
	}
	return errSuccess, nil
}

func pathOr(p string) string {
	if p == "" {
		return "."
	}
	return p
}

func fdRenumber(s *state, c *call) (errno, error) {
	from, to := c.u32(0), c.u32(1)
	e, en := s.lookup(from)
	if en != errSuccess {
		return en, nil
	}
	old, en := s.lookup(to)
	if en != errSuccess {
		return en, nil
	}
	if from == to {
		return errSuccess, nil
	}
	s.closeEntry(old)
	s.fds[to] = e // open: the count stays
	s.del(from)
	return errSuccess, nil
}

func fdSeek(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	whence := c.u32(2)
	if whence > io.SeekEnd {
		return errInval, nil
	}
	if e.kind != kindFile {
		return errSpipe, nil
	}
	if e.isDir {
		return errIsdir, nil
	}
	off, se := e.file.Seek(c.i64(1), int(whence))
	if se != 0 {
		return fromSys(se), nil
	}
	if !c.putU64(c.u32(3), uint64(off)) {
		return errFault, nil
	}
	return errSuccess, nil
}

func fdTell(s *state, c *call) (errno, error) {
	e, en := s.lookup(c.u32(0))
	if en != errSuccess {
		return en, nil
	}
	if e.kind != kindFile {
		return errSpipe, nil
	}
	if e.isDir {
		return errIsdir, nil
	}
	off, se := e.file.Seek(0, io.SeekCurrent)
	if se != 0 {
		return fromSys(se), nil
	}
	if !c.putU64(c.u32(1), uint64(off)) {
		return errFault, nil
	}
	return errSuccess, nil
}

// --- paths ---

// guestPath reads a path argument.
func (c *call) path(off, n uint32) (string, errno) {
	b, ok := c.read(off, n)
	if !ok {
		return "", errFault
	}
	return string(b), errSuccess
}

// resolveArg reads and resolves the path at (pathIdx, pathIdx+1) against
// the directory descriptor at dirIdx.
func (s *state) resolveArg(c *call, dirIdx, pathIdx int, follow bool) (resolved, errno) {
	p, en := c.path(c.u32(pathIdx), c.u32(pathIdx+1))
	if en != errSuccess {
		return resolved{}, en
	}
	return s.resolve(c.u32(dirIdx), p, follow)
}

const lookupSymlinkFollow = 1

func pathCreateDirectory(s *state, c *call) (errno, error) {
	r, en := s.resolveArg(c, 0, 1, false)
	if en != errSuccess {
		return en, nil
	}
	return fromSys(r.mount.fs.Mkdir(r.fsPath(), 0o777)), nil
}

func (s *state) statPath(r resolved, follow bool) (sys.Stat_t, errno) {
	var st sys.Stat_t
	var se experimentalsys.Errno
	if follow {
		st, se = r.mount.fs.Stat(r.fsPath())
	} else {
		st, se = r.mount.fs.Lstat(r.fsPath())
	}
	if se != 0 {
		return st, fromSys(se)
	}
	if r.dir && !st.Mode.IsDir() {
		return st, errNotdir
	}
	return st, errSuccess
}

func pathFilestatGet(s *state, c *call) (errno, error) {
	follow := c.u32(1)&lookupSymlinkFollow != 0
	r, en := s.resolveArg(c, 0, 2, follow)
	if en != errSuccess {
		return en, nil
	}
	st, en := s.statPath(r, follow)
	if en != errSuccess {
		return en, nil
	}
	return putFilestat(c, c.u32(4), st, modeType(st.Mode)), nil
}

func pathFilestatSetTimes(s *state, c *call) (errno, error) {
	follow := c.u32(1)&lookupSymlinkFollow != 0
	r, en := s.resolveArg(c, 0, 2, follow)
	if en != errSuccess {
		return en, nil
	}
	a, m, en := s.times(c.i64(4), c.i64(5), c.u32(6))
	if en != errSuccess {
		return en, nil
	}
	if _, en := s.statPath(r, follow); en != errSuccess {
		return en, nil
	}
	if !follow {
		// Utimens follows symlinks; the last component is not one only
		// when it is not a symlink.
		if st, _ := r.mount.fs.Lstat(r.fsPath()); st.Mode&fs.ModeSymlink != 0 {
			return errNotsup, nil
		}
	}
	return fromSys(r.mount.fs.Utimens(r.fsPath(), a, m)), nil
}

func pathLink(s *state, c *call) (errno, error) {
	follow := c.u32(1)&lookupSymlinkFollow != 0
	from, en := s.resolveArg(c, 0, 2, follow)
	if en != errSuccess {
		return en, nil
	}
	to, en := s.resolveArg(c, 4, 5, false)
	if en != errSuccess {
		return en, nil
	}
	if from.mount != to.mount {
		return errXdev, nil
	}
	return fromSys(to.mount.fs.Link(from.fsPath(), to.fsPath())), nil
}

// oflags.
const (
	oflagCreat = 1 << iota
	oflagDirectory
	oflagExcl
	oflagTrunc
)

func pathOpen(s *state, c *call) (errno, error) {
	dirfd := c.u32(0)
	follow := c.u32(1)&lookupSymlinkFollow != 0
	oflags, base, inherit, fdflags := c.u32(4), c.u64(5), c.u64(6), uint16(c.u32(7))
	parent, en := s.lookup(dirfd)
	if en != errSuccess {
		return en, nil
	}
	r, en := s.resolveArg(c, 0, 2, follow)
	if en != errSuccess {
		return en, nil
	}
	if oflags&^(oflagCreat|oflagDirectory|oflagExcl|oflagTrunc) != 0 {
		return errInval, nil
	}
	// The access mode comes from the rights the guest asks for (wasi-libc
	// passes FD_READ and/or FD_WRITE for O_RDONLY, O_WRONLY, O_RDWR); a
	// guest that asks for neither gets read-write when it creates,
	// truncates or appends, read-only otherwise (as wazero does).
	var flag experimentalsys.Oflag
	switch {
	case base&rightFdWrite != 0 && base&rightFdRead != 0:
		flag = experimentalsys.O_RDWR
	case base&rightFdWrite != 0:
		flag = experimentalsys.O_WRONLY
	case base&rightFdRead != 0:
		flag = experimentalsys.O_RDONLY
	case oflags&(oflagCreat|oflagTrunc) != 0 || fdflags&fdflagAppend != 0:
		flag = experimentalsys.O_RDWR
	default:
		flag = experimentalsys.O_RDONLY
	}
	if oflags&oflagCreat != 0 {
		flag |= experimentalsys.O_CREAT
	}
	if oflags&oflagDirectory != 0 || r.dir {
		flag |= experimentalsys.O_DIRECTORY
	}
	if oflags&oflagExcl != 0 {
		flag |= experimentalsys.O_EXCL
	}
	if oflags&oflagTrunc != 0 {
		flag |= experimentalsys.O_TRUNC
	}
	if !follow {
		flag |= experimentalsys.O_NOFOLLOW
	}
	if fdflags&fdflagAppend != 0 {
		flag |= experimentalsys.O_APPEND
	}
	if fdflags&fdflagDsync != 0 {
		flag |= experimentalsys.O_DSYNC
	}
	if fdflags&fdflagRsync != 0 {
		flag |= experimentalsys.O_RSYNC
	}
	if fdflags&fdflagSync != 0 {
		flag |= experimentalsys.O_SYNC
	}
	if fdflags&fdflagNonblock != 0 {
		// Also makes opening a FIFO for reading return at once when it
		// has no writer yet.
		flag |= experimentalsys.O_NONBLOCK
	}
	if flag&experimentalsys.O_DIRECTORY != 0 && flag&(experimentalsys.O_WRONLY|experimentalsys.O_RDWR) != 0 {
		// A directory cannot be opened for writing; retry read-only
		// only if it is one (for the right errno otherwise).
		flag &^= experimentalsys.O_WRONLY | experimentalsys.O_RDWR
	}
	f, se := r.mount.fs.OpenFile(r.fsPath(), flag, 0o666)
	if se != 0 {
		if se == experimentalsys.EISDIR && flag&(experimentalsys.O_WRONLY|experimentalsys.O_RDWR) != 0 {
			return errIsdir, nil
		}
		return fromSys(se), nil
	}
	isDir, se := f.IsDir()
	if se != 0 {
		f.Close()
		return fromSys(se), nil
	}
	if oflags&oflagDirectory != 0 && !isDir {
		f.Close()
		return errNotdir, nil
	}
	e := &fdEntry{kind: kindFile, file: f, mount: r.mount, path: r.rel, isDir: isDir,
		flags: fdflags &^ fdflagAppend}
	if !isDir {
		if st, se := f.Stat(); se == 0 && st.Mode&(fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice) != 0 {
			e.poll, _ = f.(experimentalsys.Pollable)
		}
	}
	if isDir {
		e.rights, e.rightsInherit = rightsDir&(base|parent.rightsInherit), parent.rightsInherit
	} else {
		e.rights, e.rightsInherit = rightsFile&base, inherit
	}
	fd := s.add(e)
	if !c.putU32(c.u32(8), fd) {
		s.del(fd)
		f.Close()
		return errFault, nil
	}
	return errSuccess, nil
}

func pathReadlink(s *state, c *call) (errno, error) {
	r, en := s.resolveArg(c, 0, 1, false)
	if en != errSuccess {
		return en, nil
	}
	target, se := r.mount.fs.Readlink(r.fsPath())
	if se != 0 {
		return fromSys(se), nil
	}
	n := min(uint32(len(target)), c.u32(4))
	if !c.write(c.u32(3), []byte(target[:n])) || !c.putU32(c.u32(5), n) {
		return errFault, nil
	}
	return errSuccess, nil
}

func pathRemoveDirectory(s *state, c *call) (errno, error) {
	r, en := s.resolveArg(c, 0, 1, false)
	if en != errSuccess {
		return en, nil
	}
	switch {
	case r.rel == "":
		return errBusy, nil // the mount's root
	case r.dot:
		return errInval, nil // rmdir(2): "." or ".." as the last component
	}
	return fromSys(r.mount.fs.Rmdir(r.fsPath())), nil
}

func pathRename(s *state, c *call) (errno, error) {
	from, en := s.resolveArg(c, 0, 1, false)
	if en != errSuccess {
		return en, nil
	}
	to, en := s.resolveArg(c, 3, 4, false)
	if en != errSuccess {
		return en, nil
	}
	if from.mount != to.mount {
		return errXdev, nil
	}
	if from.rel == "" || to.rel == "" || from.dot || to.dot {
		return errBusy, nil // a mount's root, or a directory named by "." or ".."
	}
	return fromSys(to.mount.fs.Rename(from.fsPath(), to.fsPath())), nil
}

func pathSymlink(s *state, c *call) (errno, error) {
	target, en := c.path(c.u32(0), c.u32(1))
	if en != errSuccess {
		return en, nil
	}
	r, en := s.resolveArg(c, 2, 3, false)
	if en != errSuccess {
		return en, nil
	}
	return fromSys(r.mount.fs.Symlink(target, r.fsPath())), nil
}

func pathUnlinkFile(s *state, c *call) (errno, error) {
	r, en := s.resolveArg(c, 0, 1, false)
	if en != errSuccess {
		return en, nil
	}
	if r.dot || r.rel == "" {
		return errIsdir, nil // "." or "..", or a mount's root: a directory
	}
	if r.dir {
		if st, se := r.mount.fs.Lstat(r.fsPath()); se == 0 && st.Mode.IsDir() {
			return errIsdir, nil
		}
		return errNotdir, nil
	}
	return fromSys(r.mount.fs.Unlink(r.fsPath())), nil
}

// --- processes ---

func procExit(s *state, c *call) (errno, error) {
	return 0, sys.NewExitError(c.u32(0))
}

// proc_raise: signals whose default action is to terminate end the guest
// as a shell reports a process killed by a signal (exit code 128+n);
// signals ignored by default are ignored; stop signals are ENOTSUP (there
// is no job control).
func procRaise(s *state, c *call) (errno, error) {
	sig := c.u32(0)
	switch {
	case sig == 0:
		return errSuccess, nil
	case sig > 30:
		return errInval, nil
	case sig == 16 || sig == 17 || sig == 22 || sig == 27: // CHLD, CONT, URG, WINCH
		return errSuccess, nil
	case sig >= 18 && sig <= 21: // STOP, TSTP, TTIN, TTOU
		return errNotsup, nil
	}
	// WASI numbers HUP..TERM (1..15) as Linux does.
	return 0, sys.NewExitError(128 + sig)
}

func schedYield(s *state, c *call) (errno, error) {
	runtime.Gosched()
	return errSuccess, nil
}

func randomGet(s *state, c *call) (errno, error) {
	buf, n := c.u32(0), c.u32(1)
	if _, ok := c.read(buf, n); !ok {
		return errFault, nil
	}
	b := s.buffer(int(n))
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		return errIo, nil
	}
	c.write(buf, b)
	return errSuccess, nil
}

// fdRW implements fd_read, fd_pread, fd_write and fd_pwrite: (fd, iovs,
// iovs_len[, offset], nread/nwritten pointer), the offset only for the
// positioned forms.
func fdRW(write, positioned bool) func(*state, *call) (errno, error) {
	return func(s *state, c *call) (errno, error) {
		e, en := s.lookup(c.u32(0))
		if en != errSuccess {
			return en, nil
		}
		iovs, ok := c.iovecs(c.u32(1), c.u32(2))
		if !ok {
			return errFault, nil
		}
		var off int64
		result := 3 // the parameter holding the result pointer
		if positioned {
			if off = c.i64(3); off < 0 {
				return errInval, nil
			}
			result = 4
		}
		var n int
		var err error
		if write {
			n, en = s.writeFrom(c, e, iovs, off, positioned)
		} else {
			n, en, err = s.readInto(c, e, iovs, off, positioned)
		}
		if err != nil || en != errSuccess {
			return en, err
		}
		if !c.putU32(c.u32(result), uint32(n)) {
			return errFault, nil
		}
		return errSuccess, nil
	}
}
