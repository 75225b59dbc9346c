package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/internal/layout"
)

// PageSize is the WebAssembly page size in bytes (spec §4.2.8), as
// internal/layout defines it for the engine and the pool.
const PageSize = layout.PageSize

// MaxPages is the most pages a 32-bit memory can have (4 GiB).
const MaxPages = 65536

// CardShift is log2 of the dirty-tracking granule in bytes (4 KiB, the OS
// page): a store to byte address ea marks Memory.Cards[ea>>CardShift].
// The pool (memory.CardShift) resets by the same index: both are
// internal/layout's.
const CardShift = layout.CardShift

// Memory is a linear memory instance (spec §4.2.8) living in a slot of
// contiguous, read-write mapped bytes that never moves.
//
// Bytes at and past Size are zero: memory.grow only moves Size, and a slot
// is handed out zeroed past its initial image.
//
// A Memory is not safe for concurrent use; it belongs to one instance,
// unless it is shared (see Shared): then its bytes are written by
// several goroutines (wasm's atomics order them) and its size is Len.
type Memory struct {
	// Buf is the accessible part of the memory's slot, at least Size
	// bytes. On mmap hosts it is the whole slot (len(Buf) is the largest
	// size in bytes the memory can reach in it), backed by mapped memory
	// outside the Go heap (or any []byte in tests); on Windows and the
	// Go-heap slot backend it is what is committed so far, and Grow asks
	// Commit for more.
	Buf []byte
	// Size is the current length in bytes, a multiple of PageSize; for a
	// shared memory, the length at MakeShared (the current one is Len).
	Size uint64
	// MaxPages is the most pages the memory may grow to: the least of its
	// declared maximum, len(Buf)/PageSize and MaxPages.
	MaxPages uint64
	// Cards has one entry per 1<<CardShift bytes of Buf. Every write by the
	// interpreter or through the methods below sets the entries it touches
	// to 1, so that the owner can reset exactly the written bytes. nil
	// disables tracking.
	Cards []byte
	// Type is the memory's declared type.
	Type decoder.MemoryType
	// Commit, if not nil, makes more of the slot accessible: Grow calls
	// it when the new size exceeds len(Buf), and fails (memory.grow
	// returns -1) if it does. nil where Buf is the whole slot.
	Commit Committer
	// Shared is set (by MakeShared) for a shared memory (threads
	// proposal), which instances on several goroutines use at once.
	Shared *Shared
}

// Shared is the state of a shared memory that several goroutines read
// and write at once. Its size is published atomically: Grow (serialised
// by mu) stores it, every reader loads it (Len). Buf never changes after
// MakeShared, so a shared memory never moves (its slot is accessible
// up to the maximum). Its cards are not exact: atomic writes do not mark
// them (two goroutines would write one card byte at once), so the owner
// must treat the whole of [0, Len) as written when the last user is done
// (MarkDirty(0, Len())).
type Shared struct {
	mu   sync.Mutex
	size atomic.Uint64
	// Owner is free for the instance layer (the reference count of the
	// instances using the memory).
	Owner any
}

// MakeShared marks m as a shared memory: from now on its size is Len, and
// Buf, Cards and Commit must not change until the last user is done. Buf
// must already hold the memory's largest size (MaxPages), since a shared
// memory never moves.
func (m *Memory) MakeShared(owner any) {
	s := &Shared{Owner: owner}
	s.size.Store(m.Size)
	m.Shared, m.Commit = s, nil
}

// Detach makes m inaccessible for good: no bytes, size 0, no growth (an
// instance layer's closed memory). For a shared memory, only the last
// user may detach it.
func (m *Memory) Detach() {
	m.Buf, m.Cards, m.Commit = nil, nil, nil
	m.Size, m.MaxPages = 0, 0
	if s := m.Shared; s != nil {
		s.size.Store(0)
	}
}

// Len returns the current size in bytes: Size, or the published size of
// a shared memory (which another goroutine may grow at any time).
func (m *Memory) Len() uint64 {
	if s := m.Shared; s != nil {
		return s.size.Load()
	}
	return m.Size
}

// Committer makes the first size bytes of a memory's slot accessible and
// returns its bytes and cards afterwards, which may have moved
// (memory.Slot implements it).
type Committer interface {
	Commit(size uint64) (buf, cards []byte, err error)
}

// Pages returns the current size in 64 KiB pages.
func (m *Memory) Pages() uint64 { return m.Len() / PageSize }

