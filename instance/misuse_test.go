package instance

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/engine"
)

// misuse is one wrong use of the public API and what it must give: an
// error (matching want when it is set) or, with ok, a harmless result
// (false, zero, nil handle) that the case checks itself.
type misuse struct {
	name string
	do   func(t *testing.T, h *misuseHarness) error
	want error // nil: any error; errOK: the case must succeed
}

// errOK marks a case that must return no error.
var errOK = errors.New("must succeed")

// misuseHarness holds the handles the cases misuse: an open instance of
// tenant.wat, a closed one, and handles taken before it closed.
type misuseHarness struct {
	rt, closedRT *Runtime
	cm           *CompiledModule
	open, closed Instance
	staleF       Function
	staleM       Memory
	staleG       Global
	staleT       Table
}

// TestMisuse walks the public API with each misuse (nil context, nil or
// closed handles, calls after Close, negative and huge sizes): none may
// panic, each gives an error or a documented harmless result.
func TestMisuse(t *testing.T) {
	var nilCtx context.Context // a nil context, as a careless caller passes
	cases := []misuse{
		{"Call nil ctx", func(t *testing.T, h *misuseHarness) error {
			_, err := h.open.ExportedFunction("store8").Call(nilCtx, 0, 1)
			return err
		}, errOK},
		{"CallWithStack nil ctx", func(t *testing.T, h *misuseHarness) error {
			return h.open.ExportedFunction("store8").CallWithStack(nilCtx, []uint64{0, 1})
		}, errOK},
		{"Instantiate nil ctx", func(t *testing.T, h *misuseHarness) error {
			inst, err := h.rt.Instantiate(nilCtx, h.cm, ModuleConfig{})
			inst.Close(nilCtx)
			return err
		}, errOK},
		{"InstantiateWasm nil ctx", func(t *testing.T, h *misuseHarness) error {
			inst, err := h.rt.InstantiateWasm(nilCtx, readWasm(t, "tenant"), ModuleConfig{})
			inst.Close(nilCtx)
			return err
		}, errOK},
		{"Compile nil ctx", func(t *testing.T, h *misuseHarness) error {
			_, err := h.rt.Compile(nilCtx, readWasm(t, "tenant"))
			return err
		}, errOK},
		{"Reset nil ctx", func(t *testing.T, h *misuseHarness) error {
			inst, err := h.rt.Instantiate(ctx, h.cm, ModuleConfig{})
			if err != nil {
				return err
			}
			defer inst.Close(ctx)
			return inst.Reset(nilCtx)
		}, errOK},
		{"host module nil ctx", func(t *testing.T, h *misuseHarness) error {
			inst, err := h.rt.NewHostModuleBuilder("").NewFunctionBuilder().
				WithGoModuleFunction(func(context.Context, Instance, []uint64) error { return nil }, nil, nil).
				Export("f").Instantiate(nilCtx)
			if err != nil {
				return err
			}
			defer inst.Close(nilCtx)
			return inst.ExportedFunction("f").CallWithStack(nilCtx, nil)
		}, errOK},
		{"WithValueFunc nil ctx", func(t *testing.T, h *misuseHarness) error {
			mc := ModuleConfig{}.WithValueFunc("k", func(ctx context.Context) (any, error) { return ctx.Err(), nil }, nil)
			inst, err := h.rt.Instantiate(nilCtx, h.cm, mc)
			inst.Close(ctx)
			return err
		}, errOK},

		{"Compile after Close", func(t *testing.T, h *misuseHarness) error {
			_, err := h.closedRT.Compile(ctx, readWasm(t, "tenant"))
			return err
		}, ErrClosed},
		{"Instantiate after Close", func(t *testing.T, h *misuseHarness) error {
			_, err := h.closedRT.Instantiate(ctx, h.cm, ModuleConfig{})
			return err
		}, ErrClosed},
		{"InstantiateWasm after Close", func(t *testing.T, h *misuseHarness) error {
			_, err := h.closedRT.InstantiateWasm(ctx, readWasm(t, "tenant"), ModuleConfig{})
			return err
		}, ErrClosed},
		{"host module after Close", func(t *testing.T, h *misuseHarness) error {
			_, err := h.closedRT.NewHostModuleBuilder("h").Instantiate(ctx)
			return err
		}, ErrClosed},
		{"Register after Close", func(t *testing.T, h *misuseHarness) error {
			return h.closedRT.Register("x", h.open)
		}, nil},
		{"Runtime.Close twice", func(t *testing.T, h *misuseHarness) error {
			return h.closedRT.Close(nilCtx)
		}, errOK},

		{"nil Runtime Compile", func(t *testing.T, h *misuseHarness) error {
			_, err := (*Runtime)(nil).Compile(ctx, readWasm(t, "tenant"))
			return err
		}, ErrClosed},
		{"nil Runtime Instantiate", func(t *testing.T, h *misuseHarness) error {
			_, err := (*Runtime)(nil).Instantiate(ctx, h.cm, ModuleConfig{})
			return err
		}, ErrClosed},
		{"nil Runtime host module", func(t *testing.T, h *misuseHarness) error {
			_, err := (*Runtime)(nil).NewHostModuleBuilder("h").Instantiate(ctx)
			return err
		}, ErrClosed},
		{"nil Runtime Register", func(t *testing.T, h *misuseHarness) error {
			return (*Runtime)(nil).Register("x", h.open)
		}, nil},
		{"nil Runtime others", func(t *testing.T, h *misuseHarness) error {
			var r *Runtime
			r.Unregister("x")
			if !r.Lookup("x").Closed() || r.PoolStats() != (PoolStats{}) || r.Config() != (Config{}) {
				return errors.New("nil Runtime: want a closed Lookup and zero stats and config")
			}
			return r.Close(ctx)
		}, errOK},
		{"Instantiate nil CompiledModule", func(t *testing.T, h *misuseHarness) error {
			_, err := h.rt.Instantiate(ctx, nil, ModuleConfig{})
			return err
		}, nil},
		{"Compile nil bytes", func(t *testing.T, h *misuseHarness) error {
			_, err := h.rt.Compile(ctx, nil)
			return err
		}, nil},
		{"Compile garbage", func(t *testing.T, h *misuseHarness) error {
			_, err := h.rt.Compile(ctx, []byte("\x00asm\x01\x00\x00\x00\xff\xff\xff\xff\xff"))
			return err
		}, nil},
		{"NewRuntime huge slot", func(t *testing.T, h *misuseHarness) error {
			_, err := NewRuntime(ctx, Config{MemorySlots: 1, MemorySlotBytes: math.MaxUint64})
			return err
		}, nil},
		{"NewRuntime negative sizes", func(t *testing.T, h *misuseHarness) error {
			rt, err := NewRuntime(nilCtx, Config{MemorySlots: -1, MemorySlotBytes: 1 << 20, MaxCallDepth: -5, MaxStackCells: -7, MemoryKeepResident: -3, MemoryMaxIdleResident: -9})
			if err != nil {
				return err
			}
			return rt.Close(ctx)
		}, errOK},

		{"closed instance methods", func(t *testing.T, h *misuseHarness) error {
			i := h.closed
			i.SetFuel(10)
			i.AddFuel(-10)
			if n, on := i.Fuel(); n != 0 || on {
				return errors.New("closed instance has fuel")
			}
			if !i.ExportedFunction("store8").IsNil() || !i.Memory().IsNil() || !i.ExportedGlobal("g").IsNil() ||
				!i.ExportedTable("tab").IsNil() || i.Name() != "" || i.Value("k") != nil {
				return errors.New("closed instance hands out live handles")
			}
			if err := i.Close(nilCtx); err != nil {
				return err
			}
			return i.Reset(nilCtx)
		}, ErrClosed},
		{"zero Instance", func(t *testing.T, h *misuseHarness) error {
			var i Instance
			_ = i.String()
			_ = i.ExportNames(0)
			i.SetFuel(1)
			if err := i.Close(nilCtx); err != nil {
				return err
			}
			return i.Reset(ctx)
		}, ErrClosed},
		{"stale Function Call", func(t *testing.T, h *misuseHarness) error {
			_, err := h.staleF.Call(nilCtx, 0, 1)
			return err
		}, ErrClosed},
		{"stale Function from closed instance", func(t *testing.T, h *misuseHarness) error {
			return h.closed.ExportedFunction("store8").CallWithStack(ctx, []uint64{0, 1})
		}, ErrClosed},
		{"nil Function", func(t *testing.T, h *misuseHarness) error {
			var f Function
			if f.ParamTypes() != nil || f.ResultTypes() != nil {
				return errors.New("nil Function has a type")
			}
			_ = f.Definition()
			_, err := f.Call(nilCtx)
			return err
		}, nil},
		{"missing export Call", func(t *testing.T, h *misuseHarness) error {
			_, err := h.open.ExportedFunction("nope").Call(ctx)
			return err
		}, nil},
		{"Call wrong param count", func(t *testing.T, h *misuseHarness) error {
			_, err := h.open.ExportedFunction("store8").Call(ctx, 1)
			return err
		}, nil},
		{"CallWithStack short stack", func(t *testing.T, h *misuseHarness) error {
			return h.open.ExportedFunction("store8").CallWithStack(ctx, nil)
		}, nil},
		{"stale Memory", func(t *testing.T, h *misuseHarness) error {
			m := h.staleM
			if m.Size() != 0 || m.Write(0, []byte{1}) || m.WriteString(0, "x") || m.WriteUint64Le(0, 1) {
				return errors.New("stale Memory writes")
			}
			if _, ok := m.Grow(1); ok {
				return errors.New("stale Memory grows")
			}
			_, ok := m.Read(0, 1)
			return okErr(!ok, "stale Memory reads")
		}, errOK},
		{"nil Memory", func(t *testing.T, h *misuseHarness) error {
			var m Memory
			_, ok := m.ReadUint32Le(0)
			return okErr(!ok && !m.WriteUint8(0, 1) && m.MaxPages() == 0, "nil Memory works")
		}, errOK},
		{"Memory huge offsets", func(t *testing.T, h *misuseHarness) error {
			m := h.open.Memory()
			size := uint32(m.Size())
			for _, off := range []uint32{size, size - 1, math.MaxUint32, math.MaxUint32 - 3, 1 << 31} {
				if _, ok := m.Read(off, 8); ok {
					return fmt.Errorf("Read(%#x, 8) succeeded", off)
				}
				if _, ok := m.Read(size-off%size, math.MaxUint32-off%size); ok {
					return fmt.Errorf("Read of %#x bytes succeeded", math.MaxUint32-off%size)
				}
				if m.WriteUint64Le(off, 1) || m.WriteFloat32Le(off, 1) || m.Write(off, make([]byte, 8)) || m.WriteString(off, "12345678") {
					return fmt.Errorf("write at %#x succeeded", off)
				}
				if _, ok := m.ReadFloat64Le(off); ok {
					return fmt.Errorf("ReadFloat64Le(%#x) succeeded", off)
				}
			}
			return nil
		}, errOK},
		{"Memory huge grow", func(t *testing.T, h *misuseHarness) error {
			m := h.open.Memory()
			before := m.Size()
			for _, d := range []uint64{math.MaxUint64, 1 << 63, 1 << 48, engine.MaxPages + 1} {
				if _, ok := m.Grow(d); ok {
					return fmt.Errorf("Grow(%d) succeeded", d)
				}
			}
			return okErr(m.Size() == before, "failed grows changed the size")
		}, errOK},
		{"stale Global", func(t *testing.T, h *misuseHarness) error {
			if h.staleG.Get() != 0 {
				return errors.New("stale Global reads its value")
			}
			return h.staleG.Set(1)
		}, ErrClosed},
		{"nil Global Set", func(t *testing.T, h *misuseHarness) error {
			var g Global
			_, _ = g.Get128()
			return g.Set(1)
		}, nil},
		{"stale Table", func(t *testing.T, h *misuseHarness) error {
			_, ok := h.staleT.Function(0)
			return okErr(h.staleT.Size() == 0 && !ok, "stale Table works")
		}, errOK},
		{"Table huge index", func(t *testing.T, h *misuseHarness) error {
			tab := h.open.ExportedTable("tab")
			_, ok1 := tab.Function(math.MaxUint64)
			_, ok2 := tab.Externref(1 << 40)
			var nilT Table
			_, ok3 := nilT.Function(0)
			return okErr(!ok1 && !ok2 && !ok3, "out-of-range table element")
		}, errOK},
		{"fuel negative and huge", func(t *testing.T, h *misuseHarness) error {
			inst, err := h.rt.Instantiate(ctx, h.cm, ModuleConfig{Fuel: -5})
			if err != nil {
				return err
			}
			defer inst.Close(ctx)
			if _, on := inst.Fuel(); on {
				return errors.New("negative ModuleConfig.Fuel turned metering on")
			}
			inst.AddFuel(math.MaxInt64)
			inst.AddFuel(math.MaxInt64)
			if n, _ := inst.Fuel(); n != math.MaxInt64 {
				return fmt.Errorf("fuel %d, want saturation at MaxInt64", n)
			}
			inst.AddFuel(math.MinInt64)
			if n, _ := inst.Fuel(); n != 0 {
				return fmt.Errorf("fuel %d, want 0", n)
			}
			_, err = inst.ExportedFunction("store8").Call(ctx, 0, 0)
			return err
		}, ErrTrapFuelExhausted},
		{"Register closed instance", func(t *testing.T, h *misuseHarness) error {
			return h.rt.Register("x", h.closed)
		}, ErrClosed},
		{"Register foreign instance", func(t *testing.T, h *misuseHarness) error {
			other := newTestRuntime(t, Config{MemorySlots: 1})
			inst, err := other.Instantiate(ctx, h.cm, ModuleConfig{})
			if err != nil {
				return err
			}
			return h.rt.Register("x", inst)
		}, nil},
		{"host builder misuse", func(t *testing.T, h *misuseHarness) error {
			b := h.rt.NewHostModuleBuilder("bad")
			b.NewFunctionBuilder().Export("nofn")
			b.NewFunctionBuilder().WithGoModuleFunction(nil, nil, nil).Export("nilfn")
			b.ExportTable("t", api.ValueTypeI32, Limits{Min: math.MaxUint32})
			b.ExportMemory("m", Limits{Min: math.MaxUint64})
			b.ExportGlobal("g", 0x7b, false, 0)
			_, err := b.Instantiate(ctx)
			return err
		}, nil},
		{"host builder huge table", func(t *testing.T, h *misuseHarness) error {
			_, err := h.rt.NewHostModuleBuilder("bad2").ExportTable("t", api.ValueTypeExternref, Limits{Min: math.MaxUint32}).Instantiate(ctx)
			return err
		}, nil},
		{"typed func on nil and wrong type", func(t *testing.T, h *misuseHarness) error {
			if _, err := NewTypedFunc0[None](Function{}); err == nil {
				return errors.New("NewTypedFunc0 of the nil Function")
			}
			if _, err := NewTypedFunc1[int32, int32](h.open.ExportedFunction("store8")); err == nil {
				return errors.New("NewTypedFunc1 of the wrong signature")
			}
			tf, err := NewTypedFunc2[int32, int32, None](h.open.ExportedFunction("store8"))
			if err != nil {
				return err
			}
			_, err = tf.Call(nilCtx, 0, 1)
			return err
		}, errOK},
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newMisuseHarness(t)
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panicked: %v", p)
					}
				}()
				err = c.do(t, h)
			}()
			switch {
			case c.want == errOK:
				if err != nil {
					t.Errorf("got %v, want success", err)
				}
			case err == nil:
				t.Errorf("got no error, want one")
			case c.want != nil && !errors.Is(err, c.want):
				t.Errorf("got %v, want an error matching %v", err, c.want)
			case strings.TrimSpace(err.Error()) == "":
				t.Errorf("empty error message")
			}
			// The process keeps serving: the open instance still works
			// and no slot leaked.
			if _, err := h.open.ExportedFunction("store8").Call(ctx, 0, 1); err != nil && !errors.Is(err, ErrTrapFuelExhausted) {
				t.Errorf("instance unusable after the misuse: %v", err)
			}
			h.open.Close(ctx)
			if st := h.rt.PoolStats(); st.InUse != 0 {
				t.Errorf("%d slots in use after closing everything", st.InUse)
			}
		})
	}
}

func okErr(ok bool, msg string) error {
	if ok {
		return nil
	}
	return errors.New(msg)
}

func newMisuseHarness(t *testing.T) *misuseHarness {
	h := &misuseHarness{rt: newTestRuntime(t, Config{MemorySlots: 4})}
	var err error
	if h.cm, err = h.rt.Compile(ctx, readWasm(t, "tenant")); err != nil {
		t.Fatal(err)
	}
	if h.open, err = h.rt.Instantiate(ctx, h.cm, ModuleConfig{}); err != nil {
		t.Fatal(err)
	}
	if h.closed, err = h.rt.Instantiate(ctx, h.cm, ModuleConfig{}); err != nil {
		t.Fatal(err)
	}
	h.staleF, h.staleM = h.closed.ExportedFunction("store8"), h.closed.Memory()
	h.staleG, h.staleT = h.closed.ExportedGlobal("g"), h.closed.ExportedTable("tab")
	h.closed.Close(ctx)
	h.closedRT, err = NewRuntime(ctx, Config{MemorySlots: 1, MemorySlotBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	h.closedRT.Close(ctx)
	return h
}
