// Package wasi implements WASI preview1 (the "wasi_snapshot_preview1" host
// module, https://github.com/WebAssembly/WASI/blob/snapshot-01/phases/snapshot/docs.md)
// on wpi's public instance API: it is an ordinary host module built with
// Runtime.NewHostModuleBuilder, so anything it does a user's host functions
// can do too.
//
// Register the host module once per runtime, then give each guest its
// own environment (arguments, environment variables, stdio, files) in
// its instance.ModuleConfig, with wazero's names:
//
//	wasi.MustInstantiate(ctx, rt) // once per runtime
//	mc := instance.NewModuleConfig(). // runs _start at instantiation
//		WithArgs("prog", "arg").WithEnv("HOME", "/").
//		WithStdout(&out).WithFS(os.DirFS("/srv/data")) // read-only at "/"
//	inst, err := rt.Instantiate(ctx, compiled, mc) // its own fd table, args, stdio
//	if exit, ok := err.(*sys.ExitError); ok { ... } // _start called proc_exit(code != 0)
//
// or, for what ModuleConfig has no field for (host directories mounted
// read-write, several mounts, listeners, clocks, a call log), with a
// Config per guest (WithConfig):
//
//	w, err := wasi.Instantiate(ctx, rt, wasi.Config{}) // once per runtime
//	defer w.Close(ctx)
//	mc := wasi.WithConfig(instance.ModuleConfig{}, wasi.Config{
//		Args:   []string{"prog", "arg"},
//		Env:    []string{"HOME=/"},
//		Stdout: &out,
//		Mounts: []wasi.Mount{{HostDir: "/srv/data", GuestPath: "/data", ReadOnly: true}},
//	})
//	inst, err := rt.Instantiate(ctx, compiled, mc) // its own fd table, args, stdio
//	defer inst.Close(ctx)                          // closes the files it left open
//	err = wasi.Run(ctx, inst)                      // _start, then the exit code
//
// A guest instantiated without WithConfig and whose ModuleConfig sets
// none of Args, Env, Stdin, Stdout, Stderr and FS uses the Config given
// to Instantiate (one shared "process", see Concurrency).
//
// # Exit
//
// proc_exit ends the running call with an error that wraps a
// *sys.ExitError (github.com/tetratelabs/wazero/sys); errors.As finds it
// through the call's *instance.TrapError. ExitCode extracts the code.
// When _start (or another export) runs inside Instantiate, through
// instance.ModuleConfig.WithStartFunctions (instance.NewModuleConfig's
// default), a non-zero exit fails the instantiation with the bare
// *sys.ExitError, as wazero's InstantiateModule does, and exit 0 is
// success.
//
// # File system
//
// Mounts are served by wazero's experimental/sysfs (DirFS, ReadFS) or by
// any experimental/sys.FS. Path resolution is done here, one component at
// a time, so that nothing outside a mount is reachable: ".." above the
// mount's root, absolute paths and symlinks whose target is absolute or
// climbs out of the mount fail with EPERM (the errno Wasmtime and wazero
// give for escapes). Each mount is preopened as a directory descriptor
// (3, 4, ... in the order given), named by its guest path.
//
// # Concurrency
//
// Each instance created with WithConfig, or with any of ModuleConfig's
// Args, Env, Stdin, Stdout, Stderr and FS, is its own WASI "process": its
// own descriptor table, args, env and stdio, made when it is instantiated
// and closed with it. Any number of such instances may run at once, on
// any goroutines, sharing the one registered Module. (Their Stdout and
// Stderr writers are theirs to share or not: give each its own, or a
// writer safe for concurrent use.)
//
// Instances created with neither share the Module's own process,
// made from the Config given to Instantiate; they must not run
// concurrently with each other (one call at a time, as on one instance).
package wasi

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"sync"
	"time"

	"github.com/tetratelabs/wazero/api"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/sys"

	"github.com/wpi-dev/wpi/instance"
)

// ModuleName is the import module name of WASI preview1.
const ModuleName = "wasi_snapshot_preview1"

