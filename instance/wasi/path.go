package wasi

import (
	"io/fs"
	"strings"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// maxSymlinks bounds the symlinks followed while resolving one path
// (Linux's MAXSYMLINKS); more is ELOOP.
const maxSymlinks = 40

// resolved is a path resolved inside a mount: rel is clean, relative to
// the mount's root ("" for the root itself), and none of its components
// except possibly the last is a symlink (the last is one only when the
// lookup did not follow it). dir reports a trailing slash: the result
// must be a directory.
type resolved struct {
	mount *mountPoint
	rel   string
	dir   bool
	// dot reports a path whose last component is "." or "..": it names
	// a directory through an alias (the directory itself, or its
	// parent), which can be opened or stat'ed but never removed or
	// renamed (POSIX rmdir and rename fail on such a path), so that no
	// path reaches a preopened directory, or the directory of an open
	// descriptor, to remove it.
	dot bool
}

// resolve resolves the guest path p relative to the directory descriptor
// dirfd. Symlinks in intermediate components are followed, inside the
// mount; the last component's is followed when follow is set.
//
// The sandbox (WASI's path resolution rules, as in wasi-filesystem's
// path-resolution.md): an absolute path, a ".." that would climb above
// the mount's root, or a symlink with an absolute target or one that
// climbs out, fail with EPERM. The host file system is only ever asked
// about the paths this function builds, all of them inside the mount.
func (s *state) resolve(dirfd uint32, p string, follow bool) (resolved, errno) {
	e, en := s.lookup(dirfd)
	if en != errSuccess {
		return resolved{}, en
	}
	if e.kind != kindFile {
		return resolved{}, errNotdir
	}
	if !e.isDir {
		return resolved{}, errNotdir
	}
	if p == "" {
		return resolved{}, errNoent
	}
	if strings.IndexByte(p, 0) >= 0 {
		return resolved{}, errIlseq
	}
	if p[0] == '/' {
		return resolved{}, errPerm
	}
	trailing := strings.HasSuffix(p, "/")
	if trailing {
		follow = true
	}
	var stack []string
	if e.path != "" {
		stack = strings.Split(e.path, "/")
	}
	rest := splitPath(p)
	dot := len(rest) > 0 && (rest[len(rest)-1] == "." || rest[len(rest)-1] == "..")
	links := 0
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case ".":
			continue
		case "..":
			if len(stack) == 0 {
				return resolved{}, errPerm
			}
			stack = stack[:len(stack)-1]
			continue
		}
		cand := joinPath(append(stack, c))
		last := len(rest) == 0
		if last && !follow {
			stack = append(stack, c)
			break
		}
		st, se := e.mount.fs.Lstat(cand)
		if se != 0 {
			if se == experimentalsys.ENOENT && last {
				// A missing last component: fine for creation.
				stack = append(stack, c)
				break
			}
			return resolved{}, fromSys(se)
		}
		if st.Mode&fs.ModeSymlink == 0 {
			if !last && !st.Mode.IsDir() {
				return resolved{}, errNotdir
			}
			stack = append(stack, c)
			continue
		}
		links++
		if links > maxSymlinks {
			return resolved{}, errLoop
		}
		target, se := e.mount.fs.Readlink(cand)
		if se != 0 {
			return resolved{}, fromSys(se)
		}
		if target == "" {
			return resolved{}, errNoent
		}
		if target[0] == '/' {
			return resolved{}, errPerm
		}
		if strings.HasSuffix(target, "/") && last {
			trailing = true
		}
		rest = append(splitPath(target), rest...)
	}
	return resolved{mount: e.mount, rel: joinPath(stack), dir: trailing, dot: dot}, errSuccess
}

// splitPath splits p on '/', dropping empty components.
func splitPath(p string) []string {
	parts := strings.Split(p, "/")
	out := parts[:0]
	for _, c := range parts {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

func joinPath(parts []string) string { return strings.Join(parts, "/") }

// fsPath is the path to hand to the mount's sys.FS ("." for the root).
func (r resolved) fsPath() string {
	if r.rel == "" {
		return "."
	}
	return r.rel
}
