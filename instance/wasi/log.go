package wasi

import (
	"fmt"
	"strconv"
	"strings"
)

// LogScopes selects the WASI functions whose calls Config.Log records.
// The scopes and their names are wazero's --hostlogging ones.
type LogScopes uint32

// Log scopes.
const (
	// LogScopeClock: clock_res_get, clock_time_get.
	LogScopeClock LogScopes = 1 << iota
	// LogScopeProc: proc_exit, proc_raise.
	LogScopeProc
	// LogScopeFilesystem: every fd_... and path_... function.
	LogScopeFilesystem
	// LogScopePoll: poll_oneoff.
	LogScopePoll
	// LogScopeRandom: random_get.
	LogScopeRandom
	// LogScopeSock: sock_accept, sock_recv, sock_send, sock_shutdown.
	LogScopeSock
	// LogScopeAll: every function, args_..., environ_... and sched_yield
	// included.
	LogScopeAll LogScopes = 1<<32 - 1
)

var scopeNames = []struct {
	name  string
	scope LogScopes
}{
	{"all", LogScopeAll},
	{"clock", LogScopeClock},
	{"proc", LogScopeProc},
	{"filesystem", LogScopeFilesystem},
	{"poll", LogScopePoll},
	{"random", LogScopeRandom},
	{"sock", LogScopeSock},
}

// ParseLogScopes parses a comma-separated list of scope names (all,
// clock, proc, filesystem, poll, random, sock), as wazero's --hostlogging
// takes them. The empty list is no scope; an unknown name is an error.
func ParseLogScopes(list string) (LogScopes, error) {
	var s LogScopes
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		found := false
		for _, sn := range scopeNames {
			if sn.name == n {
				s |= sn.scope
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("wasi: unknown log scope %q (want all, clock, proc, filesystem, poll, random or sock)", n)
		}
	}
	return s, nil
}

// String returns the scopes as ParseLogScopes reads them.
func (s LogScopes) String() string {
	if s == LogScopeAll {
		return "all"
	}
	var names []string
	for _, sn := range scopeNames[1:] {
		if s&sn.scope != 0 {
			names = append(names, sn.name)
		}
	}
	return strings.Join(names, ",")
}

// scopeOf returns the log scope of the WASI function name.
func scopeOf(name string) LogScopes {
	switch {
	case strings.HasPrefix(name, "clock_"):
		return LogScopeClock
	case strings.HasPrefix(name, "proc_"):
		return LogScopeProc
	case strings.HasPrefix(name, "fd_"), strings.HasPrefix(name, "path_"):
		return LogScopeFilesystem
	case name == "poll_oneoff":
		return LogScopePoll
	case name == "random_get":
		return LogScopeRandom
	case strings.HasPrefix(name, "sock_"):
		return LogScopeSock
	}
	return 1 << 31 // only in LogScopeAll
}

