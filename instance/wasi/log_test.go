package wasi

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wpi-dev/wpi/instance"
)

func TestLog(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, module string
		scopes       LogScopes
		want         []string
	}{
		{"all", "echoargs", LogScopeAll, []string{
			"wasi_snapshot_preview1.args_sizes_get() => (argc=2,argv_len=9,errno=ESUCCESS)",
			"wasi_snapshot_preview1.args_get(argv=64,argv_buf=1024) => (errno=ESUCCESS)",
			"wasi_snapshot_preview1.fd_write(fd=1,iovs=16,iovs_len=1) => (nwritten=3,errno=ESUCCESS)",
		}},
		{"filesystem", "echoargs", LogScopeFilesystem, []string{
			"wasi_snapshot_preview1.fd_write(fd=1,iovs=16,iovs_len=1) => (nwritten=3,errno=ESUCCESS)",
		}},
		{"zero means all", "echoargs", 0, []string{
			"wasi_snapshot_preview1.args_sizes_get() => (argc=2,argv_len=9,errno=ESUCCESS)",
			"wasi_snapshot_preview1.args_get(argv=64,argv_buf=1024) => (errno=ESUCCESS)",
			"wasi_snapshot_preview1.fd_write(fd=1,iovs=16,iovs_len=1) => (nwritten=3,errno=ESUCCESS)",
		}},
		{"clock", "echoargs", LogScopeClock, nil},
		{"proc", "hello", LogScopeProc, []string{
			"wasi_snapshot_preview1.proc_exit(rval=3) => error: module closed with exit_code(3)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, cm := guestRuntime(t, 1, Config{}, tt.module)
			var log, out bytes.Buffer
			inst, err := rt.Instantiate(ctx, cm, WithConfig(instance.ModuleConfig{},
				Config{Args: []string{"prog", "abc"}, Stdout: &out, Log: &log, LogScopes: tt.scopes}))
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close(ctx)
			_ = Run(ctx, inst)
			var got []string
			if log.Len() > 0 {
				got = strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("log (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLogPathArgument(t *testing.T) {
	ctx := context.Background()
	rt, cm := guestRuntime(t, 1, Config{}, "pathopen")
	var log bytes.Buffer
	inst, err := rt.Instantiate(ctx, cm, WithConfig(instance.ModuleConfig{},
		Config{Mounts: []Mount{{HostDir: t.TempDir(), GuestPath: "/"}}, Log: &log, LogScopes: LogScopeFilesystem}))
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	if _, err := inst.ExportedFunction("open").Call(ctx); err != nil {
		t.Fatal(err)
	}
	want := `wasi_snapshot_preview1.path_open(fd=3,dirflags=0,path="missing.txt",oflags=0,fs_rights_base=0,fs_rights_inheriting=0,fdflags=0) => (errno=ENOENT)` + "\n"
	if diff := cmp.Diff(want, log.String()); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}

func TestParseLogScopes(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want LogScopes
		err  bool
	}{
		{"", 0, false},
		{"all", LogScopeAll, false},
		{"filesystem,clock", LogScopeFilesystem | LogScopeClock, false},
		{"random, sock,proc,poll", LogScopeRandom | LogScopeSock | LogScopeProc | LogScopePoll, false},
		{"fs", 0, true},
	} {
		got, err := ParseLogScopes(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseLogScopes(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err == nil && tt.want != 0 {
			back, _ := ParseLogScopes(got.String())
			if back != got {
				t.Errorf("ParseLogScopes(%q.String() = %q) = %v", tt.in, got.String(), back)
			}
		}
	}
}
