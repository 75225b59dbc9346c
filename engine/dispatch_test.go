package engine

import (
	"bytes"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestDispatchRegisters compiles the package with -S and checks what
// RATIONALE.md ("The loop", "Registers across dispatch") asks of
// execute's assembly on amd64: nothing is stored to the stack between
// the opcode's load and the jump table (a Go call in any case makes the
// register allocator spill the loop's locals there, at every
// instruction), and the cases jump back to the dispatch itself, not to
// a block that first moves pc (or fp) between registers.
func TestDispatchRegisters(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the assembly checked is amd64's")
	}
	if testing.Short() {
		t.Skip("compiles the package (a few seconds)")
	}
	cmd := exec.Command("go", "build", "-gcflags=-S", "-o", "/dev/null", ".")
	var out bytes.Buffer
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build -gcflags=-S: %v\n%.2000s", err, out.String())
	}
	asm := executeAsm(t, out.String())

	// The dispatch: the word at pc loaded (MOVQ (pc), w), its opcode
	// masked (ANDL $511: no bounds check follows), then JMP (R)(R*8).
	var (
		dispatch = -1 // index of the block the cases jump to
		jump     = -1 // index of the table jump
	)
	for i, l := range asm {
		if jumpTable.MatchString(l.text) {
			jump = i
			break
		}
	}
	for i := jump - 1; i >= 0 && dispatch < 0; i-- {
		if wordLoad.MatchString(asm[i].text) {
			dispatch = i
		}
	}
	if dispatch < 0 || jump < 0 {
		t.Fatal("no dispatch block (MOVQ (pc), w ... JMP (R)(R*8)) in execute")
	}
	for _, l := range asm[dispatch:jump] {
		if strings.Contains(l.text, "CMP") {
			t.Errorf("the dispatch checks the opcode's bounds (see opcodeMask): %s", l.text)
		}
	}
	for _, l := range asm[dispatch:jump] {
		if strings.Contains(l.text, "(SP)") {
			t.Errorf("the dispatch stores or loads the stack: %s", l.text)
		}
	}
	// The block must lie in one 32-byte chunk of the function (Go aligns
	// functions to 32 bytes), so that it never straddles a 64-byte line
	// (RATIONALE "The loop", rule 4): the stores of m.dispatchPad before
	// the loop place it.
	if jump+1 < len(asm) {
		start, _ := strconv.Atoi(asm[dispatch].pc)
		end, _ := strconv.Atoi(asm[jump+1].pc) // the jump's end
		if start/32 != (end-1)/32 {
			t.Errorf("the dispatch block [%d, %d) crosses a 32-byte boundary: grow the stores of m.dispatchPad before execute's loop by %d bytes or shrink them by %d",
				start, end, (32-start%32)%32, start%32)
		}
	}
	// Count the jumps to each target: the most frequent is the cases'
	// way back to the dispatch.
	targets := map[string]int{}
	for _, l := range asm {
		if m := jmpTo.FindStringSubmatch(l.text); m != nil {
			targets[m[1]]++
		}
	}
	best, n := "", 0
	for k, v := range targets {
		if v > n {
			best, n = k, v
		}
	}
	if best != asm[dispatch].pc {
		// The merge block before the dispatch moves registers (e.g.
		// MOVQ R8, DX), and every case copies its pc there first.
		var merge []string
		for _, l := range asm {
			if l.pc == best {
				merge = append(merge, l.text)
			}
		}
		t.Errorf("%d jumps go to %s, not to the dispatch at %s: %q", n, best, asm[dispatch].pc, merge)
	}
	if n < 100 {
		t.Errorf("only %d jumps back to the dispatch", n)
	}
}

var (
	jumpTable = regexp.MustCompile(`\tJMP\t\(R\d+\)\((R\d+|[A-Z]{2})\*8\)`)
	wordLoad  = regexp.MustCompile(`^\t(MOVQ|MOVWLZX)\t\([A-Z0-9]+\), [A-Z0-9]+$`)
	jmpTo     = regexp.MustCompile(`\tJMP\t(\d+)$`)
	asmLine   = regexp.MustCompile(`^\t0x[0-9a-f]+ (\d+) \([^)]*\)\t(.*)$`)
)

type asmInstr struct {
	pc   string // decimal offset in the function, as JMP targets name it
	text string
}

// executeAsm returns the instructions of machine.execute from -S output.
func executeAsm(t *testing.T, s string) []asmInstr {
	var out []asmInstr
	in := false
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "\tTEXT\t") {
			in = strings.Contains(l, "engine.(*machine).execute(SB)")
			continue
		}
		if !in {
			continue
		}
		m := asmLine.FindStringSubmatch(l)
		if m == nil || strings.HasPrefix(m[2], "PCDATA") || strings.HasPrefix(m[2], "FUNCDATA") {
			continue
		}
		out = append(out, asmInstr{pc: strings.TrimLeft(m[1], "0"), text: "\t" + m[2]})
	}
	if len(out) == 0 {
		t.Fatal("no machine.execute in the -S output")
	}
	return out
}
