package engine

import (
	"context"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine/internal/isagen"
)

// TestGeneratedUpToDate fails when the checked-in generated code differs
// from what `go generate` writes from the table.
func TestGeneratedUpToDate(t *testing.T) {
	files, err := isagen.Generate(".")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(string(want), string(got)); d != "" {
			t.Errorf("%s is not what go generate writes (run go generate ./engine); -generated +checked in:\n%s", name, d)
		}
	}
}

// TestOpcodeWidths runs every opcode once, alone in a function followed by
// unreachable words, and checks that it moves pc by its format's width:
// the trap must come from the word right after the instruction. Branches
// target the word holding their offset (offset 0, itself an unreachable
// word), so a taken branch traps there instead; each conditional branch
// runs with operands that take it and that do not, and must be seen not
// taken at least once.
func TestOpcodeWidths(t *testing.T) {
	simdSub := map[simdKind]uint32{}
	for sub := uint32(0); sub < 0x200; sub++ {
		if k, _, ok := simdInfo(sub); ok {
			if _, seen := simdSub[k]; !seen {
				simdSub[k] = sub
			}
		}
	}
	for op := opcode(0); op < opCount; op++ {
		info := opInfos[op]
		if info.name == "" {
			t.Errorf("opcode %d has no name", op)
			continue
		}
		switch op {
		case opUnreachable, opReturn, opReturn1:
			continue // they do not advance
		case opReturnCall, opReturnCallIndirect, opReturnCallRef, opCallRef, opThrow, opThrowRef:
			// Tail calls and throws leave the function, and call_ref
			// needs a funcref operand: the spec suites (tail-call,
			// typed-function-references, exception-handling) and
			// instance's TestTailCalls and TestExceptions run them.
			continue
		}
		t.Run(info.name, func(t *testing.T) {
			a, b, c := uint16(2), uint16(4), uint16(6)
			var x1, x2 uint64
			switch info.fmt {
			case fmtCall, fmtCallIndirect:
				a, c = 8, 0
			case fmtBrA, fmtA:
				a = b // the condition, or the cell read
			case fmtBrTable:
				a, b = b, 0 // index cell; one target word: the default
			case fmtGlobalGet:
				b = 1
			case fmtGlobalSet:
				a = 1
			}
			sub := func(k simdKind) uint64 { return uint64(simdSub[k]) }
			switch op {
			case opV128Load:
				c = uint16(sub(simdLoad))
			case opV128Store:
				c = uint16(sub(simdStore))
			case opV128Extract:
				c = uint16(sub(simdExtract))
			case opV128Replace:
				x1 = sub(simdReplace)
			case opV128Splat:
				c = uint16(sub(simdSplat))
			case opV128Unary:
				c = uint16(sub(simdUnary))
			case opV128Test:
				c = uint16(sub(simdTest))
			case opV128Binary:
				x1 = sub(simdBinary)
			case opV128Shift:
				x1 = sub(simdShift)
			case opV128Ternary:
				x1 = 10 | sub(simdTernary)<<16
			case opAtomicLoad:
				c = atomicLoadLo
			case opAtomicStore:
				c = atomicStoreLo
			case opAtomicRmw:
				x1 = atomicRMWLo << 32
			case opAtomicCmpxchg:
				x1 = atomicCmpxLo<<48 | 8<<32
			case opMemoryAtomicWait:
				x1 = atomicWait32<<48 | 8<<32 // cell 8 (0): no timeout, never blocks here
			case opV128LoadLane:
				x1 = sub(simdLoadLane) << 40
			case opV128StoreLane:
				c = uint16(sub(simdStoreLane))
			}
			n := 1 + info.fmt.extraWords()
			taken, notTaken, ran := false, false, false
			for _, vals := range [][2]uint64{{0, 0}, {1, 0}, {0, 1}} {
				// The words after the instruction are unreachable with
				// A = 1: read as a branch offset (a case falling off its
				// end into the taken-branch tail) they jump 65536 words
				// further, to another unreachable word.
				words := make([]uint64, n+1<<16+8)
				for i := n; i < n+8; i++ {
					words[i] = word(opUnreachable, 1, 0, 0)
				}
				words[0] = word(op, a, b, c)
				if n > 1 {
					words[1] = x1
				}
				if n > 2 {
					words[2] = x2
				}
				if info.fmt == fmtBrAI {
					words[2] = vals[1] // the immediate operand
				}
				if info.fmt == fmtBrLoad {
					// The address B + k: with B = 0 zero bytes, with
					// B = 1 a non-zero one (see runOne's seeds).
					words[2] = 1000
					if op == opI32Load8UBrNz || op == opI32Load8UBrZ {
						words[2] = 2000
					}
				}
				got, trap := runOne(t, words, a, b, c, vals)
				if trap != trapUnreachable {
					continue // a trap of the instruction itself (division by zero, bounds)
				}
				ran = true
				switch {
				case got == n:
					notTaken = true
				case got == 1 && info.fmt >= fmtBr && info.fmt <= fmtBrTable:
					taken = true
				default:
					t.Fatalf("operands %v: pc moved to word %d, want %d (format width)", vals, got, n)
				}
			}
			if !ran {
				t.Fatalf("trapped with every set of operands")
			}
			isBranch := info.fmt >= fmtBr && info.fmt <= fmtBrTable
			if isBranch && op != opBr && op != opConst32Br && op != opBrTable && !notTaken {
				t.Errorf("never seen not taken")
			}
			if isBranch && !taken {
				t.Errorf("never seen taken")
			}
		})
	}
}

// runOne executes words as the body of a function of a bare instance
// (one memory page, tables, globals, a function 0 that returns) with cell
// a and b = vals[0] and, if c is a cell, c = vals[1], and returns the word index of the trap.
func runOne(t *testing.T, words []uint64, a, b, c uint16, vals [2]uint64) (int, trapCode) {
	t.Helper()
	inst := &Instance{
		Memory:      &Memory{Buf: make([]byte, PageSize), Size: PageSize, MaxPages: 1},
		DroppedData: make([]bool, 1),
		DroppedElem: make([]bool, 1),
		Module:      &Module{Decoded: &decoder.Module{Data: make([]decoder.Data, 1), Elements: make([]decoder.Element, 1)}},
	}
	inst.Memory.MakeShared(nil) // memory.atomic.wait needs a shared memory; the others do not care
	// Seeds for the load-and-branch forms: the i32 at 1000 is zero, the
	// one at 1001 is not; the byte at 2000 is zero, the one at 2001 not.
	inst.Memory.Buf[1004], inst.Memory.Buf[2001] = 1, 1
	ret := &Function{Instance: inst, Code: &Code{Words: []uint64{word(opReturn, 0, 0, 0)}, FrameCells: 1}, Type: &decoder.FuncType{}}
	inst.Funcs = []*Function{ret}
	inst.Tables = []*Table{{Funcs: []*Function{ret}, Max: 4, Type: decoder.TableType{Elem: decoder.FuncRef}}}
	for range 8 {
		inst.Globals = append(inst.Globals, &Global{})
	}
	f := &Function{Instance: inst, Code: &Code{Words: words, FrameCells: 16}, Type: &decoder.FuncType{}}
	m := &machine{stack: make([]uint64, 64), frames: make([]frame, 0, 4), maxDepth: 8, maxCells: 64, ctx: context.Background()}
	m.stack[a], m.stack[b] = vals[0], vals[0]
	if int(c) < f.Code.FrameCells {
		m.stack[c] = vals[1]
	}
	trap := m.execute(f)
	return wordIndex(f, m.trapPC), trap
}
