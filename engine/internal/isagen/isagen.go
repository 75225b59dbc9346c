// Package isagen generates the interpreter's instruction set from one
// table (table.go): the opcode and format constants, the format widths,
// the listing names, the translator's tables of numeric, load and store
// opcodes and compare-and-branch forms (engine/isa_gen.go), and the
// generated families of cases in the interpreter's loop (the region of
// engine/interp.go between the "isagen:begin" and "isagen:end" lines).
//
// Run it with `go generate ./engine` (engine/isa.go has the directive);
// engine's TestGeneratedUpToDate fails when the checked-in files differ
// from what it writes.
package isagen

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"strings"
)

// Format is an instruction format: how the three 16-bit fields of the
// first word and the extra words after it are used.
type Format struct {
	Name  string
	Extra int // words after the first
	Doc   string
}

// Kind says where an instruction's case in the interpreter comes from.
type Kind int

const (
	Hand    Kind = iota // written by hand in machine.execute
	Slow                // written by hand in machine.slow
	Un                  // generated: A = Expr(b)
	Bin                 // generated: A = Expr(b, c); c the immediate in DAI form
	BrCmp               // generated: branch when Expr(b, c)
	LoadOp              // generated: A = Expr(p), bounds-checked
	StoreOp             // generated: Expr(p, v), bounds-checked, cards marked
)

// Instr is one instruction.
type Instr struct {
	Name   string // listing name; the Go name is derived (GoName)
	Format string
	Kind   Kind
	Expr   string // for generated kinds

	// Translation of a wasm opcode to this instruction (-1: none).
	Wasm int // numeric opcode 0x45-0xc4, load 0x28-0x35, store 0x36-0x3e
	FC   int // 0xfc sub-opcode (saturating truncations)
	Res  string
	Size int // bytes accessed by a load or store

	// numInfo fields (see engine/compile.go).
	Imm, Mirror string
	Comm, Sub   bool

	// Compare-and-branch forms of a compare: branch when true, when false.
	Br, Inv string
}

// Flags of binImm.
const comm = 1

func concat(groups ...[]Instr) []Instr {
	var all []Instr
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}

func base(name, f string, k Kind) Instr {
	return Instr{Name: name, Format: f, Kind: k, Wasm: -1, FC: -1}
}

func hand(name, f string) []Instr { return []Instr{base(name, f, Hand)} }
func slow(name, f string) []Instr { return []Instr{base(name, f, Slow)} }

// numHand and numSlow: numeric instructions with hand-written cases.
func numHand(wasm int, name, f, res string) []Instr {
	in := base(name, f, Hand)
	in.Wasm, in.Res = wasm, res
	return []Instr{in}
}

func numSlow(wasm int, name, f, res string) []Instr {
	in := base(name, f, Slow)
	in.Wasm, in.Res = wasm, res
	return []Instr{in}
}

func sat(fc int, name, res string) []Instr {
	in := base(name, "DA", Slow)
	in.FC, in.Res = fc, res
	return []Instr{in}
}

func un(wasm int, name, res, expr string) []Instr {
	in := base(name, "DA", Un)
	in.Wasm, in.Res, in.Expr = wasm, res, expr
	return []Instr{in}
}

func bin(wasm int, name, res, expr string) []Instr {
	in := base(name, "DAB", Bin)
	in.Wasm, in.Res, in.Expr = wasm, res, expr
	return []Instr{in}
}

// binImm is a binary operator and its _imm form.
func binImm(wasm int, name, res, expr string, flags int) []Instr {
	r := bin(wasm, name, res, expr)
	r[0].Imm = name + "_imm"
	r[0].Comm = flags&comm != 0
	imm := base(name+"_imm", "DAI", Bin)
	imm.Expr = expr
	return append(r, imm)
}

// sub is a subtraction: a constant right operand uses immAdd, negated.
func sub(wasm int, name, res, expr, immAdd string) []Instr {
	r := bin(wasm, name, res, expr)
	r[0].Imm, r[0].Sub = immAdd, true
	return r
}

