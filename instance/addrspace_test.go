// RLIMIT_AS and a 47-bit user address space: Linux on 64-bit hosts.

//go:build linux && (amd64 || arm64 || riscv64 || ppc64le || ppc64 || s390x || loong64 || mips64 || mips64le)

package instance

import (
	"github.com/google/go-cmp/cmp"

	"bufio"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestDefaultRuntimeUnderAddressSpaceLimit runs, in a child process
// whose RLIMIT_AS is 8 GiB (as under ulimit -v), a default Runtime: the
// first chunk of its pool (4 slots of 4 GiB) is refused, and NewRuntime
// must fall back to smaller slots that fit, keep MemorySlots, and grow
// the pool as far as the limit lets it: at least the first chunk's
// instances open at once, and the next fails with ErrNoSlot, not a
// crash. An explicit slot size that cannot fit fails with an error
// naming the knobs.
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
		if rt.cfg.MemorySlots != DefaultSlots || rt.cfg.MemorySlotBytes >= DefaultSlotBytes {
			t.Fatalf("pool of %d x %d bytes under an 8 GiB limit, want %d smaller slots", rt.cfg.MemorySlots, rt.cfg.MemorySlotBytes, DefaultSlots)
		}
		cm, err := rt.Compile(ctx, readWasm(t, "echo"))
		if err != nil {
			t.Fatal(err)
		}
		var open []Instance
		for len(open) < 64 {
			inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
			if err != nil {
				if !errors.Is(err, ErrNoSlot) || !errors.Is(err, unix.ENOMEM) {
					t.Fatalf("instance %d: %v, want ErrNoSlot wrapping ENOMEM", len(open), err)
				}
				t.Logf("instance %d: %v", len(open), err)
				break
			}
			res, err := inst.ExportedFunction("echo").Call(ctx, 7, 2) // returns 1
			if err != nil || res[0] != 1 {
				t.Fatalf("echo(7, 2) = %v, %v", res, err)
			}
			open = append(open, inst)
		}
		st := rt.PoolStats()
		t.Logf("%d instances open at once in %d reserved slots of %d bytes (%d chunks)", len(open), st.Reserved, rt.cfg.MemorySlotBytes, st.Chunks)
		if len(open) < 4 || uint64(st.Reserved)*rt.cfg.MemorySlotBytes > 8<<30 {
			t.Errorf("%d instances, %d slots of %d bytes reserved under an 8 GiB limit", len(open), st.Reserved, rt.cfg.MemorySlotBytes)
		}
		for _, inst := range open {
			inst.Close(ctx)
		}
		_, err = NewRuntime(ctx, Config{MemorySlots: 8, MemorySlotBytes: 4 << 30})
		for _, knob := range []string{"Config.MemorySlots", "Config.MemorySlotBytes", "8 slots"} {
			if err == nil || !strings.Contains(err.Error(), knob) {
				t.Errorf("explicit 4 GiB slots under an 8 GiB limit: error %v does not name %q", err, knob)
			}
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
	t.Logf("child:\n%s", out)
}

// TestExplicitPoolSizeIsKept checks that a pool larger than the address
// space is accepted as configured (MemorySlots is a cap; only the first
// chunk is reserved) and that a Runtime holds no more than that chunk
// until its instances need more.
func TestExplicitPoolSizeIsKept(t *testing.T) {
	// 2^16 slots of 4 GiB is 256 TiB, past a 47-bit user address space.
	rt := newTestRuntime(t, Config{MemorySlots: 1 << 16, MemorySlotBytes: 4 << 30})
	if cfg := rt.Config(); cfg.MemorySlots != 1<<16 || cfg.MemorySlotBytes != 4<<30 {
		t.Errorf("config %d slots x %d bytes, want 65536 x 4 GiB", cfg.MemorySlots, cfg.MemorySlotBytes)
	}
	if st := rt.PoolStats(); st.Reserved != 4 || st.Chunks != 1 {
		t.Errorf("%d slots in %d chunks reserved, want the first chunk of 4", st.Reserved, st.Chunks)
	}
}

// TestMemoryInitialSlots checks that Config.MemoryInitialSlots reserves
// that many slots at NewRuntime (clamped to MemorySlots), that as many
// instances then need no further reservation, and that the next one
// reserves a chunk.
func TestMemoryInitialSlots(t *testing.T) {
	type reserved struct{ Initial, Reserved, Chunks int }
	for _, tc := range []struct {
		slots, initial int
		want           reserved
	}{
		{64, 0, reserved{4, 4, 1}},
		{64, 32, reserved{32, 32, 1}},
		{16, 100, reserved{16, 16, 1}},
	} {
		rt := newTestRuntime(t, Config{MemorySlots: tc.slots, MemoryInitialSlots: tc.initial, MemorySlotBytes: 2 * 65536})
		st := rt.PoolStats()
		got := reserved{rt.Config().MemoryInitialSlots, st.Reserved, st.Chunks}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("MemorySlots %d, MemoryInitialSlots %d (-want +got):\n%s", tc.slots, tc.initial, diff)
		}
		cm, err := rt.Compile(ctx, readWasm(t, "echo"))
		if err != nil {
			t.Fatal(err)
		}
		var insts []Instance
		for range got.Initial {
			inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
			if err != nil {
				t.Fatal(err)
			}
			insts = append(insts, inst)
		}
		if c := rt.PoolStats().Chunks; c != 1 {
			t.Errorf("MemoryInitialSlots %d: %d instances reserved %d chunks, want the first only", tc.initial, got.Initial, c)
		}
		if got.Initial < tc.slots {
			inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
			if err != nil {
				t.Fatal(err)
			}
			insts = append(insts, inst)
			if c := rt.PoolStats().Chunks; c != 2 {
				t.Errorf("MemoryInitialSlots %d: instance %d reserved %d chunks in all, want 2", tc.initial, got.Initial+1, c)
			}
		}
		for _, inst := range insts {
			inst.Close(ctx)
		}
	}
}