// Grow implements memory.grow (spec §4.4.7): it adds delta pages and
// returns the previous size in pages, or ok == false (size unchanged) if
// the result would exceed MaxPages or Commit fails. Where Buf is the whole
// slot it never calls the kernel.
func (m *Memory) Grow(delta uint64) (old uint64, ok bool) {
	if s := m.Shared; s != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		old = s.size.Load() / PageSize
		if delta > m.MaxPages || old+delta > m.MaxPages || (old+delta)*PageSize > uint64(len(m.Buf)) {
			return old, false
		}
		s.size.Store((old + delta) * PageSize)
		return old, true
	}
	old = m.Size / PageSize
	if delta > m.MaxPages || old+delta > m.MaxPages {
		return old, false
	}
	size := m.Size + delta*PageSize
	if size > uint64(len(m.Buf)) {
		if m.Commit == nil {
			return old, false
		}
		buf, cards, err := m.Commit.Commit(size)
		if err != nil || uint64(len(buf)) < size {
			return old, false
		}
		m.Buf, m.Cards = buf, cards
	}
	m.Size = size
	return old, true
}

// Bytes returns the current contents, Buf[:Size]. Writes through it are
// not tracked: call MarkDirty for them.
func (m *Memory) Bytes() []byte { return m.Buf[:m.Len()] }

// MarkDirty records that bytes [off, off+n) were written. The range must
// lie inside Buf.
func (m *Memory) MarkDirty(off, n uint64) {
	if m.Cards == nil || n == 0 {
		return
	}
	first, last := off>>CardShift, (off+n-1)>>CardShift
	for c := first; c <= last; c++ {
		m.Cards[c] = 1
	}
}

// Write copies p to offset off and marks the bytes dirty. It returns false,
// writing nothing, if the range is out of bounds of Size.
func (m *Memory) Write(off uint64, p []byte) bool {
	if size := m.Len(); off > size || uint64(len(p)) > size-off {
		return false
	}
	copy(m.Buf[off:], p)
	m.MarkDirty(off, uint64(len(p)))
	return true
}

// Read returns a view of n bytes at off, or false if out of bounds. The
// view aliases the memory; it is valid until the instance is closed.
func (m *Memory) Read(off, n uint64) ([]byte, bool) {
	if size := m.Len(); off > size || n > size-off {
		return nil, false
	}
	return m.Buf[off : off+n : off+n], true
}

// Table is a table instance (spec §4.2.7). Funcref tables keep their
// elements in Funcs (GC-visible pointers); externref tables in Externs
// (host values encoded as by api.EncodeExternref). The unused one is nil.
//
// A Table is not safe for concurrent use.
type Table struct {
	Funcs   []*Function // len is the size, when Type.Elem is FuncRef
	Externs []uint64    // len is the size, when Type.Elem is ExternRef
	// Max is the most elements the table may grow to.
	Max  uint64
	Type decoder.TableType
	// Written is set by every instruction that writes the table
	// (table.set, table.grow, table.fill, table.init, table.copy into
	// it), so that its owner can tell an unchanged table from its initial
	// state without comparing the elements. The owner clears it.
	Written bool
}

// Size returns the number of elements.
func (t *Table) Size() uint64 {
	if t.Type.Elem == decoder.ExternRef {
		return uint64(len(t.Externs))
	}
	return uint64(len(t.Funcs))
}

// Global is a global instance (spec §4.2.9). The value is encoded as the
// interpreter's cells are: i32 zero-extended, f32/f64 as IEEE bits, v128
// low half in Val and high half in Hi, funcref as FuncRefValue of the
// function (Ref keeps it reachable), externref as the host value.
type Global struct {
	Val  uint64
	Hi   uint64
	Ref  *Function
	Type decoder.GlobalType
}

// HostFunc is a function written in Go (wazero's api.GoModuleFunction
// calling convention). stack holds the parameters on entry, encoded as
// cells, and must hold the results on return; len(stack) is
// max(len(params), len(results)). caller is the instance whose code made
// the call (nil when called directly from Go).
//
// A host function reports failure by returning a non-nil error, or by
// panicking; either ends the whole call with a *TrapError whose Cause is
// the error (or the panic value, wrapped).
type HostFunc func(ctx context.Context, caller *Instance, stack []uint64) error

// Function is a function instance (spec §4.2.6): wasm code of an instance,
// or a host function.
type Function struct {
	Type *decoder.FuncType
	// TypeID is the interned id of Type (see TypeID): equal signatures,
	// from any module, have equal ids.
	TypeID uint32
	// Instance is the instance whose code this is, nil for host functions.
	Instance *Instance
	// Code is the compiled body, nil for host functions.
	Code *Code
	Host HostFunc
	// Index is the funcidx in the defining module; ModuleName and Name
	// are used in backtraces.
	Index      uint32
	ModuleName string
	Name       string
}

// FuncRefValue encodes a funcref for a cell: the function's address, 0 for
// null. The function must be kept reachable by other means (a table, a
// global's Ref, an instance) while the cell lives.
func FuncRefValue(f *Function) uint64 {
	// SAFETY: converting a pointer to an integer is always allowed; the
	// caller keeps f reachable, so the address stays valid.
	return uint64(uintptr(unsafe.Pointer(f)))
}

