package engine

import (
	"unsafe"

	"github.com/wpi-dev/wpi/decoder"
)

// Bulk memory and table instructions (spec §4.4.7 memory.*, §4.4.6
// table.*). They are cold next to loads and stores, so they live outside
// the loop and use ordinary bounds-checked Go. Every range is checked
// before anything is written: a trapping instruction changes nothing.

// markCards marks the cards of [off, off+n), n > 0, in a memory.
func markCards(mem *Memory, off, n uint64) {
	first, last := off>>CardShift, (off+n-1)>>CardShift
	cards := mem.Cards[first : last+1]
	for i := range cards {
		cards[i] = 1
	}
}

// inRange reports whether [off, off+n) lies within size; off and n are
// 32-bit values, so the sum cannot overflow.
func inRange(off, n, size uint64) bool { return off+n <= size }

func u32cell(fp unsafe.Pointer, c uint16) uint64 { return uint64(uint32(*cell(fp, uint64(c)))) }

func (m *machine) memoryInit(fp unsafe.Pointer, w, x uint64) trapCode {
	d, s, n := u32cell(fp, wA(w)), u32cell(fp, wB(w)), u32cell(fp, wC(w))
	var data []byte
	if !m.inst.DroppedData[x] {
		data = m.inst.Module.Decoded.Data[x].Init
	}
	mem := m.inst.Memory
	if mem == nil || !inRange(s, n, uint64(len(data))) || !inRange(d, n, mem.Len()) {
		return trapOOBMemory
	}
	if tc := m.bulkCharge(n); tc != trapNone {
		return tc
	}
	if n > 0 {
		copy(mem.Buf[d:d+n], data[s:s+n])
		markCards(mem, d, n)
	}
	return trapNone
}

func (m *machine) memoryCopy(fp unsafe.Pointer, w uint64) trapCode {
	d, s, n := u32cell(fp, wA(w)), u32cell(fp, wB(w)), u32cell(fp, wC(w))
	mem := m.inst.Memory
	if mem == nil || !inRange(s, n, mem.Len()) || !inRange(d, n, mem.Len()) {
		return trapOOBMemory
	}
	if tc := m.bulkCharge(n); tc != trapNone {
		return tc
	}
	if n > 0 {
		markCards(mem, d, n) // first: an interrupt may stop the copy midway
		if n <= bulkChunk {
			copy(mem.Buf[d:d+n], mem.Buf[s:s+n])
			return trapNone
		}
		// Chunk by chunk, so that a deadline stops a copy of up to 4 GiB;
		// in the direction that reads every source byte before it is
		// overwritten.
		for done := uint64(0); done < n; done += bulkChunk {
			if m.stopped.Load() != 0 {
				return trapInterrupted
			}
			c := min(bulkChunk, n-done)
			if d <= s {
				copy(mem.Buf[d+done:d+done+c], mem.Buf[s+done:s+done+c])
			} else {
				e := n - done - c
				copy(mem.Buf[d+e:d+e+c], mem.Buf[s+e:s+e+c])
			}
		}
	}
	return trapNone
}

// bulkChunk is the work (bytes, or table elements) of a bulk instruction
// that costs one unit of fuel, and the stretch between two checks of the
// context in memory.fill and memory.copy, whose length a guest picks (up
// to 4 GiB). An instruction doing less is free, as other instructions are.
const bulkChunk = 1 << 20

// bulkCharge charges a bulk instruction about to do n units of work: one
// unit of fuel per bulkChunk, before anything is written, so that fuel
// bounds the work of bulk instructions as it bounds loops (a budget too
// small leaves memory untouched). It also stops the call if its context
// is done.
func (m *machine) bulkCharge(n uint64) trapCode {
	if n < bulkChunk {
		return trapNone
	}
	if m.stopped.Load() != 0 {
		return trapInterrupted
	}
	if m.fuelOn {
		m.fuel -= int64(n / bulkChunk)
		if m.fuel < 0 {
			return trapFuel
		}
	}
	return trapNone
}

func (m *machine) memoryFill(fp unsafe.Pointer, w uint64) trapCode {
	d, v, n := u32cell(fp, wA(w)), byte(*cell(fp, uint64(wB(w)))), u32cell(fp, wC(w))
	mem := m.inst.Memory
	if mem == nil || !inRange(d, n, mem.Len()) {
		return trapOOBMemory
	}
	if tc := m.bulkCharge(n); tc != trapNone {
		return tc
	}
	if n > 0 {
		markCards(mem, d, n) // first: an interrupt may stop the fill midway
		for done := uint64(0); done < n; done += bulkChunk {
			if done > 0 && m.stopped.Load() != 0 {
				return trapInterrupted
			}
			b := mem.Buf[d+done : d+done+min(bulkChunk, n-done)]
			if v == 0 {
				clear(b)
			} else {
				b[0] = v
				for i := 1; i < len(b); i *= 2 {
					copy(b[i:], b[:i])
				}
			}
		}
	}
	return trapNone
}