// TestManyDefaultRuntimes opens 1,000 default Runtimes in one process
// (200 with -short), each with an open instance, as a plugin host with a
// Runtime per tenant would. With the whole pool reserved up front (256
// slots of 4 GiB, 1 TiB each) the 47-bit address space held about 128 of
// them; reserved in chunks, an idle or lightly used Runtime holds its
// first chunk only (4 slots, 16 GiB plus 4 MiB of cards).
func TestManyDefaultRuntimes(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	bin := readWasm(t, "echo")
	vm0 := vmSize(t)
	rts := make([]*Runtime, 0, n)
	defer func() {
		for _, rt := range rts {
			if err := rt.Close(ctx); err != nil {
				t.Error(err)
			}
		}
	}()
	for i := range n {
		rt, err := NewRuntime(ctx, Config{})
		if err != nil {
			t.Fatalf("Runtime %d: %v", i, err)
		}
		rts = append(rts, rt)
		if cfg := rt.Config(); cfg.MemorySlots != DefaultSlots || cfg.MemorySlotBytes != DefaultSlotBytes {
			t.Fatalf("Runtime %d: %d slots x %d bytes, want the defaults", i, cfg.MemorySlots, cfg.MemorySlotBytes)
		}
		cm, err := rt.Compile(ctx, bin)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := rt.Instantiate(ctx, cm, ModuleConfig{})
		if err != nil {
			t.Fatalf("Runtime %d: %v", i, err)
		}
		if res, err := inst.ExportedFunction("echo").Call(ctx, 7, 2); err != nil || res[0] != 1 {
			t.Fatalf("Runtime %d: echo(7, 2) = %v, %v", i, res, err)
		}
	}
	vm1 := vmSize(t)
	t.Logf("%d default Runtimes, an instance open in each: %.1f GiB of address space each (VmSize %d -> %d GiB)",
		n, float64(vm1-vm0)/float64(n)/(1<<30), vm0>>30, vm1>>30)
	if per := (vm1 - vm0) / uint64(n); per > 17<<30 {
		t.Errorf("%d GiB of address space per Runtime, want the first chunk (16 GiB and its cards)", per>>30)
	}
}

// vmSize returns the process's address space in bytes (VmSize in
// /proc/self/status).
func vmSize(t *testing.T) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmSize:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmSize in /proc/self/status")
	return 0
}