// intCmp is an integer compare, its _imm form and their two
// compare-and-branch forms. mirror and inv are the compares (same type)
// with swapped operands and of the negation.
func intCmp(wasm int, name, typ, op, mirror, inv string) []Instr {
	ty, cmp, _ := strings.Cut(name, ".")
	expr := fmt.Sprintf("%s(b) %s %s(c)", typ, op, typ)
	br := "br_" + ty + "_" + cmp
	brInv := "br_" + ty + "_" + inv
	r := base(name, "DAB", Bin)
	r.Wasm, r.Res, r.Expr = wasm, "i32", "b2u("+expr+")"
	r.Imm, r.Mirror = name+"_imm", ty+"."+mirror+"_imm"
	r.Comm = cmp == "eq" || cmp == "ne"
	r.Br, r.Inv = br, brInv
	imm := base(name+"_imm", "DAI", Bin)
	imm.Expr = r.Expr
	imm.Br, imm.Inv = br+"_imm", brInv+"_imm"
	b := base(br, "BrAB", BrCmp)
	b.Expr = expr
	bi := base(br+"_imm", "BrAI", BrCmp)
	bi.Expr = expr
	return []Instr{r, imm, b, bi}
}

// load is a load, its _idx form, whose address is the sum of two cells
// (B + C: an i32.add the translator folds into the load), and the scaled
// forms of both, whose address operand is an i32.shl_imm's result (an
// array index: _shl, B<<C + k, and _idx_shl, B + C<<shift).
func load(wasm int, name string, size int, res, expr string) []Instr {
	in := base(name, "Load", LoadOp)
	in.Wasm, in.Size, in.Res, in.Expr = wasm, size, res, expr
	in.Imm = name + "_idx"
	idx := base(name+"_idx", "LoadIdx", LoadOp)
	idx.Size, idx.Expr = size, expr
	shl := base(name+"_shl", "LoadShl", LoadOp)
	shl.Size, shl.Expr = size, expr
	idxShl := base(name+"_idx_shl", "LoadIdxShl", LoadOp)
	idxShl.Size, idxShl.Expr = size, expr
	return []Instr{in, idx, shl, idxShl}
}

func store(wasm int, name string, size int, expr string) []Instr {
	in := base(name, "Store", StoreOp)
	in.Wasm, in.Size, in.Expr = wasm, size, expr
	return []Instr{in}
}

// GoName returns the Go constant of an instruction or format name part:
// "i32.add_imm" is "I32AddImm".
func GoName(name string) string {
	var b strings.Builder
	up := true
	for _, r := range name {
		if r == '.' || r == '_' {
			up = true
			continue
		}
		if up && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		up = false
		b.WriteRune(r)
	}
	return b.String()
}

const header = "// Code generated by engine/internal/isagen from its table; DO NOT EDIT.\n\n"

// The generated region of interp.go is between the line holding Begin
// and the line holding End.
const (
	Begin = "// isagen:begin"
	End   = "// isagen:end"
)

// Generate returns the generated files of the engine package in dir, by
// name: isa_gen.go, and interp.go with its generated region replaced.
func Generate(dir string) (map[string][]byte, error) {
	if err := check(); err != nil {
		return nil, err
	}
	isa, err := format.Source(isaFile())
	if err != nil {
		return nil, fmt.Errorf("isagen: isa_gen.go: %v", err)
	}
	old, err := os.ReadFile(filepath.Join(dir, "interp.go"))
	if err != nil {
		return nil, err
	}
	i := bytes.Index(old, []byte(Begin))
	j := bytes.Index(old, []byte(End))
	if i < 0 || j < i {
		return nil, fmt.Errorf("isagen: interp.go has no %q ... %q region", Begin, End)
	}
	i += bytes.IndexByte(old[i:], '\n') + 1
	j = bytes.LastIndexByte(old[:j], '\n') + 1
	var b bytes.Buffer
	b.Write(old[:i])
	b.Write(cases())
	b.Write(old[j:])
	interp, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("isagen: interp.go: %v", err)
	}
	return map[string][]byte{"isa_gen.go": isa, "interp.go": interp}, nil
}

