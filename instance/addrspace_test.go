// RLIMIT_AS and a 47-bit user address space: Linux on 64-bit hosts.

//go:build linux && (amd64 || arm64 || riscv64 || ppc64le || ppc64 || s390x || loong64 || mips64 || mips64le)

package instance

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestDefaultRuntimeUnderAddressSpaceLimit runs, in a child process
// whose RLIMIT_AS is 8 GiB (as under ulimit -v), a default Runtime: its
// 1 TiB reservation is refused, and NewRuntime must fall back to a pool
// that fits and instantiate and run a module in it.
func TestDefaultRuntimeUnderAddressSpaceLimit(t *testing.T) {
	if os.Getenv("WPI_RLIMIT_CHILD") == "1" {
		lim := unix.Rlimit{Cur: 8 << 30, Max: 8 << 30}
		if err := unix.Setrlimit(unix.RLIMIT_AS, &lim); err != nil {
			t.Fatal(err)
		}
		rt, err := NewRuntime(ctx, Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer rt.Close(ctx)
		if uint64(rt.cfg.MemorySlots)*rt.cfg.MemorySlotBytes > 8<<30 {
			t.Fatalf("pool of %d x %d bytes under an 8 GiB limit", rt.cfg.MemorySlots, rt.cfg.MemorySlotBytes)
		}
		cm, err := rt.Compile(ctx, readWasm(t, "echo"))
		if err != nil {
			t.Fatal(err)
		}
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		defer inst.Close(ctx)
		res, err := inst.ExportedFunction("echo").Call(ctx, 7, 2) // returns 1
		if err != nil || res[0] != 1 {
			t.Fatalf("echo(7, 2) = %v, %v", res, err)
		}
		return
	}
	if raceEnabled {
		t.Skip("the race detector's shadow mappings do not fit an 8 GiB RLIMIT_AS")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDefaultRuntimeUnderAddressSpaceLimit$", "-test.v")
	cmd.Env = append(os.Environ(), "WPI_RLIMIT_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("child under RLIMIT_AS 8 GiB: %v\n%s", err, out)
	}
}

// TestExplicitPoolSizeIsKept checks that a pool size the caller chose is
// never shrunk behind its back: a reservation that cannot be made fails
// with an error naming the knobs.
func TestExplicitPoolSizeIsKept(t *testing.T) {
	// 2^16 slots of 4 GiB is 256 TiB, past a 47-bit user address space.
	_, err := NewRuntime(ctx, Config{MemorySlots: 1 << 16, MemorySlotBytes: 4 << 30})
	if err == nil {
		t.Fatal("NewRuntime reserved 256 TiB")
	}
	for _, knob := range []string{"Config.MemorySlots", "Config.MemorySlotBytes", "65536 slots"} {
		if !strings.Contains(err.Error(), knob) {
			t.Errorf("error %q does not name %q", err, knob)
		}
	}
}
