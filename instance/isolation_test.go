package instance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// tenantState is what a new tenant of a module must see.
type tenantState struct {
	Size   uint64
	Global uint64
	Table  []bool // which elements are set (element 0 by the element segment)
	Mem    []byte
}

func snapshot(inst Instance) tenantState {
	mem := inst.ExportedMemory("mem")
	if mem.IsNil() {
		mem = inst.ExportedMemory("memory")
	}
	b, _ := mem.Read(0, uint32(mem.Size()))
	st := tenantState{Size: mem.Size(), Mem: bytes.Clone(b)}
	if g := inst.ExportedGlobal("g"); !g.IsNil() {
		st.Global = g.Get()
	}
	if t := inst.ExportedTable("tab"); !t.IsNil() {
		st.Table = make([]bool, t.Size())
		for i := range st.Table {
			f, _ := t.Function(uint64(i))
			st.Table[i] = !f.IsNil()
		}
	}
	return st
}

// TestIsolation runs thousands of random tenants through a few slots, on
// two goroutines at once (run it with -race too): writes of every kind
// (stores across card boundaries, memory.fill/copy/init, host writes
// through Memory), grows of memory and table, global writes, traps
// midway, and tenants of another module in between. Every new tenant must
// see exactly its module's initial memory (bytes and size), globals and
// table, and pages it grows into must be zero; a tenant of a snapshot
// must see exactly the snapshot's memory, globals and table.
//
// WPI_SOAK=N runs N tenants in all instead (the soak: 10^6 through the
// same three slots); the tenancies also stop guests midway by fuel and
// by deadline and Reset instances in place (a Reset instance must look
// new too). New tenant kinds go in tenant's switch (a module in mods
// with its truth).
func TestIsolation(t *testing.T) {
	tenants := 1500
	if testing.Short() {
		tenants = 300
	}
	if n, _ := strconv.Atoi(os.Getenv("WPI_SOAK")); n > 0 {
		tenants = (n + 1) / 2
	}
	rt := newTestRuntime(t, Config{MemorySlots: 3, MemorySlotBytes: 1 << 20})
	mods := map[string]*CompiledModule{}
	truth := map[string]tenantState{}
	for _, name := range []string{"tenant", "echo"} {
		cm, err := rt.Compile(ctx, readWasm(t, name))
		if err != nil {
			t.Fatal(err)
		}
		mods[name] = cm
		// Ground truth: the first tenant of a never-used slot.
		fresh := newTestRuntime(t, Config{MemorySlots: 1, MemorySlotBytes: 1 << 20})
		inst, err := fresh.InstantiateWasm(ctx, readWasm(t, name), ModuleConfig{})
		if err != nil {
			t.Fatal(err)
		}
		truth[name] = snapshot(inst)
		inst.Close(ctx)
	}
	if cm := mods["tenant"]; cm.image == nil || !cm.recyclable {
		t.Fatalf("tenant module: image %v recyclable %v, want both", cm.image != nil, cm.recyclable)
	}
	// A snapshot of a tenant that grew and wrote its memory (sparsely: a
	// page high up, none between), set its global, grew its table and
	// dropped its passive segment: its tenants must see that state.
	src, err := rt.Instantiate(ctx, mods["tenant"], ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		fn   string
		args []uint64
	}{
		{"grow", []uint64{3}}, {"store64", []uint64{4*65536 + 777, 0x0123456789abcdef}},
		{"fill", []uint64{70000, 0x5a, 9000}}, {"setg", []uint64{7}}, {"tgrow", []uint64{1}},
	} {
		if _, err := src.ExportedFunction(c.fn).Call(ctx, c.args...); err != nil {
			t.Fatal(err)
		}
	}
	truth["snapshot"] = snapshot(src)
	if mods["snapshot"], err = rt.Snapshot(ctx, src, SnapshotConfig{}); err != nil {
		t.Fatal(err)
	}
	src.Close(ctx)

	var wg sync.WaitGroup
	errc := make(chan error, 2)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 77))
			for n := range tenants {
				if err := tenant(rt, mods, truth, r); err != nil {
					errc <- fmt.Errorf("goroutine %d, tenant %d: %w", w, n, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	st := rt.PoolStats()
	if st.InUse != 0 || st.ImageHits == 0 || st.RestoredBytes == 0 || st.ImageWrites == 0 {
		t.Errorf("pool stats %+v: want nothing in use, image hits, restores and image writes", st)
	}
}

// tenant runs one random tenancy and checks what it saw on arrival.
func tenant(rt *Runtime, mods map[string]*CompiledModule, truth map[string]tenantState, r *rand.Rand) error {
	name := "tenant"
	switch r.IntN(5) {
	case 0:
		name = "echo"
	case 1, 2:
		name = "snapshot"
	}
	inst, err := rt.Instantiate(ctx, mods[name], ModuleConfig{})
	if err != nil {
		return err
	}
	defer inst.Close(ctx)
	if err := checkFresh(name, inst, truth[name]); err != nil {
		return err
	}
	mem := inst.ExportedMemory("mem")
	if mem.IsNil() {
		mem = inst.ExportedMemory("memory")
		// echo: scribble through the host API only.
		for range r.IntN(4) {
			mem.Write(uint32(r.IntN(int(mem.Size()-8))), []byte{1, 2, 3, 4, 5, 6, 7, 8})
		}
		return nil
	}
	call := func(fn string, args ...uint64) error {
		_, err := inst.ExportedFunction(fn).Call(ctx, args...)
		return err
	}
	addr := func() uint64 { return uint64(r.IntN(int(mem.Size()))) }
	for range r.IntN(12) {
		var err error
		switch r.IntN(15) {
		case 0:
			err = call("store8", addr(), uint64(1+r.IntN(255)))
		case 1: // across a card boundary
			c := uint64(1+r.IntN(int(mem.Size()>>12)-1)) << 12
			err = call("store64", c-4, r.Uint64()|1)
		case 2:
			old := mem.Size()
			if prev := mem.Size() >> 16; call("grow", uint64(r.IntN(3))) == nil && mem.Size() > old {
				b, _ := mem.Read(uint32(old), uint32(mem.Size()-old))
				if i := bytes.IndexFunc(b, func(c rune) bool { return c != 0 }); i >= 0 {
					return fmt.Errorf("grown page (from %d pages) not zero at %d", prev, old+uint64(i))
				}
			}
		case 3:
			d := addr()
			err = call("fill", d, uint64(1+r.IntN(255)), uint64(r.IntN(int(mem.Size()-d)+1)))
		case 4:
			d, s := addr(), addr()
			n := r.IntN(int(mem.Size()-max(d, s)) + 1)
			err = call("copy", d, s, uint64(n))
		case 5:
			err = call("init", addr()&^31, 0, uint64(r.IntN(8)))
		case 6:
			p := make([]byte, r.IntN(9000))
			for i := range p {
				p[i] = 0xEE
			}
			if off := addr(); off+uint64(len(p)) <= mem.Size() {
				mem.Write(uint32(off), p)
			}
		case 7:
			err = call("setg", uint64(r.Uint32()))
		case 8:
			err = call("tgrow", uint64(r.IntN(2)))
		case 9:
			err = call("tset", uint64(r.IntN(2)))
		case 10: // trap midway: the write before it must still be reset
			err = call("trap", addr(), 0x77)
			var te *TrapError
			if !errors.As(err, &te) {
				return fmt.Errorf("trap: got %v, want a trap", err)
			}
			return nil
		case 11: // stopped by fuel midway through its writes
			inst.SetFuel(int64(1 + r.IntN(5000)))
			err = call("spin", addr())
			inst.SetFuel(-1)
			if !errors.Is(err, ErrTrapFuelExhausted) && !errors.Is(err, ErrTrapOutOfBoundsMemory) {
				return fmt.Errorf("spin with fuel: got %v, want fuel exhausted or out of bounds", err)
			}
			err = nil
		case 12: // stopped by a deadline midway (rarely: it takes a while)
			if r.IntN(20) != 0 {
				continue
			}
			dctx, cancel := context.WithTimeout(ctx, time.Duration(r.IntN(200))*time.Microsecond)
			_, err = inst.ExportedFunction("spin").Call(dctx, addr())
			cancel()
			if !errors.Is(err, ErrTrapInterrupted) && !errors.Is(err, ErrTrapOutOfBoundsMemory) {
				return fmt.Errorf("spin with a deadline: got %v, want interrupted or out of bounds", err)
			}
			err = nil
		case 13:
			err = call("tsetf", uint64(r.IntN(int(inst.ExportedTable("tab").Size()))))
		case 14: // Reset in place: the same handle must now look new
			if err := inst.Reset(ctx); err != nil {
				return fmt.Errorf("Reset: %w", err)
			}
			if err := checkFresh(name+" after Reset", inst, truth[name]); err != nil {
				return err
			}
			mem = inst.ExportedMemory("mem")
		}
		if err != nil {
			return fmt.Errorf("random op: %w", err)
		}
	}
	return nil
}

// checkFresh compares a new tenant's state with its module's truth: the
// whole memory byte by byte, then size, globals and table elements.
func checkFresh(name string, inst Instance, want tenantState) error {
	got := snapshot(inst)
	if i := firstDifference(want.Mem, got.Mem); i >= 0 {
		return fmt.Errorf("%s: initial memory differs at byte %d (page %d): %#x, want %#x", name, i, i>>12, at(got.Mem, i), at(want.Mem, i))
	}
	want.Mem, got.Mem = nil, nil // compared above, fast
	if diff := cmp.Diff(want, got); diff != "" {
		return fmt.Errorf("%s: initial state (-want +got):\n%s", name, diff)
	}
	return nil
}

// firstDifference returns the first index where a and b differ (or the
// shorter length if one is a prefix of the other), -1 if equal.
func firstDifference(a, b []byte) int {
	if bytes.Equal(a, b) {
		return -1
	}
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func at(b []byte, i int) int {
	if i < len(b) {
		return int(b[i])
	}
	return -1
}