// paramNames are the parameter names of the WASI functions (the spec's
// witx). "$name" is a pointer whose length is the next parameter: the
// log shows the string. ">name:T" is a pointer to a result of type T
// (u16, u32 or u64) the function writes: the log shows the value after a
// successful call.
var paramNames = map[string][]string{
	"args_get":                {"argv", "argv_buf"},
	"args_sizes_get":          {">argc:u32", ">argv_len:u32"},
	"environ_get":             {"environ", "environ_buf"},
	"environ_sizes_get":       {">environc:u32", ">environ_len:u32"},
	"clock_res_get":           {"id", ">resolution:u64"},
	"clock_time_get":          {"id", "precision", ">timestamp:u64"},
	"fd_advise":               {"fd", "offset", "len", "advice"},
	"fd_allocate":             {"fd", "offset", "len"},
	"fd_close":                {"fd"},
	"fd_datasync":             {"fd"},
	"fd_fdstat_get":           {"fd", "stat"},
	"fd_fdstat_set_flags":     {"fd", "flags"},
	"fd_fdstat_set_rights":    {"fd", "fs_rights_base", "fs_rights_inheriting"},
	"fd_filestat_get":         {"fd", "buf"},
	"fd_filestat_set_size":    {"fd", "size"},
	"fd_filestat_set_times":   {"fd", "atim", "mtim", "fst_flags"},
	"fd_pread":                {"fd", "iovs", "iovs_len", "offset", ">nread:u32"},
	"fd_prestat_get":          {"fd", "buf"},
	"fd_prestat_dir_name":     {"fd", "path", "path_len"},
	"fd_pwrite":               {"fd", "iovs", "iovs_len", "offset", ">nwritten:u32"},
	"fd_read":                 {"fd", "iovs", "iovs_len", ">nread:u32"},
	"fd_readdir":              {"fd", "buf", "buf_len", "cookie", ">bufused:u32"},
	"fd_renumber":             {"fd", "to"},
	"fd_seek":                 {"fd", "offset", "whence", ">newoffset:u64"},
	"fd_sync":                 {"fd"},
	"fd_tell":                 {"fd", ">offset:u64"},
	"fd_write":                {"fd", "iovs", "iovs_len", ">nwritten:u32"},
	"path_create_directory":   {"fd", "$path", "path_len"},
	"path_filestat_get":       {"fd", "flags", "$path", "path_len", "buf"},
	"path_filestat_set_times": {"fd", "flags", "$path", "path_len", "atim", "mtim", "fst_flags"},
	"path_link":               {"old_fd", "old_flags", "$old_path", "old_path_len", "new_fd", "$new_path", "new_path_len"},
	"path_open":               {"fd", "dirflags", "$path", "path_len", "oflags", "fs_rights_base", "fs_rights_inheriting", "fdflags", ">opened_fd:u32"},
	"path_readlink":           {"fd", "$path", "path_len", "buf", "buf_len", ">bufused:u32"},
	"path_remove_directory":   {"fd", "$path", "path_len"},
	"path_rename":             {"fd", "$old_path", "old_path_len", "new_fd", "$new_path", "new_path_len"},
	"path_symlink":            {"$old_path", "old_path_len", "fd", "$new_path", "new_path_len"},
	"path_unlink_file":        {"fd", "$path", "path_len"},
	"poll_oneoff":             {"in", "out", "nsubscriptions", ">nevents:u32"},
	"proc_exit":               {"rval"},
	"proc_raise":              {"sig"},
	"sched_yield":             nil,
	"random_get":              {"buf", "buf_len"},
	"sock_accept":             {"fd", "flags", ">fd:u32"},
	"sock_recv":               {"fd", "ri_data", "ri_data_len", "ri_flags", ">ro_datalen:u32", ">ro_flags:u16"},
	"sock_send":               {"fd", "si_data", "si_data_len", "si_flags", ">so_datalen:u32"},
	"sock_shutdown":           {"fd", "how"},
}

// errnoNames are the errno names as the spec's C header spells them.
var errnoNames = [...]string{
	"ESUCCESS", "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN", "EALREADY",
	"EBADF", "EBADMSG", "EBUSY", "ECANCELED", "ECHILD", "ECONNABORTED", "ECONNREFUSED", "ECONNRESET",
	"EDEADLK", "EDESTADDRREQ", "EDOM", "EDQUOT", "EEXIST", "EFAULT", "EFBIG", "EHOSTUNREACH", "EIDRM",
	"EILSEQ", "EINPROGRESS", "EINTR", "EINVAL", "EIO", "EISCONN", "EISDIR", "ELOOP", "EMFILE", "EMLINK",
	"EMSGSIZE", "EMULTIHOP", "ENAMETOOLONG", "ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE", "ENOBUFS",
	"ENODEV", "ENOENT", "ENOEXEC", "ENOLCK", "ENOLINK", "ENOMEM", "ENOMSG", "ENOPROTOOPT", "ENOSPC",
	"ENOSYS", "ENOTCONN", "ENOTDIR", "ENOTEMPTY", "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP", "ENOTTY",
	"ENXIO", "EOVERFLOW", "EOWNERDEAD", "EPERM", "EPIPE", "EPROTO", "EPROTONOSUPPORT", "EPROTOTYPE",
	"ERANGE", "EROFS", "ESPIPE", "ESRCH", "ESTALE", "ETIMEDOUT", "ETXTBSY", "EXDEV", "ENOTCAPABLE",
}

