package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"
)

// frame is a suspended caller on the machine's frame stack.
type frame struct {
	fn *Function
	pc unsafe.Pointer // where the caller resumes, in fn.Code.Words
	fp int            // the caller's frame pointer (index into stack)
}

// machine is the state of one call from Go into wasm: the value stack of
// 64-bit cells holding every frame, and the frame stack. Machines are
// pooled; one is used by one goroutine at a time.
type machine struct {
	stack  []uint64
	frames []frame

	maxDepth, maxCells int

	// interrupt asks the loop to call poll at the next back-edge or call:
	// interruptFuel is set for the whole call when fuel is metered,
	// interruptStop (atomically, from another goroutine) when the call's
	// context is done. A metered call that is not stopped charges fuel
	// inline on the single value interruptFuel.
	interrupt atomic.Uint32
	// stopped is set with interrupt when the context is done.
	stopped atomic.Uint32
	// fuel is the remaining budget of back-edges and calls when metered
	// (fuelOn).
	fuel   int64
	fuelOn bool
	// fuelOut is Config.Fuel when metered: the budget is stored there
	// around host calls, so that a host function sees and may change it.
	fuelOut *int64

	ctx     context.Context
	hostErr error
	// hostSkip is 1 while a host function tail-called from the running
	// frame runs (see throw), else 0.
	hostSkip int

	// The running function's state that the loop keeps out of locals.
	fn      *Function
	fpi     int // frame pointer, as an index into stack
	inst    *Instance
	globals []*Global
	cards   unsafe.Pointer

	// The loop's locals, stored here around every call it makes (see
	// slow): pc; fp (also kept current at calls and returns); memBase and
	// memSize (kept current by loadInstance).
	pc, fp  unsafe.Pointer
	memBase unsafe.Pointer
	memSize uint64

	// Where a trap happened (in m.fn), for the backtrace.
	trapPC unsafe.Pointer

	// sampler, when a profiler samples this call (see Sampler).
	sampler *Sampler

	// waiting is the waiter of a memory.atomic.wait in progress, which
	// stop wakes (see atomic.go).
	waiting atomic.Pointer[waiter]

	// dispatchPad is written once per execute and never read: the
	// stores only move the loop's dispatch block (see execute).
	dispatchPad struct {
		q uint64
		w uint16
	}

	// Machines of goroutines on different cores are often neighbours on
	// the heap; a cache line of padding keeps the fields written by every
	// call off the next machine's line.
	_ [64]byte
}

var machines = sync.Pool{New: func() any { return &machine{stack: make([]uint64, 1024), frames: make([]frame, 0, 16)} }}

func callFunction(ctx context.Context, f *Function, stack []uint64, cfg *Config) (err error) {
	if f.Code == nil {
		return callHostDirect(ctx, f, stack)
	}
	if cfg != nil && cfg.Fuel != nil && *cfg.Fuel <= 0 {
		return &TrapError{Kind: ErrFuelExhausted}
	}
	if ctx.Err() != nil {
		return &TrapError{Kind: ErrInterrupted, Cause: context.Cause(ctx)}
	}
	m := machines.Get().(*machine)
	m.maxDepth, m.maxCells = DefaultMaxCallDepth, DefaultMaxStackCells
	if cfg != nil {
		if cfg.MaxCallDepth > 0 {
			m.maxDepth = cfg.MaxCallDepth
		}
		if cfg.MaxStackCells > 0 {
			m.maxCells = cfg.MaxStackCells
		}
	}
	m.ctx = ctx
	m.interrupt.Store(0)
	m.stopped.Store(0)
	m.fuelOn = cfg != nil && cfg.Fuel != nil
	if m.fuelOn {
		m.fuel, m.fuelOut = *cfg.Fuel, cfg.Fuel
		m.interrupt.Store(interruptFuel)
	}
	sampled := cfg != nil && cfg.Sampler.attach(m)
	var stop func() bool
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, m.stop)
	}
	var prev *machine
	if cfg != nil && cfg.Stopper != nil {
		prev = cfg.Stopper.enter(m)
	}
	defer func() {
		if m.fuelOn {
			*cfg.Fuel = max(m.fuel, 0)
		}
		if sampled {
			cfg.Sampler.detach(m)
		}
		// A machine whose context callback may still run (stop returns
		// false once it started), or that a Stopper may still stop,
		// could be interrupted in its next use: drop it instead of
		// pooling it.
		reuse := stop == nil || stop()
		if cfg != nil && cfg.Stopper != nil && cfg.Stopper.leave(prev) {
			reuse = false
		}
		// Engine bugs end up here; the machine is not reused after one.
		if r := recover(); r != nil {
			err = &TrapError{Cause: fmt.Errorf("wpi: internal error: %v", r)}
			return
		}
		m.ctx, m.hostErr, m.fn, m.inst, m.globals, m.cards, m.trapPC, m.fuelOut = nil, nil, nil, nil, nil, nil, nil, nil
		m.pc, m.fp, m.memBase = nil, nil, nil
		m.frames = m.frames[:0]
		if reuse {
			machines.Put(m)
		}
	}()
	c := f.Code
	need := max(c.FrameCells, len(stack))
	if need > len(m.stack) {
		if need > m.maxCells {
			return &TrapError{Kind: ErrStackExhausted}
		}
		m.stack = make([]uint64, max(need, 2*len(m.stack)))
	}
	copy(m.stack, stack[:c.NumParams])
	clear(m.stack[c.NumParams : c.NumParams+c.NumLocals])
	m.frames = m.frames[:0]
	if cap(m.frames) > m.maxDepth { // see grow
		m.frames = m.frames[:0:m.maxDepth]
	}
	if code := m.execute(f); code != trapNone {
		return m.trapError(code)
	}
	copy(stack, m.stack[:c.NumResults])
	return nil
}

// trapError builds the error for a trap, with the backtrace.
func (m *machine) trapError(code trapCode) error {
	e := &TrapError{}
	if code == trapHost {
		e.Cause = m.hostErr
	} else {
		e.Kind = trapErrors[code]
		if code == trapInterrupted && m.ctx != nil {
			e.Cause = context.Cause(m.ctx)
		}
	}
	add := func(f *Function, ip int) {
		fi := FrameInfo{Module: f.ModuleName, Func: f.Index, Name: f.Name, Offset: -1, Fn: f}
		if f.Code != nil {
			fi.Offset = f.Code.wasmOffset(ip)
		}
		e.Trace = append(e.Trace, fi)
	}
	if m.fn != nil {
		add(m.fn, wordIndex(m.fn, m.trapPC))
	}
	for i := len(m.frames) - 1; i >= 0; i-- {
		add(m.frames[i].fn, wordIndex(m.frames[i].fn, m.frames[i].pc)-1)
	}
	return e
}

func callHostDirect(ctx context.Context, f *Function, stack []uint64) (err error) {
	n := max(cellsOf(f.Type.Params), cellsOf(f.Type.Results))
	if len(stack) < n {
		return fmt.Errorf("wpi: stack of %d cells is too short for %d", len(stack), n)
	}
	if herr := callHost(ctx, f, nil, stack[:n]); herr != nil {
		return &TrapError{Cause: herr, Trace: []FrameInfo{{Module: f.ModuleName, Func: f.Index, Name: f.Name, Offset: -1, Fn: f}}}
	}
	return nil
}

// HostPanicError is the cause of a trap raised by a host function that
// panicked. Value is what it panicked with.
type HostPanicError struct {
	Func  string
	Value any
}

func (e *HostPanicError) Error() string {
	return fmt.Sprintf("host function %s panicked: %v", e.Func, e.Value)
}

// Unwrap returns the panic value if it is an error (so errors.As finds,
// e.g., a sys.ExitError a host function panicked with).
func (e *HostPanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// callHost runs a host function, turning a panic into an error.
func callHost(ctx context.Context, f *Function, caller *Instance, stack []uint64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			name := f.Name
			if f.ModuleName != "" {
				name = f.ModuleName + "." + name
			}
			err = &HostPanicError{Func: name, Value: r}
		}
	}()
	return f.Host(ctx, caller, stack)
}

// memState caches an instance's memory for the loop.
func memState(inst *Instance) (base unsafe.Pointer, size uint64, cards unsafe.Pointer) {
	mem := inst.Memory
	if mem == nil || len(mem.Buf) == 0 {
		return nil, 0, nil
	}
	if len(mem.Cards) < (len(mem.Buf)+(1<<CardShift)-1)>>CardShift {
		mem.Cards = make([]byte, (len(mem.Buf)+(1<<CardShift)-1)>>CardShift)
	}
	// SAFETY: Buf and Cards are non-empty; the loop only dereferences
	// base+ea for ea+size <= Size <= len(Buf), and cards+(ea>>CardShift)
	// for such ea, which is < len(Cards).
	return unsafe.Pointer(&mem.Buf[0]), mem.Len(), unsafe.Pointer(&mem.Cards[0])
}

// Cell access: A, B and C are 16-bit cell numbers at bits 16, 32 and 48 of
// the word; shifting by 13, 29 and 45 and masking gives the byte offset
// (cell*8) directly.
//
// SAFETY (for every use of these helpers): the translator only emits cell
// numbers below the function's FrameCells, and the machine never runs a
// frame unless fp+FrameCells <= len(stack), so fp+8*cell stays inside the
// stack's backing array.

func ra(fp unsafe.Pointer, w uint64) *uint64 {
	return (*uint64)(unsafe.Add(fp, uintptr(w>>13)&0x7fff8))
}

func rb(fp unsafe.Pointer, w uint64) *uint64 {
	return (*uint64)(unsafe.Add(fp, uintptr(w>>29)&0x7fff8))
}

func rc(fp unsafe.Pointer, w uint64) *uint64 {
	return (*uint64)(unsafe.Add(fp, uintptr(w>>45)&0x7fff8))
}

// oa, ob and oc are ra, rb and rc for the instruction at pc: each reads
// its 16-bit field from the word in memory (offA, offB, offC: the
// fields' byte offsets, which depend on the host's byte order) and
// scales it, two machine instructions where ra's shift, mask and the
// copy of w take four; the load also starts as soon as pc is known.
func oa(fp, pc unsafe.Pointer) *uint64 {
	return (*uint64)(unsafe.Add(fp, uintptr(*(*uint16)(unsafe.Add(pc, offA)))*8))
}