// UnstableModuleName is the name of WASI's earlier snapshot. Instantiate
// registers the same functions under it too (as wazero does): the
// programs that still import it use the functions whose layouts did not
// change.
const UnstableModuleName = "wasi_unstable"

// Config is the environment of a WASI guest. The zero value is a guest
// with no arguments, no environment, no files, stdin at EOF and output
// discarded.
type Config struct {
	// Args are the program arguments, Args[0] being the program name.
	Args []string
	// Env holds "NAME=VALUE" entries, in the order the guest sees them.
	Env []string
	// Stdin, Stdout and Stderr are descriptors 0, 1 and 2. A nil Stdin
	// reads as empty; a nil Stdout or Stderr discards.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Mounts are the preopened directories, descriptors 3, 4, ... in
	// order.
	Mounts []Mount
	// Listeners are preopened TCP listeners (sock_accept), numbered after
	// the mounts. The module does not close them.
	Listeners []net.Listener
	// Walltime returns the realtime clock in nanoseconds since the Unix
	// epoch; default time.Now. Nanotime returns the monotonic clock in
	// nanoseconds from an arbitrary origin; default time.Since(a fixed
	// start). poll_oneoff waits in real time whatever these return.
	Walltime func() int64
	Nanotime func() int64
	// Rand is the source of random_get; default crypto/rand.Reader.
	Rand io.Reader
	// Log, if not nil, receives one line per call of a WASI function in
	// LogScopes (zero means LogScopeAll), as wazero's --hostlogging
	// writes: the function, its named arguments (path strings read from
	// the guest's memory), then the results it wrote and its errno, or
	// the error that ended the call:
	//
	//	wasi_snapshot_preview1.fd_write(fd=1,iovs=1024,iovs_len=1) => (nwritten=6,errno=ESUCCESS)
	//
	// Each line is one Write, made on the guest's goroutine; give guests
	// that run concurrently a writer safe for concurrent use. Without
	// Log a call pays one comparison.
	Log       io.Writer
	LogScopes LogScopes
}

// Mount makes a host directory (or any experimental/sys.FS) visible to the
// guest under GuestPath.
type Mount struct {
	// HostDir is the host directory. Ignored when FS is set.
	HostDir string
	// GuestPath is the preopen name the guest resolves paths against,
	// e.g. "/", "." or "/data". Default: HostDir.
	GuestPath string
	// ReadOnly makes every write through the mount fail with EROFS
	// (sysfs.ReadFS).
	ReadOnly bool
	// FS, if set, serves the mount instead of sysfs.DirFS(HostDir).
	FS experimentalsys.FS
}

// Module is an instantiated WASI host module. Close it after the guests
// that import it are done. It is safe for concurrent use by guests
// created with WithConfig.
type Module struct {
	insts []instance.Instance
	st    *state
}

// Instantiate registers WASI preview1 in rt under ModuleName and
// UnstableModuleName. cfg is the environment of the guests created
// without WithConfig (the zero Config if every guest has its own). A
// guest whose instance.ModuleConfig sets any of Args, Env, Stdin, Stdout,
// Stderr and FS gets its own process, made when it is instantiated and
// closed with it: cfg with those fields replaced (FS replaces
// cfg.Mounts: it is mounted read-only at "/" through sysfs.AdaptFS, as
// wazero's ModuleConfig.WithFS does); the fields left nil keep cfg's.
// Without mounts and listeners, a closed guest's process serves a later
// guest, so that it costs no allocation. Instantiate fails if a mount's
// host directory does not exist or the names are taken
// (instance.ErrNameTaken: one Module per runtime).
func Instantiate(ctx context.Context, rt *instance.Runtime, cfg Config) (*Module, error) {
	if rt == nil {
		return nil, fmt.Errorf("wasi: Instantiate: nil runtime: %w", instance.ErrClosed)
	}
	st, err := newState(cfg)
	if err != nil {
		return nil, err
	}
	m := &Module{st: st}
	fromConfig, closeState := stateFromModuleConfig(cfg)
	for _, name := range []string{ModuleName, UnstableModuleName} {
		b := rt.NewHostModuleBuilder(name).
			WithImporterValueFunc(stateKey{}, fromConfig, closeState)
		for _, f := range functions {
			b = b.NewFunctionBuilder().
				WithGoModuleFunction(wrap(st, f), f.params, f.results).
				WithName(f.name).
				Export(f.name)
		}
		inst, err := b.Instantiate(ctx)
		if err != nil {
			m.Close(ctx)
			return nil, err
		}
		m.insts = append(m.insts, inst)
	}
	return m, nil
}

