package wasi

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wpi-dev/wpi/instance"
)

// harness calls WASI functions from Go on a real instance's memory.
type harness struct {
	t   *testing.T
	s   *state
	mem instance.Memory
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	ctx := context.Background()
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 2, MemorySlotBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	bin, err := os.ReadFile("testdata/mem.wasm")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := rt.InstantiateWasm(ctx, bin, instance.ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := newState(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.closeAll)
	return &harness{t: t, s: s, mem: inst.Memory()}
}

// call runs the function name with params and returns its errno.
func (h *harness) call(name string, params ...uint64) errno {
	h.t.Helper()
	e, err := h.callErr(name, params...)
	if err != nil {
		h.t.Fatalf("%s: %v", name, err)
	}
	return e
}

func (h *harness) callErr(name string, params ...uint64) (errno, error) {
	for _, f := range functions {
		if f.name == name {
			if len(params) != len(f.params) {
				h.t.Fatalf("%s takes %d params, got %d", name, len(f.params), len(params))
			}
			stack := make([]uint64, max(len(params), 1))
			copy(stack, params)
			return f.fn(h.s, &call{ctx: context.Background(), mem: h.mem, stack: stack})
		}
	}
	h.t.Fatalf("no function %s", name)
	return 0, nil
}

// str writes s at off and returns (off, len) for a path argument.
func (h *harness) str(off uint32, s string) (uint64, uint64) {
	h.mem.Write(off, []byte(s))
	return uint64(off), uint64(len(s))
}

func (h *harness) u32(off uint32) uint32 {
	v, _ := h.mem.ReadUint32Le(off)
	return v
}

// open path_opens p under the preopen 3 and returns (fd, errno).
func (h *harness) open(p string, oflags uint32, rights uint64, follow bool) (uint32, errno) {
	h.t.Helper()
	po, pl := h.str(1000, p)
	var lookup uint64
	if follow {
		lookup = lookupSymlinkFollow
	}
	e := h.call("path_open", 3, lookup, po, pl, uint64(oflags), rights, rights, 0, 200)
	return h.u32(200), e
}

// sandboxTree is a mount with a file, a directory and symlinks, next to
// a file outside it.
func sandboxTree(t *testing.T) (root, box string) {
	root = t.TempDir()
	box = filepath.Join(root, "box")
	for _, d := range []string{"sub/deeper"} {
		if err := os.MkdirAll(filepath.Join(box, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "secret.txt"), "secret")
	write(filepath.Join(box, "file.txt"), "hello")
	write(filepath.Join(box, "sub", "inner.txt"), "inner")
	links := map[string]string{
		"out":       "../secret.txt",
		"abs":       "/etc/passwd",
		"updir":     "..",
		"in":        "file.txt",
		"subin":     "sub/../file.txt",
		"sub/up":    "../file.txt",
		"sub/upup":  "../../secret.txt",
		"loop1":     "loop2",
		"loop2":     "loop1",
		"dangling":  "nowhere",
		"dirlink":   "sub",
		"dirlink2":  "dirlink/deeper",
		"trailing/": "x",
	}
	for name, target := range links {
		if strings.HasSuffix(name, "/") {
			continue
		}
		if err := os.Symlink(target, filepath.Join(box, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root, box
}

func TestResolve(t *testing.T) {
	_, box := sandboxTree(t)
	h := newHarness(t, Config{Mounts: []Mount{{HostDir: box, GuestPath: "/"}}})
	tests := []struct {
		path   string
		follow bool
		rel    string
		errno  errno
	}{
		{"file.txt", true, "file.txt", errSuccess},
		{"./sub/../file.txt", true, "file.txt", errSuccess},
		{"sub/deeper/..", true, "sub", errSuccess},
		{".", true, "", errSuccess},
		{"new.txt", true, "new.txt", errSuccess}, // missing last component: for creation
		{"missing/new.txt", true, "", errNoent},
		{"file.txt/x", true, "", errNotdir},
		{"..", true, "", errPerm},
		{"../box/file.txt", true, "", errPerm},
		{"sub/../../secret.txt", true, "", errPerm},
		{"/etc/passwd", true, "", errPerm},
		{"out", true, "", errPerm},
		{"out", false, "out", errSuccess}, // the link itself is inside
		{"abs", true, "", errPerm},
		{"updir/secret.txt", true, "", errPerm},
		{"updir", false, "updir", errSuccess},
		{"in", true, "file.txt", errSuccess},
		{"subin", true, "file.txt", errSuccess},
		{"sub/up", true, "file.txt", errSuccess},
		{"sub/upup", true, "", errPerm},
		{"dirlink/inner.txt", true, "sub/inner.txt", errSuccess},
		{"dirlink2/..", true, "sub", errSuccess},
		{"loop1", true, "", errLoop},
		{"loop1/x", false, "", errLoop},
		{"dangling", true, "nowhere", errSuccess},
		{"", true, "", errNoent},
		{"a\x00b", true, "", errIlseq},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			r, e := h.s.resolve(3, tc.path, tc.follow)
			if diff := cmp.Diff([2]any{tc.rel, tc.errno}, [2]any{r.rel, e}); diff != "" {
				t.Errorf("resolve(%q, follow=%v) (-want +got):\n%s", tc.path, tc.follow, diff)
			}
		})
	}
	if _, e := h.s.resolve(0, "x", true); e != errNotdir {
		t.Errorf("resolve against stdin: %d, want ENOTDIR", e)
	}
	if _, e := h.s.resolve(99, "x", true); e != errBadf {
		t.Errorf("resolve against a closed fd: %d, want EBADF", e)
	}
}

func TestPathErrnos(t *testing.T) {
	root, box := sandboxTree(t)
	ro := t.TempDir()
	if err := os.WriteFile(filepath.Join(ro, "r.txt"), []byte("r"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Config{Mounts: []Mount{{HostDir: box, GuestPath: "/"}, {HostDir: ro, GuestPath: "/ro", ReadOnly: true}}})
	const rw = rightFdRead | rightFdWrite
	tests := []struct {
		name   string
		path   string
		oflags uint32
		rights uint64
		follow bool
		want   errno
	}{
		{"read a file", "file.txt", 0, rightFdRead, true, errSuccess},
		{"missing", "nope.txt", 0, rightFdRead, true, errNoent},
		{"create", "made.txt", oflagCreat, rw, true, errSuccess},
		{"exclusive on existing", "file.txt", oflagCreat | oflagExcl, rw, true, errExist},
		{"directory flag on a file", "file.txt", oflagDirectory, rightFdRead, true, errNotdir},
		{"write a directory", "sub", 0, rw, true, errIsdir},
		{"open a directory", "sub", oflagDirectory, 0, true, errSuccess},
		{"nofollow on a symlink", "in", 0, rightFdRead, false, errLoop},
		{"escape by ..", "../secret.txt", 0, rightFdRead, true, errPerm},
		{"escape by symlink", "out", 0, rightFdRead, true, errPerm},
		{"create through escaping symlink dir", "updir/new.txt", oflagCreat, rw, true, errPerm},
		{"symlink loop", "loop1", 0, rightFdRead, true, errLoop},
		{"trailing slash on a file", "file.txt/", 0, rightFdRead, true, errNotdir},
		{"bad oflags", "file.txt", 1 << 7, rightFdRead, true, errInval},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fd, e := h.open(tc.path, tc.oflags, tc.rights, tc.follow)
			if e != tc.want {
				t.Errorf("path_open(%q) = %d, want %d", tc.path, e, tc.want)
			}
			if e == errSuccess {
				h.call("fd_close", uint64(fd))
			}
		})
	}
	if _, err := os.Stat(filepath.Join(root, "new.txt")); err == nil {
		t.Error("a file was created outside the mount")
	}

	// Read-only mount: EROFS for writes, reads work.
	po, pl := h.str(1000, "r.txt")
	if e := h.call("path_open", 4, 0, po, pl, oflagCreat|oflagTrunc, rw, rw, 0, 200); e != errRofs {
		t.Errorf("write-open on a read-only mount: %d, want EROFS", e)
	}
	if e := h.call("path_open", 4, 0, po, pl, 0, rightFdRead, 0, 0, 200); e != errSuccess {
		t.Errorf("read-open on a read-only mount: %d", e)
	}
	po, pl = h.str(1000, "d")
	if e := h.call("path_create_directory", 4, po, pl); e != errRofs {
		t.Errorf("mkdir on a read-only mount: %d, want EROFS", e)
	}

	// Other path functions.
	type pcall struct {
		name string
		args func() []uint64
		want errno
	}
	p := func(s string) (uint64, uint64) { return h.str(1000, s) }
	p2 := func(s string) (uint64, uint64) { return h.str(1100, s) }
	calls := []pcall{
		{"path_create_directory", func() []uint64 { a, b := p("newdir"); return []uint64{3, a, b} }, errSuccess},
		{"path_create_directory", func() []uint64 { a, b := p("newdir"); return []uint64{3, a, b} }, errExist},
		{"path_create_directory", func() []uint64 { a, b := p("../x"); return []uint64{3, a, b} }, errPerm},
		{"path_remove_directory", func() []uint64 { a, b := p("sub"); return []uint64{3, a, b} }, errNotempty},
		{"path_remove_directory", func() []uint64 { a, b := p("newdir"); return []uint64{3, a, b} }, errSuccess},
		{"path_remove_directory", func() []uint64 { a, b := p("."); return []uint64{3, a, b} }, errBusy},
		{"path_unlink_file", func() []uint64 { a, b := p("sub"); return []uint64{3, a, b} }, errIsdir},
		{"path_unlink_file", func() []uint64 { a, b := p("nope"); return []uint64{3, a, b} }, errNoent},
		{"path_unlink_file", func() []uint64 { a, b := p("out"); return []uint64{3, a, b} }, errSuccess}, // removes the link, not the target
		{"path_symlink", func() []uint64 { a, b := p("/etc"); c, d := p2("abs2"); return []uint64{a, b, 3, c, d} }, errPerm},
		{"path_symlink", func() []uint64 { a, b := p("file.txt"); c, d := p2("ln"); return []uint64{a, b, 3, c, d} }, errSuccess},
		{"path_readlink", func() []uint64 { a, b := p("ln"); return []uint64{3, a, b, 2000, 64, 2100} }, errSuccess},
		{"path_readlink", func() []uint64 { a, b := p("file.txt"); return []uint64{3, a, b, 2000, 64, 2100} }, errInval},
		{"path_rename", func() []uint64 { a, b := p("ln"); c, d := p2("ln2"); return []uint64{3, a, b, 3, c, d} }, errSuccess},
		{"path_rename", func() []uint64 { a, b := p("ln2"); c, d := p2("../ln3"); return []uint64{3, a, b, 3, c, d} }, errPerm},
		{"path_rename", func() []uint64 { a, b := p("file.txt"); c, d := p2("x"); return []uint64{3, a, b, 4, c, d} }, errXdev},
		{"path_link", func() []uint64 { a, b := p("file.txt"); c, d := p2("hard"); return []uint64{3, 0, a, b, 3, c, d} }, errSuccess},
		{"path_link", func() []uint64 { a, b := p("../secret.txt"); c, d := p2("hard2"); return []uint64{3, 0, a, b, 3, c, d} }, errPerm},
		{"path_filestat_get", func() []uint64 { a, b := p("file.txt"); return []uint64{3, 1, a, b, 3000} }, errSuccess},
		{"path_filestat_get", func() []uint64 { a, b := p("abs"); return []uint64{3, 0, a, b, 3000} }, errSuccess},
		{"path_filestat_get", func() []uint64 { a, b := p("abs"); return []uint64{3, 1, a, b, 3000} }, errPerm},
		{"path_filestat_set_times", func() []uint64 { a, b := p("file.txt"); return []uint64{3, 1, a, b, 0, 5e9, fstMtim} }, errSuccess},
		{"path_filestat_set_times", func() []uint64 { a, b := p("file.txt"); return []uint64{3, 1, a, b, 0, 0, fstMtim | fstMtimNow} }, errInval},
		{"path_open", func() []uint64 { a, b := p("file.txt"); return []uint64{3, 1, a, b, 0, 0, 0, 0, 1 << 30} }, errFault},
		{"path_open", func() []uint64 { return []uint64{3, 1, 1 << 30, 5, 0, 0, 0, 0, 200} }, errFault},
	}
	for i, c := range calls {
		if got := h.call(c.name, c.args()...); got != c.want {
			t.Errorf("%d: %s = %d, want %d", i, c.name, got, c.want)
		}
	}
	if got := string(mustRead(h, 2000, int(h.u32(2100)))); got != "file.txt" {
		t.Errorf("readlink: %q", got)
	}
	if mt := binary.LittleEndian.Uint64(mustRead(h, 3000+48, 8)); mt != 5e9 {
		// the last path_filestat_get was of abs; re-stat file.txt
		a, b := p("file.txt")
		h.call("path_filestat_get", 3, 1, a, b, 3000)
		if mt := binary.LittleEndian.Uint64(mustRead(h, 3000+48, 8)); mt != 5e9 {
			t.Errorf("mtime after set_times: %d, want 5e9", mt)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "secret.txt")); err != nil {
		t.Errorf("the target of an unlinked symlink is gone: %v", err)
	}
}

func mustRead(h *harness, off uint32, n int) []byte {
	b, ok := h.mem.Read(off, uint32(n))
	if !ok {
		h.t.Fatalf("read %d at %d out of range", n, off)
	}
	return b
}

// iov writes one iovec at off pointing at (buf, n).
func (h *harness) iov(off, buf, n uint32) {
	h.mem.WriteUint32Le(off, buf)
	h.mem.WriteUint32Le(off+4, n)
}

func TestFdRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var stdout bytes.Buffer
	h := newHarness(t, Config{Mounts: []Mount{{HostDir: dir, GuestPath: "."}}, Stdout: &stdout, Stdin: strings.NewReader("input")})
	fd, e := h.open("f.txt", oflagCreat, rightFdRead|rightFdWrite|rightFdSeek, true)
	if e != errSuccess {
		t.Fatalf("path_open: %d", e)
	}
	h.mem.Write(100, []byte("hello world"))
	h.iov(0, 100, 11)
	steps := []struct {
		name string
		args []uint64
		want errno
	}{
		{"fd_write", []uint64{uint64(fd), 0, 1, 50}, errSuccess},
		{"fd_seek", []uint64{uint64(fd), 6, 0, 56}, errSuccess},
		{"fd_tell", []uint64{uint64(fd), 80}, errSuccess},
		{"fd_seek", []uint64{uint64(fd), 0, 9, 56}, errInval},
		{"fd_seek", []uint64{1, 0, 0, 56}, errSpipe},
		{"fd_filestat_set_size", []uint64{uint64(fd), 20}, errSuccess},
		{"fd_allocate", []uint64{uint64(fd), 0, 30}, errSuccess},
		{"fd_advise", []uint64{uint64(fd), 0, 0, 9}, errInval},
		{"fd_advise", []uint64{uint64(fd), 0, 0, 1}, errSuccess},
		{"fd_fdstat_set_flags", []uint64{uint64(fd), fdflagAppend}, errSuccess},
		{"fd_fdstat_set_flags", []uint64{uint64(fd), fdflagSync}, errNotsup},
		{"fd_fdstat_set_rights", []uint64{uint64(fd), rightFdRead, 0}, errSuccess},
		{"fd_fdstat_set_rights", []uint64{uint64(fd), rightsAll, 0}, errNotcapable},
		{"fd_sync", []uint64{uint64(fd)}, errSuccess},
		{"fd_datasync", []uint64{uint64(fd)}, errSuccess},
		{"fd_filestat_set_times", []uint64{uint64(fd), 1e9, 2e9, fstAtim | fstMtim}, errSuccess},
		{"fd_write", []uint64{99, 0, 1, 50}, errBadf},
		{"fd_write", []uint64{uint64(fd), 1 << 30, 1, 50}, errFault},
		{"fd_write", []uint64{0, 0, 1, 50}, errBadf},
		{"fd_write", []uint64{1, 0, 1, 50}, errSuccess},
		{"fd_read", []uint64{3, 0, 1, 50}, errIsdir},
		{"fd_readdir", []uint64{uint64(fd), 0, 100, 0, 50}, errBadf},
		{"fd_prestat_get", []uint64{uint64(fd), 50}, errBadf},
		{"fd_prestat_get", []uint64{3, 50}, errSuccess},
		{"fd_prestat_dir_name", []uint64{3, 300, 0}, errNametoolong},
		{"fd_renumber", []uint64{uint64(fd), 77}, errBadf},
		{"fd_close", []uint64{99}, errBadf},
	}
	for _, s := range steps {
		if got := h.call(s.name, s.args...); got != s.want {
			t.Errorf("%s%v = %d, want %d", s.name, s.args, got, s.want)
		}
	}
	if got := h.u32(80); got != 6 {
		t.Errorf("fd_tell = %d, want 6", got)
	}
	if got := stdout.String(); got != "hello world" {
		t.Errorf("stdout %q", got)
	}
	// fd_pread the file back.
	h.iov(0, 400, 5)
	if e := h.call("fd_pread", uint64(fd), 0, 1, 6, 50); e != errSuccess || string(mustRead(h, 400, 5)) != "world" {
		t.Errorf("fd_pread: %d %q", e, mustRead(h, 400, 5))
	}
	st, _ := os.Stat(filepath.Join(dir, "f.txt"))
	if st.Size() != 30 || st.ModTime().Unix() != 2 {
		t.Errorf("host file: size %d mtime %v, want 30 and 2s", st.Size(), st.ModTime())
	}
	// stdin.
	h.iov(0, 400, 64)
	if e := h.call("fd_read", 0, 0, 1, 50); e != errSuccess || string(mustRead(h, 400, int(h.u32(50)))) != "input" {
		t.Errorf("fd_read stdin: %d %q", e, mustRead(h, 400, int(h.u32(50))))
	}
	if e := h.call("fd_read", 0, 0, 1, 50); e != errSuccess || h.u32(50) != 0 {
		t.Errorf("fd_read stdin at EOF: %d, n=%d", e, h.u32(50))
	}
	// fd_readdir lists ".", "..", "f.txt".
	if e := h.call("fd_readdir", 3, 500, 1000, 0, 50); e != errSuccess {
		t.Fatalf("fd_readdir: %d", e)
	}
	var names []string
	buf := mustRead(h, 500, int(h.u32(50)))
	for len(buf) >= 24 {
		n := binary.LittleEndian.Uint32(buf[16:])
		names = append(names, string(buf[24:24+n]))
		buf = buf[24+n:]
	}
	if diff := cmp.Diff([]string{".", "..", "f.txt"}, names); diff != "" {
		t.Errorf("fd_readdir (-want +got):\n%s", diff)
	}
	// fd_renumber over an open fd, then close.
	if e := h.call("fd_renumber", uint64(fd), 1); e != errSuccess {
		t.Errorf("fd_renumber: %d", e)
	}
	if e := h.call("fd_close", uint64(fd)); e != errBadf {
		t.Errorf("close of renumbered-away fd: %d, want EBADF", e)
	}
}

func TestArgsEnvClockRandom(t *testing.T) {
	h := newHarness(t, Config{
		Args:     []string{"prog", "a b"},
		Env:      []string{"K=V"},
		Walltime: func() int64 { return 42 },
		Nanotime: func() int64 { return 7 },
		Rand:     bytes.NewReader([]byte{1, 2, 3, 4}),
	})
	h.call("args_sizes_get", 0, 4)
	h.call("args_get", 100, 200)
	h.call("environ_sizes_get", 8, 12)
	h.call("environ_get", 300, 400)
	got := []any{h.u32(0), h.u32(4), string(mustRead(h, 200, 9)), h.u32(8), h.u32(12), string(mustRead(h, 400, 4))}
	want := []any{uint32(2), uint32(9), "prog\x00a b\x00", uint32(1), uint32(4), "K=V\x00"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("args/environ (-want +got):\n%s", diff)
	}
	clocks := []struct {
		id   uint64
		want uint64
		e    errno
	}{{clockRealtime, 42, errSuccess}, {clockMonotonic, 7, errSuccess}, {9, 0, errInval}}
	for _, c := range clocks {
		h.mem.WriteUint64Le(500, 0)
		if e := h.call("clock_time_get", c.id, 1, 500); e != c.e {
			t.Errorf("clock_time_get(%d) = %d, want %d", c.id, e, c.e)
		}
		if v, _ := h.mem.ReadUint64Le(500); v != c.want {
			t.Errorf("clock %d = %d, want %d", c.id, v, c.want)
		}
	}
	if e := h.call("clock_res_get", 9, 500); e != errInval {
		t.Errorf("clock_res_get(9) = %d", e)
	}
	if e := h.call("clock_time_get", clockProcessCPUTime, 1, 500); e != errSuccess && e != errNotsup {
		t.Errorf("process CPU clock: %d", e)
	}
	if e := h.call("random_get", 600, 4); e != errSuccess || !bytes.Equal(mustRead(h, 600, 4), []byte{1, 2, 3, 4}) {
		t.Errorf("random_get: %d %v", e, mustRead(h, 600, 4))
	}
	if e := h.call("random_get", 600, 4); e != errIo {
		t.Errorf("random_get with the source exhausted: %d, want EIO", e)
	}
	if e := h.call("random_get", 1<<30, 4); e != errFault {
		t.Errorf("random_get out of range: %d, want EFAULT", e)
	}
}

func TestProc(t *testing.T) {
	h := newHarness(t, Config{})
	tests := []struct {
		name    string
		fn      string
		arg     uint64
		want    errno
		exit    uint32
		exited  bool
		wantErr bool
	}{
		{"exit 0", "proc_exit", 0, 0, 0, true, true},
		{"exit 3", "proc_exit", 3, 0, 3, true, true},
		{"raise none", "proc_raise", 0, errSuccess, 0, false, false},
		{"raise TERM", "proc_raise", 15, 0, 128 + 15, true, true},
		{"raise CHLD ignored", "proc_raise", 16, errSuccess, 0, false, false},
		{"raise STOP", "proc_raise", 18, errNotsup, 0, false, false},
		{"raise bad", "proc_raise", 99, errInval, 0, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := h.callErr(tc.fn, tc.arg)
			code, exited := ExitCode(err)
			if diff := cmp.Diff([]any{tc.want, tc.exit, tc.exited, tc.wantErr}, []any{e, code, exited, err != nil}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if e := h.call("sched_yield"); e != errSuccess {
		t.Errorf("sched_yield: %d", e)
	}
}

// sub writes a subscription at off.
func (h *harness) sub(off uint32, userdata uint64, tag uint8, fdOrClock uint32, timeout uint64, flags uint16) {
	var b [subscriptionSize]byte
	binary.LittleEndian.PutUint64(b[0:], userdata)
	b[8] = tag
	binary.LittleEndian.PutUint32(b[16:], fdOrClock)
	binary.LittleEndian.PutUint64(b[24:], timeout)
	binary.LittleEndian.PutUint16(b[40:], flags)
	h.mem.Write(off, b[:])
}

type ev struct {
	Userdata uint64
	Errno    errno
	Type     uint8
}

func (h *harness) events(off uint32, n uint32) []ev {
	var out []ev
	for i := uint32(0); i < n; i++ {
		b := mustRead(h, off+i*eventSize, eventSize)
		out = append(out, ev{binary.LittleEndian.Uint64(b), errno(binary.LittleEndian.Uint16(b[8:])), b[10]})
	}
	return out
}

func TestPollOneoff(t *testing.T) {
	pr, pw := net.Pipe() // a stdin that has no data until written
	defer pw.Close()
	h := newHarness(t, Config{Stdin: pr})
	const in, out, nev = 0, 1000, 2000
	tests := []struct {
		name    string
		setup   func() uint32 // writes subscriptions, returns how many
		minWait time.Duration
		want    []ev
		errno   errno
	}{
		{"no subscriptions", func() uint32 { return 0 }, 0, nil, errInval},
		{"relative clock", func() uint32 { h.sub(in, 1, eventClock, clockMonotonic, 20e6, 0); return 1 }, 20 * time.Millisecond,
			[]ev{{1, 0, eventClock}}, errSuccess},
		{"absolute clock in the past", func() uint32 { h.sub(in, 2, eventClock, clockRealtime, 1, subclockAbstime); return 1 }, 0,
			[]ev{{2, 0, eventClock}}, errSuccess},
		{"bad clock", func() uint32 { h.sub(in, 3, eventClock, 9, 0, 0); return 1 }, 0, []ev{{3, errInval, eventClock}}, errSuccess},
		{"stdout writable", func() uint32 { h.sub(in, 4, eventFdWrite, 1, 0, 0); return 1 }, 0, []ev{{4, 0, eventFdWrite}}, errSuccess},
		{"closed fd", func() uint32 { h.sub(in, 5, eventFdRead, 42, 0, 0); return 1 }, 0, []ev{{5, errBadf, eventFdRead}}, errSuccess},
		{"stdin not ready, clock fires", func() uint32 {
			h.sub(in, 6, eventFdRead, 0, 0, 0)
			h.sub(in+subscriptionSize, 7, eventClock, clockMonotonic, 30e6, 0)
			return 2
		}, 30 * time.Millisecond, []ev{{7, 0, eventClock}}, errSuccess},
		{"stdin becomes ready", func() uint32 {
			h.sub(in, 8, eventFdRead, 0, 0, 0)
			h.sub(in+subscriptionSize, 9, eventClock, clockMonotonic, 5e9, 0)
			go func() {
				time.Sleep(20 * time.Millisecond)
				pw.Write([]byte("x"))
			}()
			return 2
		}, 20 * time.Millisecond, []ev{{8, 0, eventFdRead}}, errSuccess},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.setup()
			start := time.Now()
			e := h.call("poll_oneoff", in, out, uint64(n), nev)
			el := time.Since(start)
			if e != tc.errno {
				t.Fatalf("poll_oneoff = %d, want %d", e, tc.errno)
			}
			if e != errSuccess {
				return
			}
			if diff := cmp.Diff(tc.want, h.events(out, h.u32(nev))); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if el < tc.minWait || el > tc.minWait+2*time.Second {
				t.Errorf("took %s, want about %s", el, tc.minWait)
			}
		})
	}

	// A cancelled context ends a blocked poll with ErrTrapInterrupted.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	h.sub(in, 1, eventClock, clockMonotonic, 10e9, 0)
	stack := []uint64{in, out, 1, nev}
	_, err := pollOneoff(h.s, &call{ctx: ctx, mem: h.mem, stack: stack})
	if !errors.Is(err, instance.ErrTrapInterrupted) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("poll with a cancelled context: %v, want interrupted by the deadline", err)
	}
}

func TestSockets(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	defer l.Close()
	dir := t.TempDir()
	h := newHarness(t, Config{Mounts: []Mount{{HostDir: dir}}, Listeners: []net.Listener{l}})
	const lfd = 4 // after the mount
	if e := h.call("fd_fdstat_set_flags", lfd, fdflagNonblock); e != errSuccess {
		t.Fatal(e)
	}
	if e := h.call("sock_accept", lfd, 0, 100); e != errAgain {
		t.Errorf("sock_accept with no client: %d, want EAGAIN", e)
	}
	if e := h.call("sock_accept", 3, 0, 100); e != errNotsock {
		t.Errorf("sock_accept on a directory: %d, want ENOTSOCK", e)
	}
	if e := h.call("sock_recv", lfd, 0, 0, 0, 100, 104); e != errNotconn {
		t.Errorf("sock_recv on a listener: %d, want ENOTCONN", e)
	}
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h.s.fds[lfd].flags = 0 // blocking accept
	if e := h.call("sock_accept", lfd, 0, 100); e != errSuccess {
		t.Fatalf("sock_accept: %d", e)
	}
	cfd := uint64(h.u32(100))
	c.Write([]byte("ping"))
	h.iov(0, 200, 16)
	if e := h.call("sock_recv", cfd, 0, 1, riflagRecvPeek, 100, 104); e != errSuccess || h.u32(100) != 4 {
		t.Errorf("sock_recv peek: %d, n=%d", e, h.u32(100))
	}
	if e := h.call("sock_recv", cfd, 0, 1, 0, 100, 104); e != errSuccess || string(mustRead(h, 200, int(h.u32(100)))) != "ping" {
		t.Errorf("sock_recv: %d %q", e, mustRead(h, 200, int(h.u32(100))))
	}
	h.mem.Write(300, []byte("pong"))
	h.iov(0, 300, 4)
	if e := h.call("sock_send", cfd, 0, 1, 0, 100); e != errSuccess || h.u32(100) != 4 {
		t.Errorf("sock_send: %d", e)
	}
	buf := make([]byte, 4)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(buf); err != nil || string(buf) != "pong" {
		t.Errorf("client read %q, %v", buf, err)
	}
	if e := h.call("sock_shutdown", cfd, 9); e != errInval {
		t.Errorf("sock_shutdown bad how: %d", e)
	}
	if e := h.call("sock_shutdown", cfd, sdflagWr); e != errSuccess {
		t.Errorf("sock_shutdown: %d", e)
	}
	if e := h.call("sock_shutdown", 1, sdflagWr); e != errNotsock {
		t.Errorf("sock_shutdown on stdout: %d, want ENOTSOCK", e)
	}
}

func TestReadOnlyMount(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.txt"), []byte("r"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Config{Mounts: []Mount{{HostDir: dir, GuestPath: "/", ReadOnly: true}}})
	tests := []struct {
		path   string
		oflags uint32
		rights uint64
		want   errno
	}{
		{"r.txt", 0, rightFdRead, errSuccess},
		{"r.txt", 0, rightFdRead | rightFdWrite, errRofs},
		{"r.txt", 0, rightFdWrite, errRofs},
		{"r.txt", oflagTrunc, rightFdRead, errRofs},
		{"r.txt", oflagCreat, rightFdRead, errSuccess}, // exists: O_CREAT is a no-op
		{"r.txt", oflagCreat | oflagExcl, rightFdRead, errExist},
		{"new.txt", oflagCreat, rightFdRead, errRofs},
		{"new.txt", oflagCreat, 0, errRofs},
	}
	for _, tc := range tests {
		fd, e := h.open(tc.path, tc.oflags, tc.rights, true)
		if e != tc.want {
			t.Errorf("path_open(%q, oflags %#x, rights %#x) = %d, want %d", tc.path, tc.oflags, tc.rights, e, tc.want)
		}
		if e == errSuccess {
			h.call("fd_close", uint64(fd))
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "new.txt")); err == nil {
		t.Error("a read-only mount let the guest create a file")
	}
}

// TestNoRemovingByAlias checks that no path removes or renames a
// preopened directory, or the directory of an open descriptor, through
// an alias ("", ".", "./", "sub/..", "x/."): Go's os tests
// (TestRootRemoveDot) expect root.Remove(".") to fail.
func TestNoRemovingByAlias(t *testing.T) {
	_, box := sandboxTree(t)
	h := newHarness(t, Config{Mounts: []Mount{{HostDir: box, GuestPath: "/"}}})
	sub, e := h.open("sub", oflagDirectory, 0, true)
	if e != errSuccess {
		t.Fatalf("open sub: %d", e)
	}
	p := func(s string) (uint64, uint64) { return h.str(1000, s) }
	p2 := func(s string) (uint64, uint64) { return h.str(1100, s) }
	rmdir := func(fd uint32, s string) []uint64 { a, b := p(s); return []uint64{uint64(fd), a, b} }
	rename := func(fd uint32, from string, fd2 uint32, to string) []uint64 {
		a, b := p(from)
		c, d := p2(to)
		return []uint64{uint64(fd), a, b, uint64(fd2), c, d}
	}
	tests := []struct {
		name string
		args func() []uint64
		want errno
	}{
		{"path_remove_directory", func() []uint64 { return rmdir(3, "") }, errNoent},
		{"path_remove_directory", func() []uint64 { return rmdir(3, ".") }, errBusy},
		{"path_remove_directory", func() []uint64 { return rmdir(3, "./") }, errBusy},
		{"path_remove_directory", func() []uint64 { return rmdir(3, "./.") }, errBusy},
		{"path_remove_directory", func() []uint64 { return rmdir(3, "sub/..") }, errBusy},
		{"path_remove_directory", func() []uint64 { return rmdir(sub, ".") }, errInval},
		{"path_remove_directory", func() []uint64 { return rmdir(sub, "./") }, errInval},
		{"path_remove_directory", func() []uint64 { return rmdir(sub, "deeper/.") }, errInval},
		{"path_remove_directory", func() []uint64 { return rmdir(sub, "deeper/..") }, errInval},
		{"path_remove_directory", func() []uint64 { return rmdir(3, "sub/deeper/.") }, errInval},
		{"path_unlink_file", func() []uint64 { return rmdir(3, ".") }, errIsdir},
		{"path_unlink_file", func() []uint64 { return rmdir(sub, ".") }, errIsdir},
		{"path_unlink_file", func() []uint64 { return rmdir(sub, "..") }, errIsdir},
		{"path_rename", func() []uint64 { return rename(3, ".", 3, "moved") }, errBusy},
		{"path_rename", func() []uint64 { return rename(sub, ".", 3, "moved") }, errBusy},
		{"path_rename", func() []uint64 { return rename(sub, "deeper/.", 3, "moved") }, errBusy},
		{"path_rename", func() []uint64 { return rename(3, "file.txt", sub, ".") }, errBusy},
		{"path_rename", func() []uint64 { return rename(3, "file.txt", 3, "sub/..") }, errBusy},
	}
	for _, tc := range tests {
		args := tc.args()
		if got := h.call(tc.name, args...); got != tc.want {
			t.Errorf("%s%v = %d, want %d", tc.name, args, got, tc.want)
		}
	}
	for _, d := range []string{"", "sub", "sub/deeper", "file.txt"} {
		if _, err := os.Stat(filepath.Join(box, d)); err != nil {
			t.Errorf("%q is gone: %v", d, err)
		}
	}
	// Removing a real subdirectory still works.
	if got := h.call("path_remove_directory", rmdir(sub, "deeper")...); got != errSuccess {
		t.Errorf("rmdir sub/deeper: %d", got)
	}
}
