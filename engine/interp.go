package engine

import (
	"context"
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
	ip int // where the caller resumes
	fp int // the caller's frame pointer (index into stack)
}

// machine is the state of one call from Go into wasm: the value stack of
// 64-bit cells holding every frame, and the frame stack. Machines are
// pooled; one is used by one goroutine at a time.
type machine struct {
	stack  []uint64
	frames []frame

	maxDepth, maxCells int

	// interrupt is set (atomically, from another goroutine) to ask the
	// running code to stop at the next back-edge or call.
	interrupt atomic.Uint32

	ctx     context.Context
	hostErr error

	// Where a trap happened, for the backtrace.
	trapFn *Function
	trapIP int
}

var machines = sync.Pool{New: func() any { return &machine{stack: make([]uint64, 1024)} }}

func callFunction(ctx context.Context, f *Function, stack []uint64, cfg *Config) (err error) {
	if f.Code == nil {
		return callHostDirect(ctx, f, stack)
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
	if done := ctx.Done(); done != nil {
		if ctx.Err() != nil {
			m.ctx = nil
			machines.Put(m)
			return &TrapError{Kind: ErrInterrupted, Cause: context.Cause(ctx)}
		}
		stop := context.AfterFunc(ctx, func() { m.interrupt.Store(1) })
		defer stop()
	}
	defer func() {
		// Engine bugs and host panics that escaped callHost end up here;
		// the machine is not reused after such a failure.
		if r := recover(); r != nil {
			err = &TrapError{Cause: fmt.Errorf("wpi: internal error: %v", r)}
			return
		}
		m.ctx, m.hostErr, m.trapFn = nil, nil, nil
		m.frames = m.frames[:0]
		machines.Put(m)
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
		fi := FrameInfo{Module: f.ModuleName, Func: f.Index, Name: f.Name, Offset: -1}
		if f.Code != nil {
			fi.Offset = f.Code.wasmOffset(ip)
		}
		e.Trace = append(e.Trace, fi)
	}
	if m.trapFn != nil {
		add(m.trapFn, m.trapIP)
	}
	for i := len(m.frames) - 1; i >= 0; i-- {
		add(m.frames[i].fn, m.frames[i].ip-1)
	}
	return e
}

func callHostDirect(ctx context.Context, f *Function, stack []uint64) (err error) {
	n := max(len(f.Type.Params), len(f.Type.Results))
	if len(stack) < n {
		return fmt.Errorf("wpi: stack of %d cells is too short for %d", len(stack), n)
	}
	if herr := callHost(ctx, f, nil, stack[:n]); herr != nil {
		return &TrapError{Cause: herr, Trace: []FrameInfo{{Module: f.ModuleName, Func: f.Index, Name: f.Name, Offset: -1}}}
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
	return unsafe.Pointer(&mem.Buf[0]), mem.Size, unsafe.Pointer(&mem.Cards[0])
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

func cell(fp unsafe.Pointer, c uint64) *uint64 {
	return (*uint64)(unsafe.Add(fp, uintptr(c)*8))
}

// imm returns C as a sign-extended immediate.
func imm(w uint64) uint64 { return uint64(int64(int16(w >> 48))) }

func f32(v uint64) float32  { return math.Float32frombits(uint32(v)) }
func f64(v uint64) float64  { return math.Float64frombits(v) }
func u32f(x float32) uint64 { return uint64(math.Float32bits(x)) }
func u64f(x float64) uint64 { return math.Float64bits(x) }

// execute runs f, whose frame is at the bottom of the stack with its
// arguments in place, until it returns (results in cells 0..) or traps.
func (m *machine) execute(f *Function) (trap trapCode) {
	fn := f
	code := fn.Code.Words
	ip := 0
	fpi := 0
	// SAFETY: stack is non-empty (callFunction sized it to the frame).
	fp := unsafe.Pointer(&m.stack[0])
	inst := fn.Instance
	memBase, memSize, cards := memState(inst)
	globals := inst.Globals

	var callee *Function
	var base uint64
	var w uint64

loop:
	for {
		w = code[ip]
		switch opcode(w) {
		case opUnreachable:
			trap = trapUnreachable
			break loop
		case opNop:
			ip++
		case opBr:
			t := int(code[ip+1])
			if t <= ip && m.interrupt.Load() != 0 {
				trap = trapInterrupted
				break loop
			}
			ip = t
		case opBrIfNz:
			if *ra(fp, w) != 0 {
				t := int(code[ip+1])
				if t <= ip && m.interrupt.Load() != 0 {
					trap = trapInterrupted
					break loop
				}
				ip = t
			} else {
				ip += 2
			}
		case opBrIfZ:
			if *ra(fp, w) == 0 {
				t := int(code[ip+1])
				if t <= ip && m.interrupt.Load() != 0 {
					trap = trapInterrupted
					break loop
				}
				ip = t
			} else {
				ip += 2
			}
		case opBrTable:
			i := uint64(uint32(*ra(fp, w)))
			n := uint64(wB(w))
			if i > n {
				i = n
			}
			t := int(code[ip+1+int(i)])
			if t <= ip && m.interrupt.Load() != 0 {
				trap = trapInterrupted
				break loop
			}
			ip = t
		case opReturn1:
			*(*uint64)(fp) = *ra(fp, w)
			fallthrough
		case opReturn:
			if len(m.frames) == 0 {
				return trapNone
			}
			fr := &m.frames[len(m.frames)-1]
			m.frames = m.frames[:len(m.frames)-1]
			fn, ip, fpi = fr.fn, fr.ip, fr.fp
			code = fn.Code.Words
			// SAFETY: the caller's frame was valid when it made the call
			// and the stack only grows.
			fp = unsafe.Pointer(&m.stack[fpi])
			if fn.Instance != inst {
				inst = fn.Instance
				globals = inst.Globals
			}
			memBase, memSize, cards = memState(inst)
		case opCall:
			callee = inst.Funcs[code[ip+1]]
			base = uint64(wA(w))
			ip += 2
			goto call
		case opCallIndirect:
			tab := inst.Tables[wC(w)]
			i := uint64(uint32(*rb(fp, w)))
			if i >= uint64(len(tab.Funcs)) {
				trap = trapUndefinedElement
				break loop
			}
			callee = tab.Funcs[i]
			if callee == nil {
				trap = trapUninitializedElement
				break loop
			}
			if uint64(callee.TypeID) != code[ip+1] {
				trap = trapIndirectType
				break loop
			}
			base = uint64(wA(w))
			ip += 2
			goto call
		case opCopy:
			*ra(fp, w) = *rb(fp, w)
			ip++
		case opConst32:
			*ra(fp, w) = w >> 32
			ip++
		case opConst64:
			*ra(fp, w) = code[ip+1]
			ip += 2
		case opSelect:
			v := *rc(fp, w)
			if *cell(fp, code[ip+1]) != 0 {
				v = *rb(fp, w)
			}
			*ra(fp, w) = v
			ip += 2
		case opGlobalGet:
			*ra(fp, w) = globals[wB(w)].Val
			ip++
		case opGlobalSet:
			globals[wA(w)].Val = *rb(fp, w)
			ip++

		// Compare-and-branch.
		case opBrI32Eq, opBrI32Ne, opBrI32LtS, opBrI32LtU, opBrI32GtS, opBrI32GtU, opBrI32LeS, opBrI32LeU, opBrI32GeS, opBrI32GeU,
			opBrI32EqImm, opBrI32NeImm, opBrI32LtSImm, opBrI32LtUImm, opBrI32GtSImm, opBrI32GtUImm, opBrI32LeSImm, opBrI32LeUImm, opBrI32GeSImm, opBrI32GeUImm,
			opBrI64Eq, opBrI64Ne, opBrI64LtS, opBrI64LtU, opBrI64GtS, opBrI64GtU, opBrI64LeS, opBrI64LeU, opBrI64GeS, opBrI64GeU,
			opBrI64EqImm, opBrI64NeImm, opBrI64LtSImm, opBrI64LtUImm, opBrI64GtSImm, opBrI64GtUImm, opBrI64LeSImm, opBrI64LeUImm, opBrI64GeSImm, opBrI64GeUImm:
			if cmpBr(opcode(w), fp, w) {
				t := int(code[ip+1])
				if t <= ip && m.interrupt.Load() != 0 {
					trap = trapInterrupted
					break loop
				}
				ip = t
			} else {
				ip += 2
			}

		// Memory.
		case opI32Load:
			ea := uint64(uint32(*rb(fp, w))) + uint64(wC(w))
			if ea+4 > memSize {
				trap = trapOOBMemory
				break loop
			}
			// SAFETY: ea+4 <= Size <= len(Buf) (see memState).
			*ra(fp, w) = uint64(*(*uint32)(unsafe.Add(memBase, ea)))
			ip++
		case opI64Load:
			ea := uint64(uint32(*rb(fp, w))) + uint64(wC(w))
			if ea+8 > memSize {
				trap = trapOOBMemory
				break loop
			}
			// SAFETY: as for i32.load.
			*ra(fp, w) = *(*uint64)(unsafe.Add(memBase, ea))
			ip++
		case opF32Load:
			ea := uint64(uint32(*rb(fp, w))) + uint64(wC(w))
			if ea+4 > memSize {
				trap = trapOOBMemory
				break loop
			}
			// SAFETY: as for i32.load.
			*ra(fp, w) = uint64(*(*uint32)(unsafe.Add(memBase, ea)))
			ip++
		case opF64Load:
			ea := uint64(uint32(*rb(fp, w))) + uint64(wC(w))
			if ea+8 > memSize {
				trap = trapOOBMemory
				break loop
			}
			// SAFETY: as for i32.load.
			*ra(fp, w) = *(*uint64)(unsafe.Add(memBase, ea))
			ip++
		case opI32Load8S, opI32Load8U, opI32Load16S, opI32Load16U,
			opI64Load8S, opI64Load8U, opI64Load16S, opI64Load16U, opI64Load32S, opI64Load32U:
			ea := uint64(uint32(*rb(fp, w))) + uint64(wC(w))
			v, ok := loadNarrow(opcode(w), memBase, memSize, ea)
			if !ok {
				trap = trapOOBMemory
				break loop
			}
			*ra(fp, w) = v
			ip++
		case opI32Store, opF32Store:
			ea := uint64(uint32(*ra(fp, w))) + uint64(wC(w))
			if ea+4 > memSize {
				trap = trapOOBMemory
				break loop
			}
			// SAFETY: ea+4 <= Size <= len(Buf); the cards of ea and
			// ea+3 exist (see memState).
			*(*uint32)(unsafe.Add(memBase, ea)) = uint32(*rb(fp, w))
			*(*byte)(unsafe.Add(cards, ea>>CardShift)) = 1
			*(*byte)(unsafe.Add(cards, (ea+3)>>CardShift)) = 1
			ip++
		case opI64Store, opF64Store:
			ea := uint64(uint32(*ra(fp, w))) + uint64(wC(w))
			if ea+8 > memSize {
				trap = trapOOBMemory
				break loop
			}
			// SAFETY: as for i32.store.
			*(*uint64)(unsafe.Add(memBase, ea)) = *rb(fp, w)
			*(*byte)(unsafe.Add(cards, ea>>CardShift)) = 1
			*(*byte)(unsafe.Add(cards, (ea+7)>>CardShift)) = 1
			ip++
		case opI32Store8, opI64Store8:
			ea := uint64(uint32(*ra(fp, w))) + uint64(wC(w))
			if ea+1 > memSize {
				trap = trapOOBMemory
				break loop
			}
			// SAFETY: as for i32.store.
			*(*uint8)(unsafe.Add(memBase, ea)) = uint8(*rb(fp, w))
			*(*byte)(unsafe.Add(cards, ea>>CardShift)) = 1
			ip++
		case opI32Store16, opI64Store16:
			ea := uint64(uint32(*ra(fp, w))) + uint64(wC(w))
			if ea+2 > memSize {
				trap = trapOOBMemory
				break loop
			}
			// SAFETY: as for i32.store.
			*(*uint16)(unsafe.Add(memBase, ea)) = uint16(*rb(fp, w))
			*(*byte)(unsafe.Add(cards, ea>>CardShift)) = 1
			*(*byte)(unsafe.Add(cards, (ea+1)>>CardShift)) = 1
			ip++
		case opI64Store32:
			ea := uint64(uint32(*ra(fp, w))) + uint64(wC(w))
			if ea+4 > memSize {
				trap = trapOOBMemory
				break loop
			}
			// SAFETY: as for i32.store.
			*(*uint32)(unsafe.Add(memBase, ea)) = uint32(*rb(fp, w))
			*(*byte)(unsafe.Add(cards, ea>>CardShift)) = 1
			*(*byte)(unsafe.Add(cards, (ea+3)>>CardShift)) = 1
			ip++
		case opLoadFar:
			ea := uint64(uint32(*rb(fp, w))) + code[ip+1]
			v, ok := loadNarrow(opcode(wC(w)), memBase, memSize, ea)
			if !ok {
				trap = trapOOBMemory
				break loop
			}
			*ra(fp, w) = v
			ip += 2
		case opStoreFar:
			ea := uint64(uint32(*ra(fp, w))) + code[ip+1]
			if !storeAny(opcode(wC(w)), memBase, memSize, cards, ea, *rb(fp, w)) {
				trap = trapOOBMemory
				break loop
			}
			ip += 2
		case opMemorySize:
			*ra(fp, w) = memSize / PageSize
			ip++
		case opMemoryGrow:
			r := uint64(math.MaxUint32)
			if inst.Memory != nil {
				if old, ok := inst.Memory.Grow(uint64(uint32(*rb(fp, w)))); ok {
					r = old
				}
				memBase, memSize, cards = memState(inst)
			}
			*ra(fp, w) = r
			ip++

		// i32 arithmetic.
		case opI32Eqz:
			*ra(fp, w) = b2u(uint32(*rb(fp, w)) == 0)
			ip++
		case opI32Add:
			*ra(fp, w) = uint64(uint32(*rb(fp, w) + *rc(fp, w)))
			ip++
		case opI32AddImm:
			*ra(fp, w) = uint64(uint32(*rb(fp, w) + imm(w)))
			ip++
		case opI32Sub:
			*ra(fp, w) = uint64(uint32(*rb(fp, w) - *rc(fp, w)))
			ip++
		case opI32Mul:
			*ra(fp, w) = uint64(uint32(*rb(fp, w)) * uint32(*rc(fp, w)))
			ip++
		case opI32MulImm:
			*ra(fp, w) = uint64(uint32(*rb(fp, w)) * uint32(imm(w)))
			ip++
		case opI32DivS:
			a, b := int32(*rb(fp, w)), int32(*rc(fp, w))
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			if a == math.MinInt32 && b == -1 {
				trap = trapOverflow
				break loop
			}
			*ra(fp, w) = uint64(uint32(a / b))
			ip++
		case opI32DivU:
			a, b := uint32(*rb(fp, w)), uint32(*rc(fp, w))
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			*ra(fp, w) = uint64(a / b)
			ip++
		case opI32RemS:
			a, b := int32(*rb(fp, w)), int32(*rc(fp, w))
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			if b == -1 {
				*ra(fp, w) = 0
			} else {
				*ra(fp, w) = uint64(uint32(a % b))
			}
			ip++
		case opI32RemU:
			a, b := uint32(*rb(fp, w)), uint32(*rc(fp, w))
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			*ra(fp, w) = uint64(a % b)
			ip++
		case opI32And:
			*ra(fp, w) = *rb(fp, w) & *rc(fp, w)
			ip++
		case opI32AndImm:
			*ra(fp, w) = uint64(uint32(*rb(fp, w) & imm(w)))
			ip++
		case opI32Or:
			*ra(fp, w) = *rb(fp, w) | *rc(fp, w)
			ip++
		case opI32OrImm:
			*ra(fp, w) = uint64(uint32(*rb(fp, w) | imm(w)))
			ip++
		case opI32Xor:
			*ra(fp, w) = *rb(fp, w) ^ *rc(fp, w)
			ip++
		case opI32XorImm:
			*ra(fp, w) = uint64(uint32(*rb(fp, w) ^ imm(w)))
			ip++
		case opI32Shl:
			*ra(fp, w) = uint64(uint32(*rb(fp, w)) << (*rc(fp, w) & 31))
			ip++
		case opI32ShlImm:
			*ra(fp, w) = uint64(uint32(*rb(fp, w)) << (imm(w) & 31))
			ip++
		case opI32ShrS:
			*ra(fp, w) = uint64(uint32(int32(*rb(fp, w)) >> (*rc(fp, w) & 31)))
			ip++
		case opI32ShrSImm:
			*ra(fp, w) = uint64(uint32(int32(*rb(fp, w)) >> (imm(w) & 31)))
			ip++
		case opI32ShrU:
			*ra(fp, w) = uint64(uint32(*rb(fp, w)) >> (*rc(fp, w) & 31))
			ip++
		case opI32ShrUImm:
			*ra(fp, w) = uint64(uint32(*rb(fp, w)) >> (imm(w) & 31))
			ip++
		case opI32Rotl:
			*ra(fp, w) = rotl32(*rb(fp, w), *rc(fp, w))
			ip++
		case opI32RotlImm:
			*ra(fp, w) = rotl32(*rb(fp, w), imm(w))
			ip++
		case opI32Rotr:
			*ra(fp, w) = rotr32(*rb(fp, w), *rc(fp, w))
			ip++
		case opI32RotrImm:
			*ra(fp, w) = rotr32(*rb(fp, w), imm(w))
			ip++
		case opI32Clz:
			*ra(fp, w) = uint64(bits.LeadingZeros32(uint32(*rb(fp, w))))
			ip++
		case opI32Ctz:
			*ra(fp, w) = uint64(bits.TrailingZeros32(uint32(*rb(fp, w))))
			ip++
		case opI32Popcnt:
			*ra(fp, w) = uint64(bits.OnesCount32(uint32(*rb(fp, w))))
			ip++
		case opI32Eq, opI32Ne, opI32LtS, opI32LtU, opI32GtS, opI32GtU, opI32LeS, opI32LeU, opI32GeS, opI32GeU,
			opI32EqImm, opI32NeImm, opI32LtSImm, opI32LtUImm, opI32GtSImm, opI32GtUImm, opI32LeSImm, opI32LeUImm, opI32GeSImm, opI32GeUImm,
			opI64Eq, opI64Ne, opI64LtS, opI64LtU, opI64GtS, opI64GtU, opI64LeS, opI64LeU, opI64GeS, opI64GeU,
			opI64EqImm, opI64NeImm, opI64LtSImm, opI64LtUImm, opI64GtSImm, opI64GtUImm, opI64LeSImm, opI64LeUImm, opI64GeSImm, opI64GeUImm:
			*ra(fp, w) = b2u(cmpOp(opcode(w), fp, w))
			ip++

		// i64 arithmetic.
		case opI64Eqz:
			*ra(fp, w) = b2u(*rb(fp, w) == 0)
			ip++
		case opI64Add:
			*ra(fp, w) = *rb(fp, w) + *rc(fp, w)
			ip++
		case opI64AddImm:
			*ra(fp, w) = *rb(fp, w) + imm(w)
			ip++
		case opI64Sub:
			*ra(fp, w) = *rb(fp, w) - *rc(fp, w)
			ip++
		case opI64Mul:
			*ra(fp, w) = *rb(fp, w) * *rc(fp, w)
			ip++
		case opI64MulImm:
			*ra(fp, w) = *rb(fp, w) * imm(w)
			ip++
		case opI64DivS:
			a, b := int64(*rb(fp, w)), int64(*rc(fp, w))
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			if a == math.MinInt64 && b == -1 {
				trap = trapOverflow
				break loop
			}
			*ra(fp, w) = uint64(a / b)
			ip++
		case opI64DivU:
			a, b := *rb(fp, w), *rc(fp, w)
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			*ra(fp, w) = a / b
			ip++
		case opI64RemS:
			a, b := int64(*rb(fp, w)), int64(*rc(fp, w))
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			if b == -1 {
				*ra(fp, w) = 0
			} else {
				*ra(fp, w) = uint64(a % b)
			}
			ip++
		case opI64RemU:
			a, b := *rb(fp, w), *rc(fp, w)
			if b == 0 {
				trap = trapDivByZero
				break loop
			}
			*ra(fp, w) = a % b
			ip++
		case opI64And:
			*ra(fp, w) = *rb(fp, w) & *rc(fp, w)
			ip++
		case opI64AndImm:
			*ra(fp, w) = *rb(fp, w) & imm(w)
			ip++
		case opI64Or:
			*ra(fp, w) = *rb(fp, w) | *rc(fp, w)
			ip++
		case opI64OrImm:
			*ra(fp, w) = *rb(fp, w) | imm(w)
			ip++
		case opI64Xor:
			*ra(fp, w) = *rb(fp, w) ^ *rc(fp, w)
			ip++
		case opI64XorImm:
			*ra(fp, w) = *rb(fp, w) ^ imm(w)
			ip++
		case opI64Shl:
			*ra(fp, w) = *rb(fp, w) << (*rc(fp, w) & 63)
			ip++
		case opI64ShlImm:
			*ra(fp, w) = *rb(fp, w) << (imm(w) & 63)
			ip++
		case opI64ShrS:
			*ra(fp, w) = uint64(int64(*rb(fp, w)) >> (*rc(fp, w) & 63))
			ip++
		case opI64ShrSImm:
			*ra(fp, w) = uint64(int64(*rb(fp, w)) >> (imm(w) & 63))
			ip++
		case opI64ShrU:
			*ra(fp, w) = *rb(fp, w) >> (*rc(fp, w) & 63)
			ip++
		case opI64ShrUImm:
			*ra(fp, w) = *rb(fp, w) >> (imm(w) & 63)
			ip++
		case opI64Rotl:
			*ra(fp, w) = rotl64(*rb(fp, w), *rc(fp, w))
			ip++
		case opI64RotlImm:
			*ra(fp, w) = rotl64(*rb(fp, w), imm(w))
			ip++
		case opI64Rotr:
			*ra(fp, w) = rotr64(*rb(fp, w), *rc(fp, w))
			ip++
		case opI64RotrImm:
			*ra(fp, w) = rotr64(*rb(fp, w), imm(w))
			ip++
		case opI64Clz:
			*ra(fp, w) = uint64(bits.LeadingZeros64(*rb(fp, w)))
			ip++
		case opI64Ctz:
			*ra(fp, w) = uint64(bits.TrailingZeros64(*rb(fp, w)))
			ip++
		case opI64Popcnt:
			*ra(fp, w) = uint64(bits.OnesCount64(*rb(fp, w)))
			ip++

		// f32.
		case opF32Add:
			*ra(fp, w) = u32f(f32(*rb(fp, w)) + f32(*rc(fp, w)))
			ip++
		case opF32Sub:
			*ra(fp, w) = u32f(f32(*rb(fp, w)) - f32(*rc(fp, w)))
			ip++
		case opF32Mul:
			*ra(fp, w) = u32f(f32(*rb(fp, w)) * f32(*rc(fp, w)))
			ip++
		case opF32Div:
			*ra(fp, w) = u32f(f32(*rb(fp, w)) / f32(*rc(fp, w)))
			ip++
		case opF32Min:
			*ra(fp, w) = u32f(fmin32(f32(*rb(fp, w)), f32(*rc(fp, w))))
			ip++
		case opF32Max:
			*ra(fp, w) = u32f(fmax32(f32(*rb(fp, w)), f32(*rc(fp, w))))
			ip++
		case opF32Copysign:
			*ra(fp, w) = *rb(fp, w)&0x7fffffff | *rc(fp, w)&0x80000000
			ip++
		case opF32Abs:
			*ra(fp, w) = *rb(fp, w) & 0x7fffffff
			ip++
		case opF32Neg:
			*ra(fp, w) = (*rb(fp, w) ^ 0x80000000) & 0xffffffff
			ip++
		case opF32Ceil:
			*ra(fp, w) = unary32(*rb(fp, w), math.Ceil)
			ip++
		case opF32Floor:
			*ra(fp, w) = unary32(*rb(fp, w), math.Floor)
			ip++
		case opF32Trunc:
			*ra(fp, w) = unary32(*rb(fp, w), math.Trunc)
			ip++
		case opF32Nearest:
			*ra(fp, w) = unary32(*rb(fp, w), math.RoundToEven)
			ip++
		case opF32Sqrt:
			*ra(fp, w) = sqrt32(*rb(fp, w))
			ip++
		case opF32Eq:
			*ra(fp, w) = b2u(f32(*rb(fp, w)) == f32(*rc(fp, w)))
			ip++
		case opF32Ne:
			*ra(fp, w) = b2u(f32(*rb(fp, w)) != f32(*rc(fp, w)))
			ip++
		case opF32Lt:
			*ra(fp, w) = b2u(f32(*rb(fp, w)) < f32(*rc(fp, w)))
			ip++
		case opF32Gt:
			*ra(fp, w) = b2u(f32(*rb(fp, w)) > f32(*rc(fp, w)))
			ip++
		case opF32Le:
			*ra(fp, w) = b2u(f32(*rb(fp, w)) <= f32(*rc(fp, w)))
			ip++
		case opF32Ge:
			*ra(fp, w) = b2u(f32(*rb(fp, w)) >= f32(*rc(fp, w)))
			ip++

		// f64.
		case opF64Add:
			*ra(fp, w) = u64f(f64(*rb(fp, w)) + f64(*rc(fp, w)))
			ip++
		case opF64Sub:
			*ra(fp, w) = u64f(f64(*rb(fp, w)) - f64(*rc(fp, w)))
			ip++
		case opF64Mul:
			*ra(fp, w) = u64f(f64(*rb(fp, w)) * f64(*rc(fp, w)))
			ip++
		case opF64Div:
			*ra(fp, w) = u64f(f64(*rb(fp, w)) / f64(*rc(fp, w)))
			ip++
		case opF64Min:
			*ra(fp, w) = u64f(fmin64(f64(*rb(fp, w)), f64(*rc(fp, w))))
			ip++
		case opF64Max:
			*ra(fp, w) = u64f(fmax64(f64(*rb(fp, w)), f64(*rc(fp, w))))
			ip++
		case opF64Copysign:
			*ra(fp, w) = *rb(fp, w)&(1<<63-1) | *rc(fp, w)&(1<<63)
			ip++
		case opF64Abs:
			*ra(fp, w) = *rb(fp, w) & (1<<63 - 1)
			ip++
		case opF64Neg:
			*ra(fp, w) = *rb(fp, w) ^ 1<<63
			ip++
		case opF64Ceil:
			*ra(fp, w) = unary64(*rb(fp, w), math.Ceil)
			ip++
		case opF64Floor:
			*ra(fp, w) = unary64(*rb(fp, w), math.Floor)
			ip++
		case opF64Trunc:
			*ra(fp, w) = unary64(*rb(fp, w), math.Trunc)
			ip++
		case opF64Nearest:
			*ra(fp, w) = unary64(*rb(fp, w), math.RoundToEven)
			ip++
		case opF64Sqrt:
			*ra(fp, w) = unary64(*rb(fp, w), math.Sqrt)
			ip++
		case opF64Eq:
			*ra(fp, w) = b2u(f64(*rb(fp, w)) == f64(*rc(fp, w)))
			ip++
		case opF64Ne:
			*ra(fp, w) = b2u(f64(*rb(fp, w)) != f64(*rc(fp, w)))
			ip++
		case opF64Lt:
			*ra(fp, w) = b2u(f64(*rb(fp, w)) < f64(*rc(fp, w)))
			ip++
		case opF64Gt:
			*ra(fp, w) = b2u(f64(*rb(fp, w)) > f64(*rc(fp, w)))
			ip++
		case opF64Le:
			*ra(fp, w) = b2u(f64(*rb(fp, w)) <= f64(*rc(fp, w)))
			ip++
		case opF64Ge:
			*ra(fp, w) = b2u(f64(*rb(fp, w)) >= f64(*rc(fp, w)))
			ip++

		// Conversions.
		case opI32WrapI64:
			*ra(fp, w) = uint64(uint32(*rb(fp, w)))
			ip++
		case opI64ExtendI32S:
			*ra(fp, w) = uint64(int64(int32(*rb(fp, w))))
			ip++
		case opI64ExtendI32U:
			*ra(fp, w) = uint64(uint32(*rb(fp, w)))
			ip++
		case opI32Extend8S:
			*ra(fp, w) = uint64(uint32(int32(int8(*rb(fp, w)))))
			ip++
		case opI32Extend16S:
			*ra(fp, w) = uint64(uint32(int32(int16(*rb(fp, w)))))
			ip++
		case opI64Extend8S:
			*ra(fp, w) = uint64(int64(int8(*rb(fp, w))))
			ip++
		case opI64Extend16S:
			*ra(fp, w) = uint64(int64(int16(*rb(fp, w))))
			ip++
		case opI64Extend32S:
			*ra(fp, w) = uint64(int64(int32(*rb(fp, w))))
			ip++
		case opI32TruncF32S, opI32TruncF32U, opI32TruncF64S, opI32TruncF64U,
			opI64TruncF32S, opI64TruncF32U, opI64TruncF64S, opI64TruncF64U:
			v, t := truncOp(opcode(w), *rb(fp, w))
			if t != trapNone {
				trap = t
				break loop
			}
			*ra(fp, w) = v
			ip++
		case opI32TruncSatF32S, opI32TruncSatF32U, opI32TruncSatF64S, opI32TruncSatF64U,
			opI64TruncSatF32S, opI64TruncSatF32U, opI64TruncSatF64S, opI64TruncSatF64U,
			opF32ConvertI32S, opF32ConvertI32U, opF32ConvertI64S, opF32ConvertI64U, opF32DemoteF64,
			opF64ConvertI32S, opF64ConvertI32U, opF64ConvertI64S, opF64ConvertI64U, opF64PromoteF32:
			*ra(fp, w) = convOp(opcode(w), *rb(fp, w))
			ip++

		default:
			panic(fmt.Sprintf("wpi: bad opcode %d at %d", opcode(w), ip))
		}
		continue

	call:
		if m.interrupt.Load() != 0 {
			trap = trapInterrupted
			break loop
		}
		if callee.Code == nil {
			n := max(len(callee.Type.Params), len(callee.Type.Results))
			s := m.stack[fpi+int(base) : fpi+int(base)+n]
			if err := callHost(m.ctx, callee, inst, s); err != nil {
				m.hostErr = err
				trap = trapHost
				// Report the call site, not the next instruction.
				ip -= 2
				break loop
			}
			// The host may have grown the memory.
			memBase, memSize, cards = memState(inst)
			continue
		}
		if len(m.frames) >= m.maxDepth {
			trap = trapStackExhausted
			ip -= 2
			break loop
		}
		{
			c := callee.Code
			nfp := fpi + int(base)
			if nfp+c.FrameCells > len(m.stack) {
				if !m.grow(nfp + c.FrameCells) {
					trap = trapStackExhausted
					ip -= 2
					break loop
				}
			}
			m.frames = append(m.frames, frame{fn: fn, ip: ip, fp: fpi})
			fn, code, ip, fpi = callee, c.Words, 0, nfp
			// SAFETY: nfp+FrameCells <= len(stack), checked above.
			fp = unsafe.Pointer(&m.stack[fpi])
			clear(m.stack[fpi+c.NumParams : fpi+c.NumParams+c.NumLocals])
			if fn.Instance != inst {
				inst = fn.Instance
				globals = inst.Globals
				memBase, memSize, cards = memState(inst)
			}
		}
	}
	m.trapFn, m.trapIP = fn, ip
	return trap
}

// grow enlarges the value stack to at least need cells, within maxCells.
func (m *machine) grow(need int) bool {
	if need > m.maxCells {
		return false
	}
	n := min(max(need, 2*len(m.stack)), m.maxCells)
	s := make([]uint64, n)
	copy(s, m.stack)
	m.stack = s
	return true
}

func cmpBr(op opcode, fp unsafe.Pointer, w uint64) bool {
	return cmpOp(branchCmp[op], fp, w)
}

// branchCmp maps each compare-and-branch opcode to its compare.
var branchCmp = func() (t [opCount]opcode) {
	for _, r := range []struct{ br, cmp opcode }{
		{opBrI32Eq, opI32Eq}, {opBrI32Ne, opI32Ne}, {opBrI32LtS, opI32LtS}, {opBrI32LtU, opI32LtU},
		{opBrI32GtS, opI32GtS}, {opBrI32GtU, opI32GtU}, {opBrI32LeS, opI32LeS}, {opBrI32LeU, opI32LeU},
		{opBrI32GeS, opI32GeS}, {opBrI32GeU, opI32GeU},
		{opBrI32EqImm, opI32EqImm}, {opBrI32NeImm, opI32NeImm}, {opBrI32LtSImm, opI32LtSImm}, {opBrI32LtUImm, opI32LtUImm},
		{opBrI32GtSImm, opI32GtSImm}, {opBrI32GtUImm, opI32GtUImm}, {opBrI32LeSImm, opI32LeSImm}, {opBrI32LeUImm, opI32LeUImm},
		{opBrI32GeSImm, opI32GeSImm}, {opBrI32GeUImm, opI32GeUImm},
		{opBrI64Eq, opI64Eq}, {opBrI64Ne, opI64Ne}, {opBrI64LtS, opI64LtS}, {opBrI64LtU, opI64LtU},
		{opBrI64GtS, opI64GtS}, {opBrI64GtU, opI64GtU}, {opBrI64LeS, opI64LeS}, {opBrI64LeU, opI64LeU},
		{opBrI64GeS, opI64GeS}, {opBrI64GeU, opI64GeU},
		{opBrI64EqImm, opI64EqImm}, {opBrI64NeImm, opI64NeImm}, {opBrI64LtSImm, opI64LtSImm}, {opBrI64LtUImm, opI64LtUImm},
		{opBrI64GtSImm, opI64GtSImm}, {opBrI64GtUImm, opI64GtUImm}, {opBrI64LeSImm, opI64LeSImm}, {opBrI64LeUImm, opI64LeUImm},
		{opBrI64GeSImm, opI64GeSImm}, {opBrI64GeUImm, opI64GeUImm},
	} {
		t[r.br] = r.cmp
	}
	return t
}()

// cmpOp evaluates an integer compare of B with C (a cell, or an immediate
// for the _imm forms).
func cmpOp(op opcode, fp unsafe.Pointer, w uint64) bool {
	a := *rb(fp, w)
	switch op {
	case opI32Eq:
		return uint32(a) == uint32(*rc(fp, w))
	case opI32Ne:
		return uint32(a) != uint32(*rc(fp, w))
	case opI32LtS:
		return int32(a) < int32(*rc(fp, w))
	case opI32LtU:
		return uint32(a) < uint32(*rc(fp, w))
	case opI32GtS:
		return int32(a) > int32(*rc(fp, w))
	case opI32GtU:
		return uint32(a) > uint32(*rc(fp, w))
	case opI32LeS:
		return int32(a) <= int32(*rc(fp, w))
	case opI32LeU:
		return uint32(a) <= uint32(*rc(fp, w))
	case opI32GeS:
		return int32(a) >= int32(*rc(fp, w))
	case opI32GeU:
		return uint32(a) >= uint32(*rc(fp, w))
	case opI32EqImm:
		return uint32(a) == uint32(imm(w))
	case opI32NeImm:
		return uint32(a) != uint32(imm(w))
	case opI32LtSImm:
		return int32(a) < int32(imm(w))
	case opI32LtUImm:
		return uint32(a) < uint32(imm(w))
	case opI32GtSImm:
		return int32(a) > int32(imm(w))
	case opI32GtUImm:
		return uint32(a) > uint32(imm(w))
	case opI32LeSImm:
		return int32(a) <= int32(imm(w))
	case opI32LeUImm:
		return uint32(a) <= uint32(imm(w))
	case opI32GeSImm:
		return int32(a) >= int32(imm(w))
	case opI32GeUImm:
		return uint32(a) >= uint32(imm(w))
	case opI64Eq:
		return a == *rc(fp, w)
	case opI64Ne:
		return a != *rc(fp, w)
	case opI64LtS:
		return int64(a) < int64(*rc(fp, w))
	case opI64LtU:
		return a < *rc(fp, w)
	case opI64GtS:
		return int64(a) > int64(*rc(fp, w))
	case opI64GtU:
		return a > *rc(fp, w)
	case opI64LeS:
		return int64(a) <= int64(*rc(fp, w))
	case opI64LeU:
		return a <= *rc(fp, w)
	case opI64GeS:
		return int64(a) >= int64(*rc(fp, w))
	case opI64GeU:
		return a >= *rc(fp, w)
	case opI64EqImm:
		return a == imm(w)
	case opI64NeImm:
		return a != imm(w)
	case opI64LtSImm:
		return int64(a) < int64(imm(w))
	case opI64LtUImm:
		return a < imm(w)
	case opI64GtSImm:
		return int64(a) > int64(imm(w))
	case opI64GtUImm:
		return a > imm(w)
	case opI64LeSImm:
		return int64(a) <= int64(imm(w))
	case opI64LeUImm:
		return a <= imm(w)
	case opI64GeSImm:
		return int64(a) >= int64(imm(w))
	case opI64GeUImm:
		return a >= imm(w)
	}
	panic("wpi: bad compare opcode")
}

// loadNarrow performs any load (by its near opcode) at ea, bounds-checked.
func loadNarrow(op opcode, base unsafe.Pointer, size, ea uint64) (uint64, bool) {
	n := uint64(loadSize[op])
	if ea+n > size {
		return 0, false
	}
	// SAFETY: ea+n <= size <= len(Buf) (see memState).
	p := unsafe.Add(base, ea)
	switch op {
	case opI32Load, opF32Load, opI64Load32U:
		return uint64(*(*uint32)(p)), true
	case opI64Load, opF64Load:
		return *(*uint64)(p), true
	case opI32Load8S:
		return uint64(uint32(int32(*(*int8)(p)))), true
	case opI32Load8U, opI64Load8U:
		return uint64(*(*uint8)(p)), true
	case opI32Load16S:
		return uint64(uint32(int32(*(*int16)(p)))), true
	case opI32Load16U, opI64Load16U:
		return uint64(*(*uint16)(p)), true
	case opI64Load8S:
		return uint64(int64(*(*int8)(p))), true
	case opI64Load16S:
		return uint64(int64(*(*int16)(p))), true
	case opI64Load32S:
		return uint64(int64(*(*int32)(p))), true
	}
	panic("wpi: bad load opcode")
}

var loadSize = [opCount]uint8{
	opI32Load: 4, opI64Load: 8, opF32Load: 4, opF64Load: 8,
	opI32Load8S: 1, opI32Load8U: 1, opI32Load16S: 2, opI32Load16U: 2,
	opI64Load8S: 1, opI64Load8U: 1, opI64Load16S: 2, opI64Load16U: 2, opI64Load32S: 4, opI64Load32U: 4,
	opI32Store: 4, opI64Store: 8, opF32Store: 4, opF64Store: 8,
	opI32Store8: 1, opI32Store16: 2, opI64Store8: 1, opI64Store16: 2, opI64Store32: 4,
}

// storeAny performs any store (by its near opcode) at ea, bounds-checked,
// marking the cards.
func storeAny(op opcode, base unsafe.Pointer, size uint64, cards unsafe.Pointer, ea, v uint64) bool {
	n := uint64(loadSize[op])
	if ea+n > size {
		return false
	}
	// SAFETY: ea+n <= size <= len(Buf), and the cards of ea..ea+n-1
	// exist (see memState).
	p := unsafe.Add(base, ea)
	switch n {
	case 1:
		*(*uint8)(p) = uint8(v)
	case 2:
		*(*uint16)(p) = uint16(v)
	case 4:
		*(*uint32)(p) = uint32(v)
	case 8:
		*(*uint64)(p) = v
	}
	*(*byte)(unsafe.Add(cards, ea>>CardShift)) = 1
	*(*byte)(unsafe.Add(cards, (ea+n-1)>>CardShift)) = 1
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