func ob(fp, pc unsafe.Pointer) *uint64 {
	return (*uint64)(unsafe.Add(fp, uintptr(*(*uint16)(unsafe.Add(pc, offB)))*8))
}

func oc(fp, pc unsafe.Pointer) *uint64 {
	return (*uint64)(unsafe.Add(fp, uintptr(*(*uint16)(unsafe.Add(pc, offC)))*8))
}

// fC is wC of the word at pc, read from memory.
func fC(pc unsafe.Pointer) uint64 { return uint64(*(*uint16)(unsafe.Add(pc, offC))) }

func cell(fp unsafe.Pointer, c uint64) *uint64 {
	return (*uint64)(unsafe.Add(fp, uintptr(c)*8))
}

func f32(v uint64) float32  { return math.Float32frombits(uint32(v)) }
func f64(v uint64) float64  { return math.Float64frombits(v) }
func u32f(x float32) uint64 { return uint64(math.Float32bits(x)) }
func u64f(x float64) uint64 { return math.Float64bits(x) }

// execute runs f, whose frame is at the bottom of the stack with its
// arguments in place, until it returns (results in cells 0..) or traps.
//
// Only the hottest state lives in locals (pc, fp, memBase, memSize): with
// more, the compiler spills around the dispatch jump. The rest is in m.
func (m *machine) execute(f *Function) (trap trapCode) {
	m.fn, m.fpi = f, 0
	m.inst = f.Instance
	// SAFETY: pc always points at an instruction word of m.fn.Code.Words:
	// it starts at word 0, moves by the length of the instruction it
	// executed, or by a branch offset the translator computed to land on
	// an instruction of the same function; every path of a function ends
	// in a return, br or unreachable, so pc never runs off the end.
	pc := unsafe.Pointer(&f.Code.Words[0])
	// SAFETY: stack is non-empty (callFunction sized it to the frame).
	fp := unsafe.Pointer(&m.stack[0])
	m.fp = fp
	memBase, memSize := m.loadInstance()

	var callee *Function
	var base int
	var off int64 // a taken branch's offset

	// These stores do nothing but place the dispatch block below (the
	// opcode's load to the jump table's jump, 20 bytes) at the start of a
	// 32-byte chunk of execute's code. Go aligns functions to 32 bytes
	// on amd64, so the block then never straddles a 64-byte line,
	// whatever execute's address is mod 64: straddling one cost nbody
	// ~18%, fib ~25%, crc32 ~30% (RATIONALE "The loop", rule 4).
	// TestDispatchRegisters fails, saying by how much the block moved,
	// when a change before the loop moves it: grow or shrink these.
	m.dispatchPad.q = 1
	m.dispatchPad.w = 1

loop:
	for {
		if profiling { // a constant: see profile.go
			profileStep(pc, *(*uint64)(pc))
		}
		// The opcode is loaded alone (the 32 cases that need the whole
		// word load it themselves); the mask tells the compiler its
		// range, which the opcodeMask case makes the jump table's: no
		// bounds check.
		switch *(*opcode)(unsafe.Add(pc, offOp)) & opcodeMask {
		case opUnreachable, opcodeMask: // opcodeMask is never emitted
			trap = trapUnreachable
			break loop
		case opNop:
			pc = unsafe.Add(pc, sizeNone)
			continue
		case opBr:
			pc = unsafe.Add(pc, 8)
			goto taken
		case opBrIfNz:
			if *oa(fp, pc) != 0 {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrA)
			continue
		case opBrIfZ:
			if *oa(fp, pc) == 0 {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrA)
			continue
		case opBrTable:
			w := *(*uint64)(pc)
			i := uint64(uint32(*oa(fp, pc)))
			if n := uint64(wB(w)); i > n {
				i = n
			}
			// SAFETY: i <= n, and the n+1 target words follow the
			// instruction.
			pc = unsafe.Add(pc, 8+8*i)
			goto taken
		case opReturn1:
			*(*uint64)(fp) = *oa(fp, pc)
			fallthrough
		case opReturn:
			n := len(m.frames)
			if n == 0 {
				return trapNone
			}
			fr := &m.frames[n-1]
			m.frames = m.frames[:n-1]
			m.fn, pc, m.fpi = fr.fn, fr.pc, fr.fp
			// SAFETY: the caller's frame was valid when it made the call
			// and the stack only grows.
			fp = unsafe.Add(unsafe.Pointer(unsafe.SliceData(m.stack)), 8*m.fpi)
			m.fp = fp
			// The loop's state comes back through reload: (m.fp is set,
			// m.memBase and m.memSize are current: a memory.grow in the
			// callee, or in a host function it called, updated them).
			// Continuing with pc and fp in the registers this block left
			// them in made it the register allocator's model for the
			// loop's back edge: every other case then copied pc into R8
			// and back (see RATIONALE.md, "Registers across dispatch").
			m.pc = pc
			if m.fn.Instance != m.inst {
				m.inst = m.fn.Instance
				m.loadInstance()
			}
			goto reload
		case opCall:
			w := *(*uint64)(pc)
			callee = m.inst.Funcs[x1(pc)]
			base = int(wA(w))
			pc = unsafe.Add(pc, sizeCall)
			goto call
		case opCallIndirect:
			w := *(*uint64)(pc)
			tab := m.inst.Tables[wC(w)]
			i := uint64(uint32(*ob(fp, pc)))
			if i >= uint64(len(tab.Funcs)) {
				trap = trapUndefinedElement
				break loop
			}
			callee = tab.Funcs[i]
			if callee == nil {
				trap = trapUninitializedElement
				break loop
			}
			if uint64(callee.TypeID) != x1(pc) {
				trap = trapIndirectType
				break loop
			}
			base = int(wA(w))
			pc = unsafe.Add(pc, sizeCallIndirect)
			goto call
		case opCallRef:
			w := *(*uint64)(pc)
			if callee = FuncRefFunction(*ob(fp, pc)); callee == nil {
				trap = trapNullFuncRef
				break loop
			}
			base = int(wA(w))
			pc = unsafe.Add(pc, sizeCallIndirect)
			goto call
		case opReturnCall:
			w := *(*uint64)(pc)
			callee = m.inst.Funcs[x1(pc)]
			base = int(wA(w))
			pc = unsafe.Add(pc, sizeCall)
			goto tailcall
		case opReturnCallIndirect:
			w := *(*uint64)(pc)
			tab := m.inst.Tables[wC(w)]
			i := uint64(uint32(*ob(fp, pc)))
			if i >= uint64(len(tab.Funcs)) {
				trap = trapUndefinedElement
				break loop
			}
			callee = tab.Funcs[i]
			if callee == nil {
				trap = trapUninitializedElement
				break loop
			}
			if uint64(callee.TypeID) != x1(pc) {
				trap = trapIndirectType
				break loop
			}
			base = int(wA(w))
			pc = unsafe.Add(pc, sizeCallIndirect)
			goto tailcall
		case opReturnCallRef:
			w := *(*uint64)(pc)
			if callee = FuncRefFunction(*ob(fp, pc)); callee == nil {
				trap = trapNullFuncRef
				break loop
			}
			base = int(wA(w))
			pc = unsafe.Add(pc, sizeCallIndirect)
			goto tailcall
		case opRefAsNonNull:
			if *oa(fp, pc) == 0 {
				trap = trapNullRef
				break loop
			}
			pc = unsafe.Add(pc, sizeA)
			continue
		case opCopy:
			*oa(fp, pc) = *ob(fp, pc)
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opConst32:
			w := *(*uint64)(pc)
			*oa(fp, pc) = w >> 32
			pc = unsafe.Add(pc, sizeDK32)
			continue
		case opConst64:
			*oa(fp, pc) = x1(pc)
			pc = unsafe.Add(pc, sizeDK64)
			continue
		case opSelect:
			v := *oc(fp, pc)
			if *cell(fp, x1(pc)) != 0 {
				v = *ob(fp, pc)
			}
			*oa(fp, pc) = v
			pc = unsafe.Add(pc, sizeSelect)
			continue
		case opGlobalGet:
			w := *(*uint64)(pc)
			*oa(fp, pc) = m.globals[wB(w)].Val
			pc = unsafe.Add(pc, sizeGlobalGet)
			continue
		case opGlobalSet:
			w := *(*uint64)(pc)
			m.globals[wA(w)].Val = *ob(fp, pc)
			pc = unsafe.Add(pc, sizeGlobalSet)
			continue
		case opI32AddImmGlobalSet:
			w := *(*uint64)(pc)
			v := uint64(uint32(*ob(fp, pc) + x1(pc)))
			*oc(fp, pc) = v
			m.globals[wA(w)].Val = v
			pc = unsafe.Add(pc, sizeGlobalSetI)
			continue
		case opConst32Br:
			w := *(*uint64)(pc)
			*oa(fp, pc) = w >> 32
			pc = unsafe.Add(pc, 8)
			goto taken
		case opMemorySize:
			if mem := m.inst.Memory; mem != nil && mem.Shared != nil {
				// Another goroutine may have grown it: its published
				// size, loaded here, not by mem.Len(): Go does not
				// inline that into a function as large as execute, and
				// a call here spills the loop's locals at the dispatch
				// (see RATIONALE.md, "The loop").
				memSize = mem.Shared.size.Load()
				m.memSize = memSize
			}
			*oa(fp, pc) = memSize / PageSize
			pc = unsafe.Add(pc, sizeD)
			continue

		// Integer division: traps.
		case opI32DivS:
			a, b := int32(*ob(fp, pc)), int32(*oc(fp, pc))
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			if a == math.MinInt32 && b == -1 {
				trap = trapOverflow
				break loop
			}
			*oa(fp, pc) = uint64(uint32(a / b))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32DivU:
			a, b := uint32(*ob(fp, pc)), uint32(*oc(fp, pc))
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			*oa(fp, pc) = uint64(a / b)
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32RemS:
			a, b := int32(*ob(fp, pc)), int32(*oc(fp, pc))
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			if b == -1 {
				*oa(fp, pc) = 0
			} else {
				*oa(fp, pc) = uint64(uint32(a % b))
			}
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32RemU:
			a, b := uint32(*ob(fp, pc)), uint32(*oc(fp, pc))
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			*oa(fp, pc) = uint64(a % b)
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64DivS:
			a, b := int64(*ob(fp, pc)), int64(*oc(fp, pc))
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			if a == math.MinInt64 && b == -1 {
				trap = trapOverflow
				break loop
			}
			*oa(fp, pc) = uint64(a / b)
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64DivU:
			a, b := *ob(fp, pc), *oc(fp, pc)
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			*oa(fp, pc) = a / b
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64RemS:
			a, b := int64(*ob(fp, pc)), int64(*oc(fp, pc))
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			if b == -1 {
				*oa(fp, pc) = 0
			} else {
				*oa(fp, pc) = uint64(a % b)
			}
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64RemU:
			a, b := *ob(fp, pc), *oc(fp, pc)
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			*oa(fp, pc) = a % b
			pc = unsafe.Add(pc, sizeDAB)
			continue

		// Fused forms (see the table and the translator's fuse).
		case opI32AddImm2:
			x := x1(pc)
			*oa(fp, pc) = uint64(uint32(*ob(fp, pc)) + uint32(x))
			*oc(fp, pc) = uint64(uint32(*cell(fp, x2(pc))) + uint32(x>>32))
			pc = unsafe.Add(pc, sizeDAIDAI)
			continue
		case opI32AddAddImm:
			*oa(fp, pc) = uint64(uint32(*ob(fp, pc) + *oc(fp, pc)))
			x := x1(pc)
			*cell(fp, x&0xffff) = uint64(uint32(*cell(fp, x>>16&0xffff)) + uint32(x>>32))
			pc = unsafe.Add(pc, sizeDABDAI)
			continue
		case opI32AddImmBrNz:
			v := uint32(*ob(fp, pc)) + uint32(x2(pc))
			*oa(fp, pc) = uint64(v)
			if v != 0 {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrDAI)
			continue
		case opI32AddImmBrNe:
			v := uint32(*ob(fp, pc)) + uint32(x2(pc))
			*oa(fp, pc) = uint64(v)
			if v != uint32(*oc(fp, pc)) { // C read after A is written: C may be A
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrDAIC)
			continue
		case opI32AddImmBrGtUImm:
			x := x2(pc)
			v := uint32(*ob(fp, pc)) + uint32(x)
			*oa(fp, pc) = uint64(v)
			if v > uint32(x>>32) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrDAII)
			continue
		case opCopyBrNz:
			*oa(fp, pc) = *ob(fp, pc)
			if *oc(fp, pc) != 0 { // read after A is written: C may be A
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrCopy)
			continue
		case opCopyBrI32NeImm:
			*oa(fp, pc) = *ob(fp, pc)
			if uint32(*oc(fp, pc)) != uint32(x2(pc)) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrCopyI)
			continue
		case opI32LoadBrNz, opI32LoadBrZ:
			w := *(*uint64)(pc)
			x := x2(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			v := uint64(le32(unsafe.Add(memBase, ea)))
			*oa(fp, pc) = v
			if (v != 0) == (opcode(w) == opI32LoadBrNz) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrLoad)
			continue
		case opI32Load8UBrNz, opI32Load8UBrZ:
			w := *(*uint64)(pc)
			x := x2(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			v := uint64(*(*uint8)(unsafe.Add(memBase, ea)))
			*oa(fp, pc) = v
			if (v != 0) == (opcode(w) == opI32Load8UBrNz) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrLoad)
			continue
		case opCopyI32Load:
			v := *ob(fp, pc)
			*oa(fp, pc) = v
			x := x1(pc)
			ea := uint64(uint32(v)+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			*oc(fp, pc) = uint64(le32(unsafe.Add(memBase, ea)))
			pc = unsafe.Add(pc, sizeCopyLoad)
			continue
		case opI32StoreCopy:
			x := x1(pc)
			b := *oa(fp, pc)
			ea := uint64(uint32(b)+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf); the cards of its first and
			// last byte exist (see memState).
			putLE32(unsafe.Add(memBase, ea), uint32(*ob(fp, pc)))
			*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1
			*(*byte)(unsafe.Add(m.cards, (ea+3)>>CardShift)) = 1
			*oc(fp, pc) = b
			pc = unsafe.Add(pc, sizeStoreCopy)
			continue
		case opI32XorMulImm:
			*oa(fp, pc) = uint64(uint32(*ob(fp, pc)^*oc(fp, pc)) * uint32(x1(pc)))
			pc = unsafe.Add(pc, sizeDABI)
			continue
		case opI32XorShlImm:
			*oa(fp, pc) = uint64(uint32(*ob(fp, pc)^*oc(fp, pc)) << (x1(pc) & 31))
			pc = unsafe.Add(pc, sizeDABI)
			continue
		case opI32ShrUImmXor:
			*oa(fp, pc) = uint64(uint32(*ob(fp, pc))>>(x1(pc)&31)) ^ *oc(fp, pc)
			pc = unsafe.Add(pc, sizeDABI)
			continue
		case opI64ShrUImmXor:
			*oa(fp, pc) = *ob(fp, pc)>>(x1(pc)&63) ^ *oc(fp, pc)
			pc = unsafe.Add(pc, sizeDABI)
			continue
		case opI64XorMulImm:
			*oa(fp, pc) = (*ob(fp, pc) ^ *oc(fp, pc)) * x1(pc)
			pc = unsafe.Add(pc, sizeDABI)
			continue
		case opF64MulAdd:
			// float64(...) rounds the product: Go may not fuse it into an
			// FMA across an explicit conversion.
			p := float64(f64(*ob(fp, pc)) * f64(*oc(fp, pc)))
			*oa(fp, pc) = u64f(p + f64(*cell(fp, x1(pc))))
			pc = unsafe.Add(pc, sizeDABC)
			continue
		case opI32Load8UXor:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			*oa(fp, pc) = uint64(*(*uint8)(unsafe.Add(memBase, ea))) ^ *oc(fp, pc)
			pc = unsafe.Add(pc, sizeLoadB)
			continue
		case opConst32Copy:
			*oa(fp, pc) = x1(pc)
			*ob(fp, pc) = *oc(fp, pc)
			pc = unsafe.Add(pc, sizeDKDA)
			continue
		case opI32AddImmAndImm:
			x := x1(pc)
			*oa(fp, pc) = (*ob(fp, pc) + x&0xffffffff) & (x >> 32)
			pc = unsafe.Add(pc, sizeDAII)
			continue
		case opI32AddImmLoad8U, opI32AddImmLoad8UVia:
			// The add's value first, every write after the bounds check
			// (so that oob may rerun the instruction); the translator
			// fuses only a load whose base is not the add's dst (or, the
			// _via form, is it). One case for both: split in two, the
			// opcode's reload here saved nothing measurable (bytecode
			// 483.12M vs 483.13M instructions, same user time).
			y := unsafe.Add(pc, 16)
			v := uint64(uint32(*oc(fp, y) + *(*uint64)(y)))
			b := v
			if opcode(*(*uint16)(unsafe.Add(pc, offOp))) == opI32AddImmLoad8U {
				b = *ob(fp, pc)
			}
			x := x1(pc)
			ea := uint64(uint32(b)+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			*oc(fp, pc) = v
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			*oa(fp, pc) = uint64(*(*uint8)(unsafe.Add(memBase, ea)))
			pc = unsafe.Add(pc, sizeAddImmLoad)
			continue
		case opI32LoadLoad8U:
			// Both bounds checks before either write, so that oob may
			// rerun the instruction (C may be B).
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			v := uint64(le32(unsafe.Add(memBase, ea)))
			x = x2(pc)
			ea = uint64(uint32(v)+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			*oc(fp, pc) = v
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			*oa(fp, pc) = uint64(*(*uint8)(unsafe.Add(memBase, ea)))
			pc = unsafe.Add(pc, sizeLoadLoad)
			continue
		case opI32AndI64LoadIdxShl:
			// The and, then the load (which may read its result). A
			// shared memory grown meanwhile reruns both from oob: the and
			// gives the same result again (A = B & C is idempotent,
			// whether A is B, C or neither).
			*oa(fp, pc) = *ob(fp, pc) & *oc(fp, pc)
			x, y := x1(pc), unsafe.Add(pc, 16) // the load's cells are y's A, B, C
			ea := uint64(uint32(*ob(fp, y)+*oc(fp, y)<<(x&31))) + x>>32
			if ea+8 > memSize {
				goto oob
			}
			// SAFETY: ea+8 <= Size <= len(Buf) (see memState).
			*oa(fp, y) = le64(unsafe.Add(memBase, ea))
			pc = unsafe.Add(pc, sizeAndLoadIdxShl)
			continue
		case opI32BitfieldUXorImm:
			w := *(*uint64)(pc)
			x := x1(pc)
			*oa(fp, pc) = uint64(uint32(*ob(fp, pc))>>(wC(w)&31))&(x&0xffffffff) ^ x>>32
			pc = unsafe.Add(pc, sizeDASII)
			continue
		case opI32BitfieldU:
			x := x1(pc)
			*oa(fp, pc) = uint64(uint32(*ob(fp, pc))>>(x&31)) & (x >> 32)
			pc = unsafe.Add(pc, sizeDAII)
			continue
		case opI32MulAdd:
			*oa(fp, pc) = uint64(uint32(*ob(fp, pc))*uint32(*oc(fp, pc)) + uint32(*cell(fp, x1(pc))))
			pc = unsafe.Add(pc, sizeDABC)
			continue
		case opI32ShlAdd:
			*oa(fp, pc) = uint64(uint32(*ob(fp, pc))<<(x1(pc)&31) + uint32(*oc(fp, pc)))
			pc = unsafe.Add(pc, sizeDABI)
			continue

		// v128.
		case opCopy2:
			a, b := oa(fp, pc), ob(fp, pc)
			put128(a, get128(b))
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opV128Const:
			put128(oa(fp, pc), V128{x1(pc), x2(pc)})
			pc = unsafe.Add(pc, sizeV128Const)
			continue
		case opSelect128:
			v := get128(oc(fp, pc))
			if *cell(fp, x1(pc)) != 0 {
				v = get128(ob(fp, pc))
			}
			put128(oa(fp, pc), v)
			pc = unsafe.Add(pc, sizeSelect)
			continue
		case opGlobalGet128:
			w := *(*uint64)(pc)
			g := m.globals[wB(w)]
			put128(oa(fp, pc), V128{g.Val, g.Hi})
			pc = unsafe.Add(pc, sizeGlobalGet)
			continue
		case opGlobalSet128:
			w := *(*uint64)(pc)
			g := m.globals[wA(w)]
			v := get128(ob(fp, pc))
			g.Val, g.Hi = v.Lo, v.Hi
			pc = unsafe.Add(pc, sizeGlobalSet)
			continue

			// Generated families: numeric operators, compare-and-branch,
			// loads and stores.
			// isagen:begin (generated from engine/internal/isagen/table.go; DO NOT EDIT)
		case opI32Eq:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(uint32(b) == uint32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32EqImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(uint32(b) == uint32(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI32Eq:
			if b, c := *ob(fp, pc), *oc(fp, pc); uint32(b) == uint32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI32EqImm:
			if b, c := *ob(fp, pc), x2(pc); uint32(b) == uint32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI32Ne:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(uint32(b) != uint32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32NeImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(uint32(b) != uint32(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI32Ne:
			if b, c := *ob(fp, pc), *oc(fp, pc); uint32(b) != uint32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI32NeImm:
			if b, c := *ob(fp, pc), x2(pc); uint32(b) != uint32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI32LtS:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(int32(b) < int32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32LtSImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(int32(b) < int32(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI32LtS:
			if b, c := *ob(fp, pc), *oc(fp, pc); int32(b) < int32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI32LtSImm:
			if b, c := *ob(fp, pc), x2(pc); int32(b) < int32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI32LtU:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(uint32(b) < uint32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32LtUImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(uint32(b) < uint32(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI32LtU:
			if b, c := *ob(fp, pc), *oc(fp, pc); uint32(b) < uint32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI32LtUImm:
			if b, c := *ob(fp, pc), x2(pc); uint32(b) < uint32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI32GtS:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(int32(b) > int32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32GtSImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(int32(b) > int32(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI32GtS:
			if b, c := *ob(fp, pc), *oc(fp, pc); int32(b) > int32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI32GtSImm:
			if b, c := *ob(fp, pc), x2(pc); int32(b) > int32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI32GtU:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(uint32(b) > uint32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32GtUImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(uint32(b) > uint32(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI32GtU:
			if b, c := *ob(fp, pc), *oc(fp, pc); uint32(b) > uint32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI32GtUImm:
			if b, c := *ob(fp, pc), x2(pc); uint32(b) > uint32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI32LeS:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(int32(b) <= int32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32LeSImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(int32(b) <= int32(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI32LeS:
			if b, c := *ob(fp, pc), *oc(fp, pc); int32(b) <= int32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI32LeSImm:
			if b, c := *ob(fp, pc), x2(pc); int32(b) <= int32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI32LeU:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(uint32(b) <= uint32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32LeUImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(uint32(b) <= uint32(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI32LeU:
			if b, c := *ob(fp, pc), *oc(fp, pc); uint32(b) <= uint32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI32LeUImm:
			if b, c := *ob(fp, pc), x2(pc); uint32(b) <= uint32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI32GeS:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(int32(b) >= int32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32GeSImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(int32(b) >= int32(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI32GeS:
			if b, c := *ob(fp, pc), *oc(fp, pc); int32(b) >= int32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI32GeSImm:
			if b, c := *ob(fp, pc), x2(pc); int32(b) >= int32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI32GeU:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(uint32(b) >= uint32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32GeUImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(uint32(b) >= uint32(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI32GeU:
			if b, c := *ob(fp, pc), *oc(fp, pc); uint32(b) >= uint32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI32GeUImm:
			if b, c := *ob(fp, pc), x2(pc); uint32(b) >= uint32(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI64Eq:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(uint64(b) == uint64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64EqImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(uint64(b) == uint64(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI64Eq:
			if b, c := *ob(fp, pc), *oc(fp, pc); uint64(b) == uint64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI64EqImm:
			if b, c := *ob(fp, pc), x2(pc); uint64(b) == uint64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI64Ne:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(uint64(b) != uint64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64NeImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(uint64(b) != uint64(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI64Ne:
			if b, c := *ob(fp, pc), *oc(fp, pc); uint64(b) != uint64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI64NeImm:
			if b, c := *ob(fp, pc), x2(pc); uint64(b) != uint64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI64LtS:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(int64(b) < int64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64LtSImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(int64(b) < int64(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI64LtS:
			if b, c := *ob(fp, pc), *oc(fp, pc); int64(b) < int64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI64LtSImm:
			if b, c := *ob(fp, pc), x2(pc); int64(b) < int64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI64LtU:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(uint64(b) < uint64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64LtUImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(uint64(b) < uint64(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI64LtU:
			if b, c := *ob(fp, pc), *oc(fp, pc); uint64(b) < uint64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI64LtUImm:
			if b, c := *ob(fp, pc), x2(pc); uint64(b) < uint64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI64GtS:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(int64(b) > int64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64GtSImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(int64(b) > int64(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI64GtS:
			if b, c := *ob(fp, pc), *oc(fp, pc); int64(b) > int64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI64GtSImm:
			if b, c := *ob(fp, pc), x2(pc); int64(b) > int64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI64GtU:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(uint64(b) > uint64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64GtUImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(uint64(b) > uint64(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI64GtU:
			if b, c := *ob(fp, pc), *oc(fp, pc); uint64(b) > uint64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI64GtUImm:
			if b, c := *ob(fp, pc), x2(pc); uint64(b) > uint64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI64LeS:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(int64(b) <= int64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64LeSImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(int64(b) <= int64(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI64LeS:
			if b, c := *ob(fp, pc), *oc(fp, pc); int64(b) <= int64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI64LeSImm:
			if b, c := *ob(fp, pc), x2(pc); int64(b) <= int64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI64LeU:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(uint64(b) <= uint64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64LeUImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(uint64(b) <= uint64(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI64LeU:
			if b, c := *ob(fp, pc), *oc(fp, pc); uint64(b) <= uint64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI64LeUImm:
			if b, c := *ob(fp, pc), x2(pc); uint64(b) <= uint64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI64GeS:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(int64(b) >= int64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64GeSImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(int64(b) >= int64(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI64GeS:
			if b, c := *ob(fp, pc), *oc(fp, pc); int64(b) >= int64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI64GeSImm:
			if b, c := *ob(fp, pc), x2(pc); int64(b) >= int64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI64GeU:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(uint64(b) >= uint64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64GeUImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b2u(uint64(b) >= uint64(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opBrI64GeU:
			if b, c := *ob(fp, pc), *oc(fp, pc); uint64(b) >= uint64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAB)
			continue
		case opBrI64GeUImm:
			if b, c := *ob(fp, pc), x2(pc); uint64(b) >= uint64(c) {
				pc = unsafe.Add(pc, 8)
				goto taken
			}
			pc = unsafe.Add(pc, sizeBrAI)
			continue
		case opI32Load:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le32(p))
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opI32LoadIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le32(p))
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opI32LoadShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le32(p))
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opI32LoadIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le32(p))
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opI64Load:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+8 > memSize {
				goto oob
			}
			// SAFETY: ea+8 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = le64(p)
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opI64LoadIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+8 > memSize {
				goto oob
			}
			// SAFETY: ea+8 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = le64(p)
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opI64LoadShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+8 > memSize {
				goto oob
			}
			// SAFETY: ea+8 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = le64(p)
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opI64LoadIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+8 > memSize {
				goto oob
			}
			// SAFETY: ea+8 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = le64(p)
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opF32Load:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le32(p))
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opF32LoadIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le32(p))
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opF32LoadShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le32(p))
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opF32LoadIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le32(p))
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opF64Load:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+8 > memSize {
				goto oob
			}
			// SAFETY: ea+8 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = le64(p)
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opF64LoadIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+8 > memSize {
				goto oob
			}
			// SAFETY: ea+8 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = le64(p)
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opF64LoadShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+8 > memSize {
				goto oob
			}
			// SAFETY: ea+8 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = le64(p)
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opF64LoadIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+8 > memSize {
				goto oob
			}
			// SAFETY: ea+8 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = le64(p)
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opI32Load8S:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(uint32(int32(*(*int8)(p))))
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opI32Load8SIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(uint32(int32(*(*int8)(p))))
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opI32Load8SShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(uint32(int32(*(*int8)(p))))
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opI32Load8SIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(uint32(int32(*(*int8)(p))))
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opI32Load8U:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(*(*uint8)(p))
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opI32Load8UIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(*(*uint8)(p))
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opI32Load8UShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(*(*uint8)(p))
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opI32Load8UIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(*(*uint8)(p))
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opI32Load16S:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(uint32(int32(int16(le16(p)))))
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opI32Load16SIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(uint32(int32(int16(le16(p)))))
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opI32Load16SShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(uint32(int32(int16(le16(p)))))
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opI32Load16SIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(uint32(int32(int16(le16(p)))))
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opI32Load16U:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le16(p))
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opI32Load16UIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le16(p))
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opI32Load16UShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le16(p))
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opI32Load16UIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le16(p))
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opI64Load8S:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(int64(*(*int8)(p)))
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opI64Load8SIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(int64(*(*int8)(p)))
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opI64Load8SShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(int64(*(*int8)(p)))
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opI64Load8SIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(int64(*(*int8)(p)))
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opI64Load8U:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(*(*uint8)(p))
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opI64Load8UIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(*(*uint8)(p))
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opI64Load8UShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(*(*uint8)(p))
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opI64Load8UIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(*(*uint8)(p))
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opI64Load16S:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(int64(int16(le16(p))))
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opI64Load16SIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(int64(int16(le16(p))))
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opI64Load16SShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(int64(int16(le16(p))))
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opI64Load16SIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(int64(int16(le16(p))))
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opI64Load16U:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le16(p))
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opI64Load16UIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le16(p))
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opI64Load16UShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le16(p))
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opI64Load16UIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le16(p))
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opI64Load32S:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(int64(int32(le32(p))))
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opI64Load32SIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(int64(int32(le32(p))))
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opI64Load32SShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(int64(int32(le32(p))))
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opI64Load32SIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(int64(int32(le32(p))))
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opI64Load32U:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le32(p))
			pc = unsafe.Add(pc, sizeLoad)
			continue
		case opI64Load32UIdx:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le32(p))
			pc = unsafe.Add(pc, sizeLoadIdx)
			continue
		case opI64Load32UShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)<<(fC(pc)&31))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le32(p))
			pc = unsafe.Add(pc, sizeLoadShl)
			continue
		case opI64Load32UIdxShl:
			x := x1(pc)
			ea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			p := unsafe.Add(memBase, ea)
			*oa(fp, pc) = uint64(le32(p))
			pc = unsafe.Add(pc, sizeLoadIdxShl)
			continue
		case opI32Store:
			x := x1(pc)
			ea := uint64(uint32(*oa(fp, pc))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf); the cards of its first and last
			// byte exist (see memState).
			p, v := unsafe.Add(memBase, ea), *ob(fp, pc)
			putLE32(p, uint32(v))
			*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1
			*(*byte)(unsafe.Add(m.cards, (ea+3)>>CardShift)) = 1
			pc = unsafe.Add(pc, sizeStore)
			continue
		case opI64Store:
			x := x1(pc)
			ea := uint64(uint32(*oa(fp, pc))+uint32(x)) + x>>32
			if ea+8 > memSize {
				goto oob
			}
			// SAFETY: ea+8 <= Size <= len(Buf); the cards of its first and last
			// byte exist (see memState).
			p, v := unsafe.Add(memBase, ea), *ob(fp, pc)
			putLE64(p, v)
			*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1
			*(*byte)(unsafe.Add(m.cards, (ea+7)>>CardShift)) = 1
			pc = unsafe.Add(pc, sizeStore)
			continue
		case opF32Store:
			x := x1(pc)
			ea := uint64(uint32(*oa(fp, pc))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf); the cards of its first and last
			// byte exist (see memState).
			p, v := unsafe.Add(memBase, ea), *ob(fp, pc)
			putLE32(p, uint32(v))
			*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1
			*(*byte)(unsafe.Add(m.cards, (ea+3)>>CardShift)) = 1
			pc = unsafe.Add(pc, sizeStore)
			continue
		case opF64Store:
			x := x1(pc)
			ea := uint64(uint32(*oa(fp, pc))+uint32(x)) + x>>32
			if ea+8 > memSize {
				goto oob
			}
			// SAFETY: ea+8 <= Size <= len(Buf); the cards of its first and last
			// byte exist (see memState).
			p, v := unsafe.Add(memBase, ea), *ob(fp, pc)
			putLE64(p, v)
			*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1
			*(*byte)(unsafe.Add(m.cards, (ea+7)>>CardShift)) = 1
			pc = unsafe.Add(pc, sizeStore)
			continue
		case opI32Store8:
			x := x1(pc)
			ea := uint64(uint32(*oa(fp, pc))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf); the cards of its first and last
			// byte exist (see memState).
			p, v := unsafe.Add(memBase, ea), *ob(fp, pc)
			*(*uint8)(p) = uint8(v)
			*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1
			pc = unsafe.Add(pc, sizeStore)
			continue
		case opI32Store16:
			x := x1(pc)
			ea := uint64(uint32(*oa(fp, pc))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf); the cards of its first and last
			// byte exist (see memState).
			p, v := unsafe.Add(memBase, ea), *ob(fp, pc)
			putLE16(p, uint16(v))
			*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1
			*(*byte)(unsafe.Add(m.cards, (ea+1)>>CardShift)) = 1
			pc = unsafe.Add(pc, sizeStore)
			continue
		case opI64Store8:
			x := x1(pc)
			ea := uint64(uint32(*oa(fp, pc))+uint32(x)) + x>>32
			if ea+1 > memSize {
				goto oob
			}
			// SAFETY: ea+1 <= Size <= len(Buf); the cards of its first and last
			// byte exist (see memState).
			p, v := unsafe.Add(memBase, ea), *ob(fp, pc)
			*(*uint8)(p) = uint8(v)
			*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1
			pc = unsafe.Add(pc, sizeStore)
			continue
		case opI64Store16:
			x := x1(pc)
			ea := uint64(uint32(*oa(fp, pc))+uint32(x)) + x>>32
			if ea+2 > memSize {
				goto oob
			}
			// SAFETY: ea+2 <= Size <= len(Buf); the cards of its first and last
			// byte exist (see memState).
			p, v := unsafe.Add(memBase, ea), *ob(fp, pc)
			putLE16(p, uint16(v))
			*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1
			*(*byte)(unsafe.Add(m.cards, (ea+1)>>CardShift)) = 1
			pc = unsafe.Add(pc, sizeStore)
			continue
		case opI64Store32:
			x := x1(pc)
			ea := uint64(uint32(*oa(fp, pc))+uint32(x)) + x>>32
			if ea+4 > memSize {
				goto oob
			}
			// SAFETY: ea+4 <= Size <= len(Buf); the cards of its first and last
			// byte exist (see memState).
			p, v := unsafe.Add(memBase, ea), *ob(fp, pc)
			putLE32(p, uint32(v))
			*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1
			*(*byte)(unsafe.Add(m.cards, (ea+3)>>CardShift)) = 1
			pc = unsafe.Add(pc, sizeStore)
			continue
		case opI32Eqz:
			b := *ob(fp, pc)
			*oa(fp, pc) = b2u(uint32(b) == 0)
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opI32Clz:
			b := *ob(fp, pc)
			*oa(fp, pc) = uint64(bits.LeadingZeros32(uint32(b)))
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opI32Ctz:
			b := *ob(fp, pc)
			*oa(fp, pc) = uint64(bits.TrailingZeros32(uint32(b)))
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opI32Add:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = uint64(uint32(b + c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32AddImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = uint64(uint32(b + c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI32Sub:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = uint64(uint32(b - c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32Mul:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = uint64(uint32(b) * uint32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32MulImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = uint64(uint32(b) * uint32(c))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI32And:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b & c
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32AndImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b & c
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI32Or:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b | c
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32OrImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b | c
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI32Xor:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b ^ c
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32XorImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b ^ c
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI32Shl:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = uint64(uint32(b) << (c & 31))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32ShlImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = uint64(uint32(b) << (c & 31))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI32ShrS:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = uint64(uint32(int32(b) >> (c & 31)))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32ShrSImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = uint64(uint32(int32(b) >> (c & 31)))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI32ShrU:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = uint64(uint32(b) >> (c & 31))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32ShrUImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = uint64(uint32(b) >> (c & 31))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI32Rotl:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = rotl32(b, c)
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32RotlImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = rotl32(b, c)
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI32Rotr:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = rotr32(b, c)
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32RotrImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = rotr32(b, c)
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI64Eqz:
			b := *ob(fp, pc)
			*oa(fp, pc) = b2u(b == 0)
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opI64Clz:
			b := *ob(fp, pc)
			*oa(fp, pc) = uint64(bits.LeadingZeros64(b))
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opI64Ctz:
			b := *ob(fp, pc)
			*oa(fp, pc) = uint64(bits.TrailingZeros64(b))
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opI64Add:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b + c
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64AddImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b + c
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI64Sub:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b - c
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64Mul:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b * c
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64MulImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b * c
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI64And:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b & c
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64AndImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b & c
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI64Or:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b | c
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64OrImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b | c
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI64Xor:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b ^ c
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64XorImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b ^ c
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI64Shl:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b << (c & 63)
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64ShlImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b << (c & 63)
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI64ShrS:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = uint64(int64(b) >> (c & 63))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64ShrSImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = uint64(int64(b) >> (c & 63))
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI64ShrU:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b >> (c & 63)
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64ShrUImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = b >> (c & 63)
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI64Rotl:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = rotl64(b, c)
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64RotlImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = rotl64(b, c)
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opI64Rotr:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = rotr64(b, c)
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI64RotrImm:
			b, c := *ob(fp, pc), x1(pc)
			*oa(fp, pc) = rotr64(b, c)
			pc = unsafe.Add(pc, sizeDAI)
			continue
		case opF32Eq:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(f32(b) == f32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF32Ne:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(f32(b) != f32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF32Lt:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(f32(b) < f32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF32Gt:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(f32(b) > f32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF32Le:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(f32(b) <= f32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF32Ge:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(f32(b) >= f32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF32Abs:
			b := *ob(fp, pc)
			*oa(fp, pc) = b & 0x7fffffff
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opF32Neg:
			b := *ob(fp, pc)
			*oa(fp, pc) = (b ^ 0x80000000) & 0xffffffff
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opF32Add:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = u32f(f32(b) + f32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF32Sub:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = u32f(f32(b) - f32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF32Mul:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = u32f(f32(b) * f32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF32Div:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = u32f(f32(b) / f32(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF32Copysign:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b&0x7fffffff | c&0x80000000
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF64Eq:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(f64(b) == f64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF64Ne:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(f64(b) != f64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF64Lt:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(f64(b) < f64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF64Gt:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(f64(b) > f64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF64Le:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(f64(b) <= f64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF64Ge:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b2u(f64(b) >= f64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF64Abs:
			b := *ob(fp, pc)
			*oa(fp, pc) = b & (1<<63 - 1)
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opF64Neg:
			b := *ob(fp, pc)
			*oa(fp, pc) = b ^ 1<<63
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opF64Add:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = u64f(f64(b) + f64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF64Sub:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = u64f(f64(b) - f64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF64Mul:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = u64f(f64(b) * f64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF64Div:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = u64f(f64(b) / f64(c))
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opF64Copysign:
			b, c := *ob(fp, pc), *oc(fp, pc)
			*oa(fp, pc) = b&(1<<63-1) | c&(1<<63)
			pc = unsafe.Add(pc, sizeDAB)
			continue
		case opI32WrapI64:
			b := *ob(fp, pc)
			*oa(fp, pc) = uint64(uint32(b))
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opI64ExtendI32S:
			b := *ob(fp, pc)
			*oa(fp, pc) = uint64(int64(int32(b)))
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opI64ExtendI32U:
			b := *ob(fp, pc)
			*oa(fp, pc) = uint64(uint32(b))
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opI32Extend8S:
			b := *ob(fp, pc)
			*oa(fp, pc) = uint64(uint32(int32(int8(b))))
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opI32Extend16S:
			b := *ob(fp, pc)
			*oa(fp, pc) = uint64(uint32(int32(int16(b))))
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opI64Extend8S:
			b := *ob(fp, pc)
			*oa(fp, pc) = uint64(int64(int8(b)))
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opI64Extend16S:
			b := *ob(fp, pc)
			*oa(fp, pc) = uint64(int64(int16(b)))
			pc = unsafe.Add(pc, sizeDA)
			continue
		case opI64Extend32S:
			b := *ob(fp, pc)
			*oa(fp, pc) = uint64(int64(int32(b)))
			pc = unsafe.Add(pc, sizeDA)
			continue
		// isagen:end
		default:
			w := *(*uint64)(pc)
			m.pc = pc
			if trap = m.slow(w); trap != trapNone {
				pc = m.pc
				if trap == trapOOBMemory { // a shared memory may have grown
					goto oob
				}
				break loop
			}
			goto reload
		}
		// Every case ends in continue, goto, break or return: each jumps
		// straight back to the dispatch, so no case shares a merge block
		// where the register allocator would shuffle the loop's state (see
		// RATIONALE.md). A case falling off its end would run the code
		// below; TestOpcodeWidths would see it.

	taken:
		// A branch is taken: pc is at the word holding its offset (in
		// words, relative to that word). A backward branch checks the
		// interrupt flag.
		off = int64(*(*uint64)(pc))
		pc = unsafe.Add(pc, off*8)
		if off >= 0 {
			continue
		}
		if m.interrupt.Load() == 0 {
			continue
		}
		// A back-edge found the interrupt flag up (context done, or fuel
		// metered). Charging fuel is done here, without a call, while the
		// context is not done.
		if m.interrupt.Load() == interruptFuel && m.fuel > 0 {
			m.fuel--
			continue
		}
		m.pc = pc
		if trap = m.poll(); trap != trapNone {
			pc = m.pc
			break loop
		}
		goto reload

	tailcall:
		// return_call*: the callee takes over the caller's frame (its
		// arguments, at base, move to the frame's start) and returns to
		// the caller's caller, so a chain of tail calls runs in constant
		// stack. A host callee runs as a call at base whose results move
		// to the frame's start; the return the translator put after the
		// instruction then ends the frame.
		if m.interrupt.Load() != 0 {
			m.pc = pc
			goto callPoll
		}
	tailcallPolled:
		if callee.Code == nil {
			m.pc = pc
			if trap = m.hostTailCall(callee, base); trap != trapNone {
				pc = unsafe.Add(m.pc, -sizeCall)
				break loop
			}
			goto reload
		}
		{
			c := callee.Code
			if m.fpi+c.FrameCells > len(m.stack) {
				m.pc = pc
				if !m.grow(m.fpi + c.FrameCells) {
					goto exhausted
				}
				fp = m.fp // pc is set to the callee's first word in enter
			}
			// Move the arguments down to the frame's start, in increasing
			// order (the destination is below the source). SAFETY: base
			// and the arguments lie inside the caller's frame, cells
			// 0..NumParams-1 inside the callee's, and both frames start
			// at fp, with fpi+FrameCells <= len(stack) checked above.
			for i := 0; i < c.NumParams; i++ {
				*(*uint64)(unsafe.Add(fp, 8*i)) = *(*uint64)(unsafe.Add(fp, 8*(base+i)))
			}
		}
		goto enter

	call:
		// Every Go call below is bracketed by saving the loop's state to m
		// and reloading it, so that nothing is live across it.
		if m.interrupt.Load() != 0 {
			m.pc = pc
			goto callPoll
		}
	callPolled:
		if callee.Code == nil {
			m.pc = pc
			if trap = m.hostCall(callee, base); trap != trapNone {
				// Report the call site, not the next instruction.
				pc = unsafe.Add(m.pc, -sizeCall)
				break loop
			}
			goto reload
		}
		{
			// One compare for the common case covers both limits: the
			// frame stack's capacity never exceeds maxDepth (see grow).
			c := callee.Code
			nfp := m.fpi + base
			n := len(m.frames)
			if n == cap(m.frames) || nfp+c.FrameCells > len(m.stack) {
				m.pc = pc
				if n >= m.maxDepth || !m.grow(nfp+c.FrameCells) {
					goto exhausted
				}
				pc, fp = m.pc, m.fp // the stack may have moved
			}
			m.frames = m.frames[:n+1]
			m.frames[n] = frame{fn: m.fn, pc: pc, fp: m.fpi}
			m.fpi = nfp
			// SAFETY: nfp+FrameCells <= len(stack), checked above, and fp
			// is the caller's frame at fpi-base in the current stack.
			fp = unsafe.Add(fp, 8*base)
		}
		goto enter

	enter:
		// A call or tail call whose callee's frame is at fp (m.fpi), its
		// arguments in place: zero the declared locals and run it.
		{
			c := callee.Code
			m.fp = fp
			// Not clear: clear calls memclr. Most functions have at most
			// four local cells (one is the zero cell) in a frame of at
			// least four more than their parameters: one 32-byte store
			// (two SSE stores) zeroes them, and temporaries past them,
			// dead at entry. SAFETY: with zero4, cells NumParams..
			// NumParams+3 lie inside the frame; else cells NumParams..
			// NumParams+NumLocals-1 do; no pointer past its end is formed.
			if c.zero4 {
				*(*[4]uint64)(unsafe.Add(fp, 8*c.NumParams)) = [4]uint64{}
			} else if c.NumLocals == 1 {
				*(*uint64)(unsafe.Add(fp, 8*c.NumParams)) = 0
			} else {
				for i := c.NumParams; i < c.NumParams+c.NumLocals; i++ {
					*(*uint64)(unsafe.Add(fp, 8*i)) = 0
				}
			}
			m.fn = callee
			pc = unsafe.Pointer(unsafe.SliceData(c.Words))
			if callee.Instance != m.inst {
				m.pc = pc
				m.inst = callee.Instance
				m.loadInstance()
				goto reload
			}
		}
		continue

	callPoll:
		// A call or tail call found the interrupt flag up; m.pc is past
		// the call instruction. Charging fuel is done here, without a
		// Go call, while the context is not done.
		if m.interrupt.Load() == interruptFuel && m.fuel > 0 {
			m.fuel--
		} else if trap = m.poll(); trap != trapNone {
			pc = unsafe.Add(m.pc, -sizeCall)
			break loop
		}
		pc, fp, memBase, memSize = m.pc, m.fp, m.memBase, m.memSize
		switch opcode(*(*uint64)(unsafe.Add(pc, -sizeCall))) {
		case opReturnCall, opReturnCallIndirect, opReturnCallRef:
			goto tailcallPolled
		}
		goto callPolled

	exhausted:
		// The call stack is full (m.pc is past the call instruction).
		trap = trapStackExhausted
		pc = unsafe.Add(m.pc, -sizeCall)
		break loop

	oob:
		// An access past the cached size. A shared memory may have been
		// grown by another goroutine since the size was cached: then the
		// instruction runs again with the new size (nothing of it has
		// run: every access checks before it writes). Else the trap.
		m.pc = pc
		if m.sharedGrew() {
			goto reload
		}
		pc = m.pc
		trap = trapOOBMemory
		break loop

	reload:
		// After a Go call: the loop's state from m.
		pc, fp, memBase, memSize = m.pc, m.fp, m.memBase, m.memSize
	}
	m.trapPC = pc
	return trap
}

// slow executes the instructions that call Go functions (bulk memory,
// tables, SIMD, float rounding, conversions, memory.grow). execute leaves
// them here so that none of its loop-carried locals is live across a call:
// otherwise the compiler spills them around every dispatch. The state
// goes through m: pc, fp, memBase and memSize in, pc (and the memory
// after a grow) out.
func (m *machine) slow(w uint64) trapCode {
	pc, fp := m.pc, m.fp
	memBase, memSize := m.memBase, m.memSize
	switch opcode(w) {
	case opI32Popcnt:
		*ra(fp, w) = uint64(bits.OnesCount32(uint32(*rb(fp, w))))
		pc = unsafe.Add(pc, sizeDA)
	case opI64Popcnt:
		*ra(fp, w) = uint64(bits.OnesCount64(*rb(fp, w)))
		pc = unsafe.Add(pc, sizeDA)
	case opMemoryGrow:
		r := uint64(math.MaxUint32)
		if m.inst.Memory != nil {
			if old, ok := m.inst.Memory.Grow(uint64(uint32(*rb(fp, w)))); ok {
				r = old
			}
			m.loadInstance()
		}
		*ra(fp, w) = r
		pc = unsafe.Add(pc, sizeDA)

	case opF32Min:
		*ra(fp, w) = u32f(fmin32(f32(*rb(fp, w)), f32(*rc(fp, w))))
		pc = unsafe.Add(pc, sizeDAB)
	case opF32Max:
		*ra(fp, w) = u32f(fmax32(f32(*rb(fp, w)), f32(*rc(fp, w))))
		pc = unsafe.Add(pc, sizeDAB)
	case opF32Ceil:
		*ra(fp, w) = unary32(*rb(fp, w), math.Ceil)
		pc = unsafe.Add(pc, sizeDA)
	case opF32Floor:
		*ra(fp, w) = unary32(*rb(fp, w), math.Floor)
		pc = unsafe.Add(pc, sizeDA)
	case opF32Trunc:
		*ra(fp, w) = unary32(*rb(fp, w), math.Trunc)
		pc = unsafe.Add(pc, sizeDA)
	case opF32Nearest:
		*ra(fp, w) = unary32(*rb(fp, w), math.RoundToEven)
		pc = unsafe.Add(pc, sizeDA)
	case opF32Sqrt:
		*ra(fp, w) = sqrt32(*rb(fp, w))
		pc = unsafe.Add(pc, sizeDA)
	case opF64Min:
		*ra(fp, w) = u64f(fmin64(f64(*rb(fp, w)), f64(*rc(fp, w))))
		pc = unsafe.Add(pc, sizeDAB)
	case opF64Max:
		*ra(fp, w) = u64f(fmax64(f64(*rb(fp, w)), f64(*rc(fp, w))))
		pc = unsafe.Add(pc, sizeDAB)
	case opF64Ceil:
		*ra(fp, w) = unary64(*rb(fp, w), math.Ceil)
		pc = unsafe.Add(pc, sizeDA)
	case opF64Floor:
		*ra(fp, w) = unary64(*rb(fp, w), math.Floor)
		pc = unsafe.Add(pc, sizeDA)
	case opF64Trunc:
		*ra(fp, w) = unary64(*rb(fp, w), math.Trunc)
		pc = unsafe.Add(pc, sizeDA)
	case opF64Nearest:
		*ra(fp, w) = unary64(*rb(fp, w), math.RoundToEven)
		pc = unsafe.Add(pc, sizeDA)
	case opF64Sqrt:
		*ra(fp, w) = unary64(*rb(fp, w), math.Sqrt)
		pc = unsafe.Add(pc, sizeDA)
	case opI32TruncF32S, opI32TruncF32U, opI32TruncF64S, opI32TruncF64U,
		opI64TruncF32S, opI64TruncF32U, opI64TruncF64S, opI64TruncF64U:
		v, t := truncOp(opcode(w), *rb(fp, w))
		if t != trapNone {
			return t
		}
		*ra(fp, w) = v
		pc = unsafe.Add(pc, sizeDA)
	case opI32TruncSatF32S, opI32TruncSatF32U, opI32TruncSatF64S, opI32TruncSatF64U,
		opI64TruncSatF32S, opI64TruncSatF32U, opI64TruncSatF64S, opI64TruncSatF64U,
		opF32ConvertI32S, opF32ConvertI32U, opF32ConvertI64S, opF32ConvertI64U, opF32DemoteF64,
		opF64ConvertI32S, opF64ConvertI32U, opF64ConvertI64S, opF64ConvertI64U, opF64PromoteF32:
		*ra(fp, w) = convOp(opcode(w), *rb(fp, w))
		pc = unsafe.Add(pc, sizeDA)

	case opMemoryInit:
		if t := m.memoryInit(fp, w, x1(pc)); t != trapNone {
			return t
		}
		pc = unsafe.Add(pc, sizeABCX)
	case opDataDrop:
		m.inst.DropData(x1(pc))
		pc = unsafe.Add(pc, sizeX)
	case opMemoryCopy:
		if t := m.memoryCopy(fp, w); t != trapNone {
			return t
		}
		pc = unsafe.Add(pc, sizeABCX)
	case opMemoryFill:
		if t := m.memoryFill(fp, w); t != trapNone {
			return t
		}
		pc = unsafe.Add(pc, sizeABCX)
	case opTableInit:
		if t := m.tableInit(fp, w, x1(pc)); t != trapNone {
			return t
		}
		pc = unsafe.Add(pc, sizeABCX)
	case opElemDrop:
		m.inst.DroppedElem[x1(pc)] = true
		pc = unsafe.Add(pc, sizeX)
	case opTableCopy:
		if t := m.tableCopy(fp, w, x1(pc)); t != trapNone {
			return t
		}
		pc = unsafe.Add(pc, sizeABCX)
	case opTableGrow:
		*ra(fp, w) = m.tableGrow(fp, w, x1(pc))
		pc = unsafe.Add(pc, sizeDABX)
	case opTableSize:
		*ra(fp, w) = m.inst.Tables[x1(pc)].Size()
		pc = unsafe.Add(pc, sizeDX)
	case opTableFill:
		if t := m.tableFill(fp, w, x1(pc)); t != trapNone {
			return t
		}
		pc = unsafe.Add(pc, sizeABCX)
	case opTableGet:
		v, t := m.tableGet(fp, w, x1(pc))
		if t != trapNone {
			return t
		}
		*ra(fp, w) = v
		pc = unsafe.Add(pc, sizeDAX)
	case opTableSet:
		if t := m.tableSet(fp, w, x1(pc)); t != trapNone {
			return t
		}
		pc = unsafe.Add(pc, sizeABX)
	case opRefFunc:
		*ra(fp, w) = FuncRefValue(m.inst.Funcs[x1(pc)])
		pc = unsafe.Add(pc, sizeDX)
	case opGlobalSetRef:
		g := m.globals[wA(w)]
		g.Val = *rb(fp, w)
		g.Ref = FuncRefFunction(g.Val)
		pc = unsafe.Add(pc, sizeGlobalSet)

	case opAtomicLoad:
		if t := m.atomicLoad(fp, w, x1(pc)); t != trapNone {
			return t
		}
		pc = unsafe.Add(pc, sizeDAX)
	case opAtomicStore:
		if t := m.atomicStore(fp, w, x1(pc)); t != trapNone {
			return t
		}
		pc = unsafe.Add(pc, sizeABX)
	case opAtomicRmw:
		if t := m.atomicRMW(fp, w, x1(pc)); t != trapNone {
			return t
		}
		pc = unsafe.Add(pc, sizeDABX)
	case opAtomicCmpxchg:
		if t := m.atomicCmpxchg(fp, w, x1(pc)); t != trapNone {
			return t
		}
		pc = unsafe.Add(pc, sizeDABX)
	case opMemoryAtomicWait:
		if t := m.atomicWait(fp, w, x1(pc)); t != trapNone {
			return t
		}
		pc = unsafe.Add(pc, sizeDABX)
	case opMemoryAtomicNotify:
		if t := m.atomicNotify(fp, w, x1(pc)); t != trapNone {
			return t
		}
		pc = unsafe.Add(pc, sizeDABX)
	case opAtomicFence:
		atomicFence()
		pc = unsafe.Add(pc, sizeNone)

	case opV128Load:
		sub := uint32(wC(w))
		ea := uint64(uint32(*rb(fp, w))) + x1(pc)
		n := uint64(simdLoadSize(sub))
		if ea+n > memSize {
			return trapOOBMemory
		}
		// SAFETY: ea+n <= Size <= len(Buf) (see memState).
		put128(ra(fp, w), simdLoadOp(sub, unsafe.Slice((*byte)(unsafe.Add(memBase, ea)), n)))
		pc = unsafe.Add(pc, sizeDAX)
	case opV128Store:
		ea := uint64(uint32(*ra(fp, w))) + x1(pc)
		if ea+16 > memSize {
			return trapOOBMemory
		}
		v := get128(rb(fp, w))
		// SAFETY: ea+16 <= Size <= len(Buf); the cards of ea and
		// ea+15 exist (see memState).
		putLE64(unsafe.Add(memBase, ea), v.Lo)
		putLE64(unsafe.Add(memBase, ea+8), v.Hi)
		*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1
		*(*byte)(unsafe.Add(m.cards, (ea+15)>>CardShift)) = 1
		pc = unsafe.Add(pc, sizeABX)
	case opV128LoadLane:
		x := x1(pc)
		sub, lane := uint32(x>>40), byte(x>>32)
		ea := uint64(uint32(*rb(fp, w))) + x&0xffffffff
		n := uint64(simdLoadSize(sub))
		if ea+n > memSize {
			return trapOOBMemory
		}
		// SAFETY: ea+n <= Size <= len(Buf) (see memState).
		v := simdLoadLaneOp(sub, get128(rc(fp, w)), lane, unsafe.Slice((*byte)(unsafe.Add(memBase, ea)), n))
		put128(ra(fp, w), v)
		pc = unsafe.Add(pc, sizeDABX)
	case opV128StoreLane:
		x := x1(pc)
		sub, lane := uint32(wC(w)), byte(x>>32)
		ea := uint64(uint32(*ra(fp, w))) + x&0xffffffff
		n := uint64(simdLoadSize(sub))
		if ea+n > memSize {
			return trapOOBMemory
		}
		// SAFETY: ea+n <= Size <= len(Buf); the cards exist.
		simdStoreLaneOp(sub, get128(rb(fp, w)), lane, unsafe.Slice((*byte)(unsafe.Add(memBase, ea)), n))
		*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1
		*(*byte)(unsafe.Add(m.cards, (ea+n-1)>>CardShift)) = 1
		pc = unsafe.Add(pc, sizeABX)
	case opV128Shuffle:
		var lanes [16]byte
		binary.LittleEndian.PutUint64(lanes[:8], x1(pc))
		binary.LittleEndian.PutUint64(lanes[8:], x2(pc))
		put128(ra(fp, w), simdShuffleOp(get128(rb(fp, w)), get128(rc(fp, w)), &lanes))
		pc = unsafe.Add(pc, sizeV128Shuffle)
	case opV128Extract:
		*ra(fp, w) = simdExtractOp(uint32(wC(w)), get128(rb(fp, w)), byte(x1(pc)))
		pc = unsafe.Add(pc, sizeDAX)
	case opV128Replace:
		x := x1(pc)
		put128(ra(fp, w), simdReplaceOp(uint32(x&0xffff), get128(rb(fp, w)), byte(x>>32), *rc(fp, w)))
		pc = unsafe.Add(pc, sizeDABX)
	case opV128Splat:
		put128(ra(fp, w), simdSplatOp(uint32(wC(w)), *rb(fp, w)))
		pc = unsafe.Add(pc, sizeDAS)
	case opV128Unary:
		put128(ra(fp, w), simdUnaryOp(uint32(wC(w)), get128(rb(fp, w))))
		pc = unsafe.Add(pc, sizeDAS)
	case opV128Binary:
		put128(ra(fp, w), simdBinaryOp(uint32(x1(pc)), get128(rb(fp, w)), get128(rc(fp, w))))
		pc = unsafe.Add(pc, sizeDABX)
	case opV128Ternary:
		x := x1(pc)
		put128(ra(fp, w), simdTernaryOp(uint32(x>>16), get128(rb(fp, w)), get128(rc(fp, w)), get128(cell(fp, x&0xffff))))
		pc = unsafe.Add(pc, sizeDABX)
	case opV128Shift:
		put128(ra(fp, w), simdShiftOp(uint32(x1(pc)), get128(rb(fp, w)), uint32(*rc(fp, w))))
		pc = unsafe.Add(pc, sizeDABX)
	case opV128Test:
		*ra(fp, w) = uint64(simdTestOp(uint32(wC(w)), get128(rb(fp, w))))
		pc = unsafe.Add(pc, sizeDAS)

	case opThrow:
		tag := m.inst.Tags[x1(pc)]
		n := cellsOf(tag.Type.Params)
		exn := &Exception{Tag: tag, Values: make([]uint64, n)}
		for i := range n {
			// SAFETY: the translator reserved the n value cells from A
			// inside the frame.
			exn.Values[i] = *(*uint64)(unsafe.Add(fp, 8*(int(wA(w))+i)))
		}
		return m.throw(exn, pc, 0)
	case opThrowRef:
		exn := ExnRefException(*ra(fp, w))
		if exn == nil {
			return trapNullExnRef
		}
		return m.throw(exn, pc, 0)

	default:
		panic(fmt.Sprintf("wpi: bad opcode %d in %s", opcode(w), m.fn.Name))
	}
	m.pc = pc
	return trapNone
}

// throw unwinds to the innermost catch clause that matches exn: in the
// running function at the instruction at site, then in its callers at
// their call sites (from the skip-th frame outwards: 1 for a host
// function tail-called in place of the running one). A match writes the
// exception's values (and its exnref for the _ref clauses) to the clause's
// cells, drops the frames above the handler's, and leaves m at the
// clause's landing pad: trapNone. Without one, m is unchanged and the
// result is trapHost with the exception as m.hostErr, so the call ends
// with it as its error (and a host function that called this one may
// rethrow it). Traps never come here: wasm cannot catch them.
func (m *machine) throw(exn *Exception, site unsafe.Pointer, skip int) trapCode {
	fn, fpi, at := m.fn, m.fpi, wordIndex(m.fn, site)
	for level := 0; ; level++ {
		if level > 0 {
			if level > len(m.frames) {
				break
			}
			fr := &m.frames[len(m.frames)-level]
			fn, fpi, at = fr.fn, fr.fp, wordIndex(fr.fn, fr.pc)-1 // inside the call
		}
		if level < skip {
			continue
		}
		c := fn.Code
		for h := len(c.Handlers) - 1; h >= 0; h-- {
			hd := &c.Handlers[h]
			if at < hd.Start || at >= hd.End {
				continue
			}
			for _, cat := range hd.Catches {
				if (cat.Kind == CatchTag || cat.Kind == CatchTagRef) && fn.Instance.Tags[cat.Tag] != exn.Tag {
					continue
				}
				dst := fpi + int(cat.Dst)
				if cat.Kind == CatchTag || cat.Kind == CatchTagRef {
					dst += copy(m.stack[dst:], exn.Values)
				}
				if cat.Kind == CatchTagRef || cat.Kind == CatchAllRef {
					fn.Instance.keepException(exn)
					m.stack[dst] = ExnRefValue(exn)
				}
				m.frames = m.frames[:len(m.frames)-level]
				m.fn, m.fpi = fn, fpi
				m.fp = unsafe.Pointer(&m.stack[fpi])
				m.pc = unsafe.Pointer(&c.Words[cat.Pad])
				if fn.Instance != m.inst {
					m.inst = fn.Instance
				}
				m.memBase, m.memSize = m.loadInstance()
				return trapNone
			}
		}
	}
	m.hostErr = exn
	return trapHost
}

// loadInstance caches m.inst's globals and cards in m and returns its
// memory's base and size for the loop's locals.
func (m *machine) loadInstance() (unsafe.Pointer, uint64) {
	m.globals = m.inst.Globals
	base, size, cards := memState(m.inst)
	m.cards, m.memBase, m.memSize = cards, base, size
	return base, size
}

// hostCall runs the host function callee with the cells at base of the
// current frame, then reloads the memory state (the host may have grown
// it). It returns trapHost, with m.hostErr set, if the host failed.
func (m *machine) hostCall(callee *Function, base int) trapCode {
	n := max(cellsOf(callee.Type.Params), cellsOf(callee.Type.Results))
	s := m.stack[m.fpi+base : m.fpi+base+n]
	if m.fuelOn { // the host may read, charge or refuel the budget
		*m.fuelOut = m.fuel
	}
	err := callHost(m.ctx, callee, m.inst, s)
	if m.fuelOn {
		m.fuel = *m.fuelOut
	}
	if err != nil {
		var exn *Exception
		if errors.As(err, &exn) {
			// A wasm exception out of the host function (thrown by wasm
			// it called back into): it goes on unwinding here, from the
			// call site.
			return m.throw(exn, unsafe.Add(m.pc, -8), m.hostSkip)
		}
		m.hostErr = err
		return trapHost
	}
	m.loadInstance()
	return trapNone
}

// hostTailCall runs a host function tail-called from the frame at fpi:
// a call with its arguments at base, then its results moved to the
// frame's start, where the frame's return leaves them for the caller.
func (m *machine) hostTailCall(callee *Function, base int) trapCode {
	// The running frame is gone in the wasm semantics: an exception from
	// the host is not caught by its handlers.
	m.hostSkip = 1
	trap := m.hostCall(callee, base)
	m.hostSkip = 0
	if trap != trapNone {
		return trap
	}
	n := cellsOf(callee.Type.Results)
	copy(m.stack[m.fpi:m.fpi+n], m.stack[m.fpi+base:m.fpi+base+n])
	return trapNone
}

// get128 reads a v128 from the two cells at c.
func get128(c *uint64) V128 {
	// SAFETY: v128 operands take two cells, both inside the frame (the
	// translator reserves width 2 for them).
	return V128{*c, *(*uint64)(unsafe.Add(unsafe.Pointer(c), 8))}
}

// put128 writes a v128 to the two cells at c.
func put128(c *uint64, v V128) {
	// SAFETY: as for get128.
	*c, *(*uint64)(unsafe.Add(unsafe.Pointer(c), 8)) = v.Lo, v.Hi
}

// x2 reads the second word after the instruction at pc.
func x2(pc unsafe.Pointer) uint64 {
	// SAFETY: only called for formats with two extra words.
	return *(*uint64)(unsafe.Add(pc, 16))
}

// x1 reads the word after the instruction at pc.
func x1(pc unsafe.Pointer) uint64 {
	// SAFETY: only called for formats with an extra word, which the
	// translator always emits.
	return *(*uint64)(unsafe.Add(pc, 8))
}

// wordIndex converts a pc inside f's code to a word index.
func wordIndex(f *Function, pc unsafe.Pointer) int {
	if f.Code == nil || pc == nil {
		return -1
	}
	return int((uintptr(pc) - uintptr(unsafe.Pointer(&f.Code.Words[0]))) / 8)
}

// Bits of machine.interrupt.
const (
	interruptFuel = 1 << iota
	interruptStop
	// interruptSample asks for a sample of the stack (see Sampler).
	interruptSample
)

// poll runs when interrupt is set, at a back-edge or a call: it stops
// the call if its context is done, and charges one unit of fuel.
// stop asks the running call to stop (a done context, Stopper.Stop):
// safe from any goroutine.
func (m *machine) stop() {
	m.stopped.Store(1)
	m.interrupt.Or(interruptStop)
	if w := m.waiting.Load(); w != nil { // after stopped: see machine.wait
		w.wake()
	}
}

func (m *machine) poll() trapCode {
	if m.interrupt.Load()&interruptSample != 0 {
		m.interrupt.And(^uint32(interruptSample))
		if m.sampler != nil {
			m.sampler.record(m)
		}
	}
	if m.stopped.Load() != 0 {
		return trapInterrupted
	}
	if m.fuelOn {
		m.fuel--
		if m.fuel < 0 {
			return trapFuel
		}
	}
	return trapNone
}

// grow makes room for one more frame and enlarges the value stack to at
// least need cells, within maxCells; it reports false past maxCells.
//
// The frame stack grows to at most maxDepth frames, so that a call that
// finds it below its capacity is below maxDepth too (callFunction caps a
// pooled machine's frames the same way).
func (m *machine) grow(need int) bool {
	if n := len(m.frames); n == cap(m.frames) && n < m.maxDepth {
		f := make([]frame, n, min(max(2*n, 16), m.maxDepth))
		copy(f, m.frames)
		m.frames = f
	}
	if need <= len(m.stack) {
		return true
	}
	if need > m.maxCells {
		return false
	}
	n := min(max(need, 2*len(m.stack)), m.maxCells)
	s := make([]uint64, n)
	copy(s, m.stack)
	m.stack = s
	m.fp = unsafe.Pointer(&m.stack[m.fpi])
	return true
}

func truncOp(op opcode, v uint64) (uint64, trapCode) {
	switch op {
	case opI32TruncF32S:
		return truncI32S(float64(f32(v)))
	case opI32TruncF32U:
		return truncI32U(float64(f32(v)))
	case opI32TruncF64S:
		return truncI32S(f64(v))
	case opI32TruncF64U:
		return truncI32U(f64(v))
	case opI64TruncF32S:
		return truncI64S(float64(f32(v)))
	case opI64TruncF32U:
		return truncI64U(float64(f32(v)))
	case opI64TruncF64S:
		return truncI64S(f64(v))
	case opI64TruncF64U:
		return truncI64U(f64(v))
	}
	panic("wpi: bad trunc opcode")
}

func convOp(op opcode, v uint64) uint64 {
	switch op {
	case opI32TruncSatF32S:
		return truncSatI32S(float64(f32(v)))
	case opI32TruncSatF32U:
		return truncSatI32U(float64(f32(v)))
	case opI32TruncSatF64S:
		return truncSatI32S(f64(v))
	case opI32TruncSatF64U:
		return truncSatI32U(f64(v))
	case opI64TruncSatF32S:
		return truncSatI64S(float64(f32(v)))
	case opI64TruncSatF32U:
		return truncSatI64U(float64(f32(v)))
	case opI64TruncSatF64S:
		return truncSatI64S(f64(v))
	case opI64TruncSatF64U:
		return truncSatI64U(f64(v))
	case opF32ConvertI32S:
		return u32f(float32(int32(v)))
	case opF32ConvertI32U:
		return u32f(float32(uint32(v)))
	case opF32ConvertI64S:
		return u32f(i64ToF32(int64(v)))
	case opF32ConvertI64U:
		return u32f(u64ToF32(v))
	case opF32DemoteF64:
		return u32f(float32(f64(v)))
	case opF64ConvertI32S:
		return u64f(float64(int32(v)))
	case opF64ConvertI32U:
		return u64f(float64(uint32(v)))
	case opF64ConvertI64S:
		return u64f(float64(int64(v)))
	case opF64ConvertI64U:
		return u64f(u64ToF64(v))
	case opF64PromoteF32:
		return u64f(float64(f32(v)))
	}
	panic("wpi: bad conversion opcode")
}