// MustInstantiate is Instantiate with the zero Config, panicking on an
// error, as wazero's wasi_snapshot_preview1.MustInstantiate: for
// programs that register WASI once at start-up. Guests get their args,
// env, stdio and files from their instance.ModuleConfig (WithArgs,
// WithStdout, WithFS, ...) or from WithConfig; those with neither have
// none (no args, no files, output discarded, as under wazero's
// NewModuleConfig). The result may be dropped: with the zero Config the
// Module holds no descriptors, and Runtime.Close closes its instances.
func MustInstantiate(ctx context.Context, rt *instance.Runtime) *Module {
	m, err := Instantiate(ctx, rt, Config{})
	if err != nil {
		panic(err)
	}
	return m
}

// Close closes the host module instances and every descriptor the guests
// without their own Config left open (not the io.Reader/Writer of stdio,
// nor Config.Listeners). Guests created with WithConfig close their
// descriptors when they are closed.
func (m *Module) Close(ctx context.Context) error {
	if m == nil {
		return nil
	}
	for _, i := range m.insts {
		_ = i.Close(ctx)
	}
	m.insts = nil
	m.st.closeAll()
	return nil
}

// stateKey is the key of a guest's own WASI state among its instance's
// host values.
type stateKey struct{}

// WithConfig returns a copy of mc that gives each instance created with
// it its own WASI process with the environment cfg: arguments,
// environment variables, stdio, and a descriptor table holding stdio,
// the mounts (opened when the instance is created; a missing host
// directory fails the instantiation) and the listeners. The descriptors
// the guest leaves open are closed by instance.Instance.Close. Listeners
// are shared by every instance made with the returned ModuleConfig:
// give a listener to one guest at a time. cfg is the whole environment:
// mc's Args, Env, Stdin, Stdout, Stderr and FS are not read.
//
// Without mounts and listeners, the state of a closed instance (its
// descriptor table emptied, stdio set up afresh) serves a later instance
// made with the same ModuleConfig, so that a guest's WASI process costs
// few allocations.
func WithConfig(mc instance.ModuleConfig, cfg Config) instance.ModuleConfig {
	var free freeStates
	return mc.WithValueFunc(stateKey{},
		func(context.Context) (any, error) {
			if s := free.get(&cfg); s != nil {
				s.openStdio()
				return s, nil
			}
			return newState(cfg)
		},
		func(v any) { free.put(v.(*state)) })
}

// freeStates holds closed guests' states for later guests: those without
// mounts or listeners (which are per guest), their descriptor tables
// emptied.
type freeStates struct{ p sync.Pool }

// recyclable reports whether a state of cfg may serve a later guest.
func recyclable(cfg *Config) bool { return len(cfg.Mounts) == 0 && len(cfg.Listeners) == 0 }

// get returns a closed state to serve a guest of cfg, or nil.
func (f *freeStates) get(cfg *Config) *state {
	if !recyclable(cfg) {
		return nil
	}
	s, _ := f.p.Get().(*state)
	return s
}

// put closes s's descriptors and keeps s if it may serve a later guest.
func (f *freeStates) put(s *state) {
	s.closeAll()
	if recyclable(&s.cfg) {
		f.p.Put(s)
	}
}