// check validates the table: unique names, known formats, existing
// references.
func check() error {
	names := map[string]Instr{}
	fmts := map[string]bool{}
	for _, f := range Formats {
		fmts[f.Name] = true
	}
	for _, in := range Table {
		if _, dup := names[in.Name]; dup {
			return fmt.Errorf("isagen: %s defined twice", in.Name)
		}
		if !fmts[in.Format] {
			return fmt.Errorf("isagen: %s: unknown format %s", in.Name, in.Format)
		}
		names[in.Name] = in
	}
	for _, in := range Table {
		for _, ref := range []string{in.Imm, in.Mirror, in.Br, in.Inv} {
			if _, ok := names[ref]; ref != "" && !ok {
				return fmt.Errorf("isagen: %s refers to unknown %s", in.Name, ref)
			}
		}
	}
	return nil
}

func op(name string) string {
	if name == "" {
		return "0"
	}
	return "op" + GoName(name)
}

func isaFile() []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("%spackage engine\n\nimport \"github.com/wpi-dev/wpi/decoder\"\n\n", header)

	w("// Formats (see format).\nconst (\n")
	for i, f := range Formats {
		if i == 0 {
			w("fmt%s format = iota // %s\n", f.Name, f.Doc)
		} else {
			w("fmt%s // %s\n", f.Name, f.Doc)
		}
	}
	w("fmtCount\n)\n\n")
	w("// Widths in bytes of an instruction of each format, for advancing pc\n")
	w("// (br_table: the first word and the default target; see fmtBrTable).\nconst (\n")
	for _, f := range Formats {
		w("size%s = %d\n", f.Name, 8*(1+f.Extra))
	}
	w(")\n\n")
	w("// formatWords holds the extra words after the first of each format.\n")
	w("var formatWords = [fmtCount]uint8{\n")
	for _, f := range Formats {
		w("fmt%s: %d,\n", f.Name, f.Extra)
	}
	w("}\n\n")

	w("// Opcodes.\nconst (\n")
	for i, in := range Table {
		if i == 0 {
			w("%s opcode = iota\n", op(in.Name))
		} else {
			w("%s\n", op(in.Name))
		}
	}
	w("opCount\n)\n\n")

	w("var opInfos = [opCount]opInfo{\n")
	for _, in := range Table {
		w("%s: {%q, fmt%s},\n", op(in.Name), in.Name, in.Format)
	}
	w("}\n\n")

	res := func(t string) string { return "decoder." + strings.ToUpper(t) }
	numInfo := func(in Instr) string {
		s := fmt.Sprintf("op: %s, res: %s", op(in.Name), res(in.Res))
		if in.Format == "DA" {
			s += ", unary: true"
		}
		if in.Imm != "" {
			s += ", imm: " + op(in.Imm)
		}
		if in.Mirror != "" {
			s += ", mirror: " + op(in.Mirror)
		}
		if in.Comm {
			s += ", comm: true"
		}
		if in.Sub {
			s += ", sub: true"
		}
		if strings.HasPrefix(in.Name, "i64.") {
			s += ", wide: true"
		}
		return s
	}
	w("// numericOps holds the translation of each numeric instruction (spec\n")
	w("// §5.4.7, 0x45-0xc4 less the reinterpretations) by wasm opcode; op 0\n// is none.\n")
	w("var numericOps = [256]numInfo{\n")
	for _, in := range Table {
		if in.Wasm >= 0x45 && in.Kind != LoadOp && in.Kind != StoreOp {
			w("%#02x: {%s}, // %s\n", in.Wasm, numInfo(in), in.Name)
		}
	}
	w("}\n\n")
	w("// satOps holds the non-trapping float-to-int conversions, 0xfc 0-7.\n")
	w("var satOps = [8]numInfo{\n")
	for _, in := range Table {
		if in.FC >= 0 {
			w("%d: {%s},\n", in.FC, numInfo(in))
		}
	}
	w("}\n\n")
	w("// loadOps and storeOps hold the loads (0x28-0x35) and stores\n// (0x36-0x3e) by wasm opcode less the first.\n")
	w("var loadOps = [14]struct {\nop, idx, shl, idxShl opcode\ntyp decoder.ValType\n}{\n")
	for _, in := range Table {
		if in.Kind == LoadOp && in.Wasm >= 0 {
			w("%d: {%s, %s, %s, %s, %s}, // %#02x\n", in.Wasm-0x28, op(in.Name), op(in.Imm), op(in.Name+"_shl"), op(in.Name+"_idx_shl"), res(in.Res), in.Wasm)
		}
	}
	w("}\n\n")
	w("var storeOps = [9]opcode{\n")
	for _, in := range Table {
		if in.Kind == StoreOp {
			w("%d: %s, // %#02x\n", in.Wasm-0x36, op(in.Name), in.Wasm)
		}
	}
	w("}\n\n")
	w("// cmpBranch holds the compare-and-branch forms of the integer compares\n")
	w("// (and of eqz, as a compare with immediate 0): br branches when the\n// compare is true, inv when it is false; br 0 is none.\n")
	w("var cmpBranch = [opCount]struct{ br, inv opcode }{\n")
	for _, in := range Table {
		if in.Br != "" {
			w("%s: {%s, %s},\n", op(in.Name), op(in.Br), op(in.Inv))
		}
	}
	w("opI32Eqz: {opBrI32EqImm, opBrI32NeImm},\nopI64Eqz: {opBrI64EqImm, opBrI64NeImm},\n")
	w("}\n")
	return b.Bytes()
}