// String returns the errno's name, e.g. "EBADF".
func (e errno) String() string {
	if int(e) < len(errnoNames) {
		return errnoNames[e]
	}
	return "errno(" + strconv.Itoa(int(e)) + ")"
}

// logCall writes one line for a call of f: its name and named
// arguments, then the results it wrote and its errno (or the error that
// ended the call). params are the argument cells, saved before the call.
func logCall(s *state, c *call, f *hostFunc, params []uint64, e errno, err error) {
	b := make([]byte, 0, 128)
	b = append(b, ModuleName...)
	b = append(b, '.')
	b = append(b, f.name...)
	b = append(b, '(')
	names := paramNames[f.name]
	var results []byte
	skip := -1 // the length of a string argument, shown as the string
	for i, p := range params {
		if i == skip {
			continue
		}
		name := "arg" + strconv.Itoa(i)
		if i < len(names) {
			name = names[i]
		}
		if strings.HasPrefix(name, ">") {
			rname, typ, _ := strings.Cut(name[1:], ":")
			if err == nil && e == errSuccess {
				if v, ok := readResult(c, uint32(p), typ); ok {
					results = append(results, rname...)
					results = append(results, '=')
					results = strconv.AppendUint(results, v, 10)
					results = append(results, ',')
				}
			}
			continue
		}
		if b[len(b)-1] != '(' {
			b = append(b, ',')
		}
		if strings.HasPrefix(name, "$") && i+1 < len(params) {
			b = append(b, name[1:]...)
			b = append(b, '=')
			if str, ok := c.mem.Read(uint32(p), uint32(params[i+1])); ok {
				b = strconv.AppendQuote(b, string(str))
			} else {
				b = append(b, "<out of range>"...)
			}
			skip = i + 1
			continue
		}
		b = append(b, name...)
		b = append(b, '=')
		if f.params[i] == i64 {
			b = strconv.AppendUint(b, p, 10)
		} else {
			b = strconv.AppendUint(b, uint64(uint32(p)), 10)
		}
	}
	b = append(b, ") => "...)
	switch {
	case err != nil:
		b = append(b, "error: "...)
		b = append(b, strings.Join(strings.Fields(err.Error()), " ")...)
	case len(f.results) == 0:
		b = append(b, "()"...)
	default:
		b = append(b, '(')
		b = append(b, results...)
		b = append(b, "errno="...)
		b = append(b, e.String()...)
		b = append(b, ')')
	}
	b = append(b, '\n')
	s.cfg.Log.Write(b)
}

// readResult reads a result of type typ the function wrote at ptr.
func readResult(c *call, ptr uint32, typ string) (uint64, bool) {
	switch typ {
	case "u16":
		v, ok := c.mem.ReadUint16Le(ptr)
		return uint64(v), ok
	case "u32":
		v, ok := c.mem.ReadUint32Le(ptr)
		return uint64(v), ok
	case "u64":
		return c.mem.ReadUint64Le(ptr)
	}
	return 0, false
}

// loggedCall runs f with its arguments saved, and logs the call.
func loggedCall(s *state, c *call, f *hostFunc) (errno, error) {
	var saved [9]uint64 // path_open has the most parameters
	params := saved[:copy(saved[:], c.stack[:len(f.params)])]
	e, err := f.fn(s, c)
	logCall(s, c, f, params, e, err)
	return e, err
}