// stateFromModuleConfig returns the importer value of the WASI host
// module and its closer: a guest's own process when its ModuleConfig
// sets any of Args, Env, Stdin, Stdout, Stderr or FS, made from base (the
// Module's Config) with those replaced; nil (the Module's own process)
// otherwise. Without mounts and listeners, the state of a closed guest
// serves a later one (as WithConfig's do), its environment replaced.
func stateFromModuleConfig(base Config) (newVal func(context.Context, instance.ModuleConfig) (any, error), closeVal func(any)) {
	var free freeStates
	closeVal = func(v any) { free.put(v.(*state)) }
	newVal = func(_ context.Context, mc instance.ModuleConfig) (any, error) {
		if mc.Args == nil && mc.Env == nil && mc.Stdin == nil && mc.Stdout == nil && mc.Stderr == nil && mc.FS == nil {
			return nil, nil
		}
		cfg := base
		if mc.Args != nil {
			cfg.Args = mc.Args
		}
		if mc.Env != nil {
			cfg.Env = mc.Env
		}
		if mc.Stdin != nil {
			cfg.Stdin = mc.Stdin
		}
		if mc.Stdout != nil {
			cfg.Stdout = mc.Stdout
		}
		if mc.Stderr != nil {
			cfg.Stderr = mc.Stderr
		}
		if mc.FS != nil {
			cfg.Mounts = []Mount{{FS: &sysfs.AdaptFS{FS: mc.FS}, GuestPath: "/"}}
		}
		if s := free.get(&cfg); s != nil {
			defaults(&cfg)
			s.cfg, s.args, s.env = cfg, cfg.Args, cfg.Env
			s.openStdio()
			return s, nil
		}
		s, err := newState(cfg)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return newVal, closeVal
}

// Run calls the guest's WASI entry point: _initialize if it is a reactor
// (exports _initialize), else _start. A proc_exit(0) counts as success;
// any other exit gives an error for which ExitCode reports the code. A
// closed guest (or the zero Instance) gives an error matching
// instance.ErrClosed; a guest exporting neither function, nil. A reactor
// instantiated with ModuleConfig.WithStartFunctions("_initialize") is
// initialised already: call its exports, not Run, which would run
// _initialize a second time.
func Run(ctx context.Context, guest instance.Instance) error {
	if guest.Closed() {
		return fmt.Errorf("wasi: Run: guest module %w", instance.ErrClosed)
	}
	for _, name := range []string{"_initialize", "_start"} {
		if f := guest.ExportedFunction(name); !f.IsNil() {
			_, err := f.Call(ctx)
			if code, ok := ExitCode(err); ok && code == 0 {
				return nil
			}
			return err
		}
	}
	return nil
}

// ExitCode reports the exit code of a guest that called proc_exit (or was
// ended by proc_raise): ok is false if err does not wrap a *sys.ExitError.
func ExitCode(err error) (code uint32, ok bool) {
	// errors.As, without its allocation: every command ends here.
	switch e := err.(type) {
	case nil:
		return 0, false
	case *sys.ExitError:
		return e.ExitCode(), true
	case *instance.TrapError: // its Unwrap allocates
		return ExitCode(e.Cause)
	case interface{ Unwrap() error }:
		return ExitCode(e.Unwrap())
	case interface{ Unwrap() []error }:
		for _, u := range e.Unwrap() {
			if code, ok := ExitCode(u); ok {
				return code, true
			}
		}
	}
	return 0, false
}

// hostFunc is one WASI function: its name, signature and code. The code
// returns the errno that becomes the single i32 result (for functions
// that have one), or an error that ends the call.
type hostFunc struct {
	name            string
	params, results []api.ValueType
	fn              func(s *state, c *call) (errno, error)
}

// call is what a WASI function sees: the context, the caller's memory and
// the stack (params on entry).
type call struct {
	ctx   context.Context
	mem   instance.Memory
	stack []uint64
	// iovs backs iovecs for the usual few buffers.
	iovs [4][2]uint32
}

func (c *call) u32(i int) uint32 { return uint32(c.stack[i]) }
func (c *call) u64(i int) uint64 { return c.stack[i] }
func (c *call) i64(i int) int64  { return int64(c.stack[i]) }

// calls holds free call records (see wrap).
var calls = sync.Pool{New: func() any { return new(call) }}

// wrap makes the host function of f, serving the caller's own state
// (WithConfig) or, without one, the module's state def.
func wrap(def *state, f hostFunc) instance.GoModuleFunc {
	scope := scopeOf(f.name)
	return func(ctx context.Context, caller instance.Instance, stack []uint64) error {
		// The call goes through f.fn, a func value, so it escapes: take it
		// from a pool rather than allocate one per WASI call. No function
		// keeps it (their goroutines capture readers and channels only).
		c := calls.Get().(*call)
		c.ctx, c.stack = ctx, stack
		s := def
		if !caller.Closed() {
			c.mem = caller.Memory()
			if own, ok := caller.Value(stateKey{}).(*state); ok {
				s = own
			}
		}
		var e errno
		var err error
		if s.cfg.Log != nil && s.cfg.LogScopes&scope != 0 {
			e, err = loggedCall(s, c, &f)
		} else {
			e, err = f.fn(s, c)
		}
		c.ctx, c.mem, c.stack = nil, instance.Memory{}, nil
		calls.Put(c)
		if err != nil {
			return err
		}
		if len(f.results) > 0 {
			stack[0] = uint64(e)
		}
		return nil
	}
}

const (
	i32 = api.ValueTypeI32
	i64 = api.ValueTypeI64
)

// mountFS builds the sys.FS of a mount.
func mountFS(m Mount) (experimentalsys.FS, error) {
	f := m.FS
	if f == nil {
		if m.HostDir == "" {
			return nil, errors.New("wasi: mount without HostDir or FS")
		}
		if st, err := statDir(m.HostDir); err != nil {
			return nil, fmt.Errorf("wasi: mount %s: %w", m.HostDir, err)
		} else if !st.IsDir() {
			return nil, fmt.Errorf("wasi: mount %s: not a directory", m.HostDir)
		}
		f = sysfs.DirFS(m.HostDir)
	}
	if m.ReadOnly {
		f = readOnlyFS{&sysfs.ReadFS{FS: f}}
	}
	return f, nil
}

// readOnlyFS completes sysfs.ReadFS for WASI: opening for writing fails
// with EROFS (ReadFS says ENOSYS), and so do O_CREAT of a missing file and
// O_TRUNC, which ReadFS would pass through to the file system beneath.
type readOnlyFS struct{ *sysfs.ReadFS }

// OpenFile opens path for reading only: see readOnlyFS.
func (r readOnlyFS) OpenFile(path string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	if flag&(experimentalsys.O_WRONLY|experimentalsys.O_RDWR) != 0 {
		if flag&experimentalsys.O_DIRECTORY != 0 {
			return nil, experimentalsys.EISDIR
		}
		return nil, experimentalsys.EROFS
	}
	if flag&experimentalsys.O_TRUNC != 0 {
		return nil, experimentalsys.EROFS
	}
	if flag&experimentalsys.O_CREAT != 0 {
		if _, e := r.ReadFS.Stat(path); e == experimentalsys.ENOENT {
			return nil, experimentalsys.EROFS
		} else if flag&experimentalsys.O_EXCL != 0 && e == 0 {
			return nil, experimentalsys.EEXIST
		}
		flag &^= experimentalsys.O_CREAT | experimentalsys.O_EXCL
	}
	return r.ReadFS.OpenFile(path, flag, perm)
}

var start = time.Now()

// emptyReader is a stdin at end of file; it has no state, so every guest
// can share it.
type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, io.EOF }

func defaults(cfg *Config) {
	if cfg.Log != nil && cfg.LogScopes == 0 {
		cfg.LogScopes = LogScopeAll
	}
	if cfg.Stdin == nil {
		cfg.Stdin = emptyReader{}
	}
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	if cfg.Walltime == nil {
		cfg.Walltime = func() int64 { return time.Now().UnixNano() }
	}
	if cfg.Nanotime == nil {
		cfg.Nanotime = func() int64 { return int64(time.Since(start)) }
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
}
