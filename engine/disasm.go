package engine

import (
	"fmt"
	"io"
	"strings"
)

// Disassemble writes a listing of c, one instruction per line:
//
//	0004  i32.add_imm     c3 = c1, 1
//
// Cells print as cN, immediates as plain numbers, branch targets as word
// addresses.
func (c *Code) Disassemble(w io.Writer) error {
	fmt.Fprintf(w, "; params %d, locals %d, results %d, frame %d cells\n", c.NumParams, c.NumLocals, c.NumResults, c.FrameCells)
	for ip := 0; ip < len(c.Words); {
		line, n := c.instrString(ip)
		if _, err := fmt.Fprintf(w, "%04d  %s\n", ip, line); err != nil {
			return err
		}
		ip += n
	}
	return nil
}

// String returns the disassembly of c.
func (c *Code) String() string {
	var b strings.Builder
	_ = c.Disassemble(&b)
	return b.String()
}

// instrString renders the instruction at ip and returns its length in words.
func (c *Code) instrString(ip int) (string, int) {
	w := c.Words[ip]
	op := wOp(w)
	if int(op) >= int(opCount) {
		return fmt.Sprintf("?? %#x", w), 1
	}
	info := opInfos[op]
	a, b, cc := wA(w), wB(w), wC(w)
	x := func(i int) uint64 { return c.Words[ip+i] }
	tgt := func(i int) int { return ip + i + int(int64(x(i))) }
	n := 1 + info.fmt.extraWords()
	var args string
	switch info.fmt {
	case fmtNone:
	case fmtA:
		args = fmt.Sprintf("c%d", a)
	case fmtD:
		args = fmt.Sprintf("c%d", a)
	case fmtDA:
		args = fmt.Sprintf("c%d = c%d", a, b)
	case fmtDAB:
		args = fmt.Sprintf("c%d = c%d, c%d", a, b, cc)
	case fmtDAS:
		args = fmt.Sprintf("c%d = c%d; sub %d", a, b, cc)
	case fmtDAI:
		args = fmt.Sprintf("c%d = c%d, %d", a, b, int64(x(1)))
	case fmtDK32:
		args = fmt.Sprintf("c%d = %#x", a, w>>32)
	case fmtDK64:
		args = fmt.Sprintf("c%d = %#x", a, x(1))
	case fmtBr:
		args = fmt.Sprintf("-> %04d", tgt(1))
	case fmtBrA:
		args = fmt.Sprintf("c%d -> %04d", a, tgt(1))
	case fmtBrAB:
		args = fmt.Sprintf("c%d, c%d -> %04d", b, cc, tgt(1))
	case fmtBrAI:
		args = fmt.Sprintf("c%d, %d -> %04d", b, int64(x(2)), tgt(1))
	case fmtBrDAI:
		args = fmt.Sprintf("c%d = c%d, %d -> %04d", a, b, int32(x(2)), tgt(1))
	case fmtBrDAIC:
		args = fmt.Sprintf("c%d = c%d, %d; c%d -> %04d", a, b, int32(x(2)), cc, tgt(1))
	case fmtBrCopy:
		args = fmt.Sprintf("c%d = c%d; c%d -> %04d", a, b, cc, tgt(1))
	case fmtBrCopyI:
		args = fmt.Sprintf("c%d = c%d; c%d, %d -> %04d", a, b, cc, int32(x(2)), tgt(1))
	case fmtBrK32:
		args = fmt.Sprintf("c%d = %#x -> %04d", a, w>>32, tgt(1))
	case fmtGlobalSetI:
		args = fmt.Sprintf("global[%d] = c%d = c%d, %d", a, cc, b, int32(x(1)))
	case fmtBrLoad:
		args = fmt.Sprintf("c%d = [c%d%s + %d] -> %04d", a, b, addend(x(2)), x(2)>>32, tgt(1))
	case fmtBrDAII:
		args = fmt.Sprintf("c%d = c%d, %d; %d -> %04d", a, b, int32(x(2)), int32(x(2)>>32), tgt(1))
	case fmtBrTable:
		var ts []string
		for i := 0; i <= int(b); i++ {
			ts = append(ts, fmt.Sprintf("%04d", tgt(1+i)))
		}
		args = fmt.Sprintf("c%d -> [%s]", a, strings.Join(ts, " "))
		n = 2 + int(b)
	case fmtCall:
		args = fmt.Sprintf("func[%d] args at c%d", x(1), a)
	case fmtCallIndirect:
		args = fmt.Sprintf("table[%d][c%d] type#%d args at c%d", cc, b, x(1), a)
	case fmtSelect:
		args = fmt.Sprintf("c%d = c%d ? c%d : c%d", a, x(1), b, cc)
	case fmtGlobalGet:
		args = fmt.Sprintf("c%d = global[%d]", a, b)
	case fmtGlobalSet:
		args = fmt.Sprintf("global[%d] = c%d", a, b)
	case fmtLoad:
		args = fmt.Sprintf("c%d = [c%d%s + %d]", a, b, addend(x(1)), x(1)>>32)
	case fmtLoadIdx:
		args = fmt.Sprintf("c%d = [c%d + c%d%s + %d]", a, b, cc, addend(x(1)), x(1)>>32)
	case fmtLoadShl:
		args = fmt.Sprintf("c%d = [c%d<<%d%s + %d]", a, b, cc&31, addend(x(1)), x(1)>>32)
	case fmtLoadIdxShl:
		args = fmt.Sprintf("c%d = [c%d + c%d<<%d + %d]", a, b, cc, x(1)&31, x(1)>>32)
	case fmtStore:
		args = fmt.Sprintf("[c%d%s + %d] = c%d", a, addend(x(1)), x(1)>>32, b)
	case fmtABCX:
		args = fmt.Sprintf("c%d, c%d, c%d; %#x", a, b, cc, x(1))
	case fmtDABX:
		args = fmt.Sprintf("c%d = c%d, c%d; %#x", a, b, cc, x(1))
	case fmtDAX:
		args = fmt.Sprintf("c%d = c%d; %#x", a, b, x(1))
	case fmtABX:
		args = fmt.Sprintf("c%d, c%d; %#x", a, b, x(1))
	case fmtDX:
		args = fmt.Sprintf("c%d; %#x", a, x(1))
	case fmtX:
		args = fmt.Sprintf("%#x", x(1))
	case fmtDAIDAI:
		args = fmt.Sprintf("c%d = c%d, %d; c%d = c%d, %d", a, b, int32(x(1)), cc, x(2), int32(x(1)>>32))
	case fmtDABDAI:
		args = fmt.Sprintf("c%d = c%d, c%d; c%d = c%d, %d", a, b, cc, x(1)&0xffff, x(1)>>16&0xffff, int32(x(1)>>32))
	case fmtDKDA:
		args = fmt.Sprintf("c%d = %#x; c%d = c%d", a, x(1), b, cc)
	case fmtAddImmLoad:
		args = fmt.Sprintf("c%d = c%d, %d; c%d = [c%d%s + %d]", cc, x(2)>>48, int32(x(2)), a, b, addend(x(1)), x(1)>>32)
	case fmtLoadLoad:
		args = fmt.Sprintf("c%d = [c%d%s + %d]; c%d = [c%d%s + %d]", cc, b, addend(x(1)), x(1)>>32, a, cc, addend(x(2)), x(2)>>32)
	case fmtAndLoadIdxShl:
		y := x(2)
		args = fmt.Sprintf("c%d = c%d, c%d; c%d = [c%d + c%d<<%d + %d]", a, b, cc, y>>16&0xffff, y>>32&0xffff, y>>48, x(1)&31, x(1)>>32)
	case fmtDASII:
		args = fmt.Sprintf("c%d = c%d, %d, %d, %d", a, b, cc, int32(x(1)), int32(x(1)>>32))
	case fmtDAII:
		args = fmt.Sprintf("c%d = c%d, %d, %d", a, b, int32(x(1)), int32(x(1)>>32))
	case fmtDABI:
		args = fmt.Sprintf("c%d = c%d, c%d, %d", a, b, cc, int64(x(1)))
	case fmtCopyLoad:
		args = fmt.Sprintf("c%d = c%d; c%d = [c%d%s + %d]", a, b, cc, a, addend(x(1)), x(1)>>32)
	case fmtStoreCopy:
		args = fmt.Sprintf("[c%d%s + %d] = c%d; c%d = c%d", a, addend(x(1)), x(1)>>32, b, cc, a)
	case fmtLoadB:
		args = fmt.Sprintf("c%d = [c%d%s + %d], c%d", a, b, addend(x(1)), x(1)>>32, cc)
	case fmtDABC:
		args = fmt.Sprintf("c%d = c%d, c%d, c%d", a, b, cc, x(1))
	case fmtV128Const:
		args = fmt.Sprintf("c%d = %#016x:%016x", a, x(2), x(1))
	case fmtV128Shuffle:
		args = fmt.Sprintf("c%d = c%d, c%d; %016x:%016x", a, b, cc, x(2), x(1))
	}
	return strings.TrimRight(fmt.Sprintf("%-16s %s", info.name, args), " "), n
}

// addend renders a load or store's 32-bit addend k, if not zero.
func addend(x uint64) string {
	if k := int32(x); k != 0 {
		return fmt.Sprintf(" +32 %d", k)
	}
	return ""
}