// FuncRefFunction decodes a cell made by FuncRefValue.
func FuncRefFunction(v uint64) *Function {
	// SAFETY: v was made by FuncRefValue from a *Function that is still
	// reachable (see FuncRefValue), and Go's heap objects do not move, so
	// the address still points at that Function. Reading the cell's bits as
	// a pointer (rather than converting a uintptr) keeps vet's unsafeptr
	// check meaningful for the rest of the package.
	return *(**Function)(unsafe.Pointer(&v))
}

// Tag is a tag instance (exception handling, spec 3.0 §4.2.11): an
// exception carries the tag it was thrown with, and catch clauses match
// it by identity (the same *Tag), so a tag is shared by the module that
// defines it and every module that imports it.
type Tag struct {
	// Type is the signature of the exception's values (no results), and
	// TypeID its interned id.
	Type   *decoder.FuncType
	TypeID uint32
}

// Exception is a wasm exception (exception handling, spec 3.0 §4.2.14):
// the tag it was thrown with and its values, encoded as cells (as for
// Global; a v128 takes two). An exnref cell holds its address
// (ExnRefValue). As an error, it is the Cause of the TrapError a call
// returns when an exception escapes wasm; a host function that returns
// an error wrapping one (errors.As) rethrows it in its caller.
type Exception struct {
	Tag    *Tag
	Values []uint64
}

// Error says that a wasm exception was not caught.
func (e *Exception) Error() string { return "uncaught wasm exception" }

// ExnRefValue encodes an exnref for a cell: the exception's address, 0
// for null. The exception must be kept reachable (Instance.Exceptions:
// the interpreter keeps every exception a catch_ref or catch_all_ref
// clause turns into an exnref, the only way wasm gets one).
func ExnRefValue(e *Exception) uint64 {
	// SAFETY: as for FuncRefValue.
	return uint64(uintptr(unsafe.Pointer(e)))
}

// keepException adds exn to inst.Exceptions, unless it is among the
// last few added (a catch_ref, throw_ref loop rethrows the same
// exception). It reads, never writes, exn: an exception may be thrown
// into instances on other goroutines.
func (inst *Instance) keepException(exn *Exception) {
	tail := inst.Exceptions[max(0, len(inst.Exceptions)-8):]
	for _, e := range tail {
		if e == exn {
			return
		}
	}
	inst.Exceptions = append(inst.Exceptions, exn)
}

// ExnRefException decodes a cell made by ExnRefValue.
func ExnRefException(v uint64) *Exception {
	// SAFETY: as for FuncRefFunction: v was made by ExnRefValue from an
	// Exception kept reachable by the instance that threw it.
	return *(**Exception)(unsafe.Pointer(&v))
}

// Instance is the engine's view of a module instance (spec §4.2.5): its
// index spaces, imports first. The instance layer fills it in; the
// interpreter reads it.
type Instance struct {
	Module  *Module
	Funcs   []*Function
	Tables  []*Table
	Memory  *Memory // memidx 0, or nil
	Globals []*Global
	// Tags is the tag index space (exception handling).
	Tags []*Tag
	// Exceptions keeps reachable the exceptions that exnref cells of the
	// instance's code may hold (those its catch_ref and catch_all_ref
	// clauses caught), until the instance layer clears it when the
	// instance closes or resets. An exception caught without _ref, or
	// that escapes to Go, is not kept: its values were copied out, or
	// the Go error holds it. So a guest that throws and catches in a loop
	// keeps nothing; one that catches with _ref keeps one entry per
	// distinct exception caught (a rethrow of the one just caught is
	// not counted again).
	Exceptions []*Exception
	// DroppedData and DroppedElem record data.drop and elem.drop (and the
	// implicit drop of active and declarative segments after
	// instantiation), one entry per segment. DroppedData may be a slice
	// shared read-only with other instances (a module's flags after
	// instantiation, set once per compiled module): data.drop writes it
	// through DropData, which first copies it into DataOwn. So an
	// instance of a module with thousands of data segments (Go's linker
	// writes one per symbol; a snapshot keeps their indices) costs
	// nothing per segment.
	DroppedData []bool
	DroppedElem []bool
	// DataOwn is the instance's own buffer for DroppedData, of the same
	// length (the instance layer keeps it across tenancies); DropData
	// makes it if it is missing.
	DataOwn []bool
	// Name is the module name used in backtraces.
	Name string
	// Owner is free for the instance layer (its public wrapper).
	Owner any
}

// DropData marks data segment x dropped (data.drop x, spec 4.4.9): a
// no-op if it already is (an active segment after instantiation, or a
// second drop); otherwise DroppedData becomes the instance's own DataOwn
// (copied from the shared flags) before it is written. Not safe for
// concurrent use, like the rest of the instance.
func (i *Instance) DropData(x uint64) {
	if i.DroppedData[x] {
		return
	}
	if len(i.DataOwn) != len(i.DroppedData) {
		i.DataOwn = make([]bool, len(i.DroppedData))
	}
	if &i.DataOwn[0] != &i.DroppedData[0] {
		copy(i.DataOwn, i.DroppedData)
		i.DroppedData = i.DataOwn
	}
	i.DroppedData[x] = true
}