// elemRef evaluates an element expression (ref.func, ref.null or
// global.get of an immutable global) in the running instance. Element
// expressions are constant, so evaluating them when table.init runs gives
// what evaluating them at instantiation would.
func (m *machine) elemRef(e decoder.ConstExpr) (*Function, uint64) {
	if len(e) != 1 {
		return nil, 0
	}
	switch in := e[0]; in.Op {
	case decoder.OpRefFunc:
		f := m.inst.Funcs[in.Value]
		return f, FuncRefValue(f)
	case decoder.OpGlobalGet:
		g := m.inst.Globals[in.Value]
		return g.Ref, g.Val
	}
	return nil, 0
}

func (m *machine) tableInit(fp unsafe.Pointer, w, x uint64) trapCode {
	d, s, n := u32cell(fp, wA(w)), u32cell(fp, wB(w)), u32cell(fp, wC(w))
	ei, ti := x&0xffffffff, x>>32
	var init []decoder.ConstExpr
	if !m.inst.DroppedElem[ei] {
		init = m.inst.Module.Decoded.Elements[ei].Init
	}
	t := m.inst.Tables[ti]
	if !inRange(s, n, uint64(len(init))) || !inRange(d, n, t.Size()) {
		return trapOOBTable
	}
	if tc := m.bulkCharge(n); tc != trapNone {
		return tc
	}
	t.Written = true
	for i := uint64(0); i < n; i++ {
		f, v := m.elemRef(init[s+i])
		if t.Type.Elem == decoder.ExternRef {
			t.Externs[d+i] = v
		} else {
			t.Funcs[d+i] = f
		}
	}
	return trapNone
}

func (m *machine) tableCopy(fp unsafe.Pointer, w, x uint64) trapCode {
	d, s, n := u32cell(fp, wA(w)), u32cell(fp, wB(w)), u32cell(fp, wC(w))
	dt, st := m.inst.Tables[x&0xffffffff], m.inst.Tables[x>>32]
	if !inRange(s, n, st.Size()) || !inRange(d, n, dt.Size()) {
		return trapOOBTable
	}
	if tc := m.bulkCharge(n); tc != trapNone {
		return tc
	}
	dt.Written = true
	if dt.Type.Elem == decoder.ExternRef {
		copy(dt.Externs[d:d+n], st.Externs[s:s+n])
	} else {
		copy(dt.Funcs[d:d+n], st.Funcs[s:s+n])
	}
	return trapNone
}

func (m *machine) tableFill(fp unsafe.Pointer, w, x uint64) trapCode {
	i, v, n := u32cell(fp, wA(w)), *cell(fp, uint64(wB(w))), u32cell(fp, wC(w))
	t := m.inst.Tables[x]
	if !inRange(i, n, t.Size()) {
		return trapOOBTable
	}
	if tc := m.bulkCharge(n); tc != trapNone {
		return tc
	}
	t.Written = true
	if t.Type.Elem == decoder.ExternRef {
		for j := range t.Externs[i : i+n] {
			t.Externs[i+uint64(j)] = v
		}
	} else {
		f := FuncRefFunction(v)
		for j := range t.Funcs[i : i+n] {
			t.Funcs[i+uint64(j)] = f
		}
	}
	return trapNone
}

// tableGrow implements table.grow: the old size, or -1 (as u32) when the
// table would pass its maximum.
func (m *machine) tableGrow(fp unsafe.Pointer, w, x uint64) uint64 {
	v, n := *cell(fp, uint64(wB(w))), u32cell(fp, wC(w))
	t := m.inst.Tables[x]
	old := t.Size()
	if old+n > t.Max || old+n > 0xffffffff {
		return 0xffffffff
	}
	t.Written = true
	if t.Type.Elem == decoder.ExternRef {
		for j := uint64(0); j < n; j++ {
			t.Externs = append(t.Externs, v)
		}
	} else {
		f := FuncRefFunction(v)
		for j := uint64(0); j < n; j++ {
			t.Funcs = append(t.Funcs, f)
		}
	}
	return old
}

func (m *machine) tableGet(fp unsafe.Pointer, w, x uint64) (uint64, trapCode) {
	i := u32cell(fp, wB(w))
	t := m.inst.Tables[x]
	if i >= t.Size() {
		return 0, trapOOBTable
	}
	if t.Type.Elem == decoder.ExternRef {
		return t.Externs[i], trapNone
	}
	return FuncRefValue(t.Funcs[i]), trapNone
}

func (m *machine) tableSet(fp unsafe.Pointer, w, x uint64) trapCode {
	i, v := u32cell(fp, wA(w)), *cell(fp, uint64(wB(w)))
	t := m.inst.Tables[x]
	if i >= t.Size() {
		return trapOOBTable
	}
	t.Written = true
	if t.Type.Elem == decoder.ExternRef {
		t.Externs[i] = v
	} else {
		t.Funcs[i] = FuncRefFunction(v)
	}
	return trapNone
}