// cases returns the generated cases of machine.execute.
func cases() []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	for _, in := range Table {
		size := "size" + in.Format
		switch in.Kind {
		case Un:
			w("case %s:\nb := *ob(fp, pc)\n*oa(fp, pc) = %s\npc = unsafe.Add(pc, %s)\ncontinue\n", op(in.Name), in.Expr, size)
		case Bin:
			c := "*oc(fp, pc)"
			if in.Format == "DAI" {
				c = "x1(pc)"
			}
			w("case %s:\nb, c := *ob(fp, pc), %s\n*oa(fp, pc) = %s\npc = unsafe.Add(pc, %s)\ncontinue\n", op(in.Name), c, in.Expr, size)
		case BrCmp:
			c := "*oc(fp, pc)"
			if in.Format == "BrAI" {
				c = "x2(pc)"
			}
			w("case %s:\nif b, c := *ob(fp, pc), %s; %s {\npc = unsafe.Add(pc, 8)\ngoto taken\n}\npc = unsafe.Add(pc, %s)\ncontinue\n",
				op(in.Name), c, in.Expr, size)
		case LoadOp:
			switch in.Format {
			case "LoadIdxShl":
				w("case %s:\nx := x1(pc)\nea := uint64(uint32(*ob(fp, pc)+*oc(fp, pc)<<(x&31))) + x>>32\n", op(in.Name))
			default:
				addr := "*ob(fp, pc)"
				switch in.Format {
				case "LoadIdx":
					addr = "*ob(fp, pc)+*oc(fp, pc)"
				case "LoadShl":
					addr = "*ob(fp, pc)<<(fC(pc)&31)"
				}
				w("case %s:\nx := x1(pc)\nea := uint64(uint32(%s)+uint32(x)) + x>>32\n", op(in.Name), addr)
			}
			w("if ea+%d > memSize {\ngoto oob\n}\n", in.Size)
			w("// SAFETY: ea+%d <= Size <= len(Buf) (see memState).\np := unsafe.Add(memBase, ea)\n", in.Size)
			w("*oa(fp, pc) = %s\npc = unsafe.Add(pc, %s)\ncontinue\n", in.Expr, size)
		case StoreOp:
			w("case %s:\nx := x1(pc)\nea := uint64(uint32(*oa(fp, pc))+uint32(x)) + x>>32\n", op(in.Name))
			w("if ea+%d > memSize {\ngoto oob\n}\n", in.Size)
			w("// SAFETY: ea+%d <= Size <= len(Buf); the cards of its first and last\n// byte exist (see memState).\n", in.Size)
			w("p, v := unsafe.Add(memBase, ea), *ob(fp, pc)\n%s\n", in.Expr)
			w("*(*byte)(unsafe.Add(m.cards, ea>>CardShift)) = 1\n")
			if in.Size > 1 {
				w("*(*byte)(unsafe.Add(m.cards, (ea+%d)>>CardShift)) = 1\n", in.Size-1)
			}
			w("pc = unsafe.Add(pc, %s)\ncontinue\n", size)
		}
	}
	return b.Bytes()
}
