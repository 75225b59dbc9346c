package engine

// The interpreter's instruction set.
//
// Code is a []uint64. Every instruction starts with one word:
//
//	bits  0-15  opcode
//	bits 16-31  A   (a frame cell, or as the format says)
//	bits 32-47  B
//	bits 48-63  C   (a frame cell, a signed 16-bit immediate or an offset)
//
// and some formats take extra words after it (branch targets, 64-bit
// constants, funcidx, far memory offsets). Frame cells are 64-bit slots
// counted from the frame pointer: parameters, then locals, then the
// temporaries of the operand stack. Values in cells: i32 zero-extended,
// i64 as is, f32/f64 as IEEE bits.
//
// Loads and stores address memory at uint64(uint32(base + k)) + offset,
// where base is a cell, k a 32-bit addend and offset the memarg offset: an
// i32.add of a constant that computes the address folds into k (the add
// wraps at 32 bits, the offset does not, as in wasm), and a constant
// address is k over the frame's zero cell.
//
// Opcodes are specialised by type and operand kind: an instruction never
// looks at types at run time. "_imm" forms take their second operand as an
// immediate in the next word (after the target, for branches) instead of a
// cell, so constants never need a materialising instruction; "br_<cmp>"
// forms fuse a compare with a conditional branch.

// The instructions, their formats and widths are defined once, in
// internal/isagen/table.go; isa_gen.go and the generated cases of
// interp.go are written from it by:
//
//go:generate go run ./internal/isagen/cmd/isagen

// opcode is the low 16 bits of an instruction word.
type opcode uint16

// opcodeMask covers every opcode (its bits 9-15 are zero): execute's
// switch on opcode(w)&opcodeMask, with a case at opcodeMask (never
// emitted), jumps through its table without a bounds check.
const opcodeMask opcode = 511

// opCount must stay below opcodeMask (else this constant overflows).
const _ = opcodeMask - 1 - opCount

// format says how an instruction's fields and extra words are used; the
// translator, the interpreter and the disassembler agree on it.
type format uint8

// extraWords returns how many words follow the first word of an
// instruction of format f (br_table: B more target words follow).
func (f format) extraWords() int { return int(formatWords[f]) }

type opInfo struct {
	name string
	fmt  format
}

// word packs an instruction's first word.
func word(op opcode, a, b, c uint16) uint64 {
	return uint64(op) | uint64(a)<<16 | uint64(b)<<32 | uint64(c)<<48
}

// Field accessors for a first word.
func wOp(w uint64) opcode { return opcode(w) }
func wA(w uint64) uint16  { return uint16(w >> 16) }
func wB(w uint64) uint16  { return uint16(w >> 32) }
func wC(w uint64) uint16  { return uint16(w >> 48) }
