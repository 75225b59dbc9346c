package instance

import (
	"debug/dwarf"
	"sort"
	"sync"

	"github.com/wpi-dev/wpi/decoder"
)

// debugInfo is what a module's DWARF says about code addresses: the line
// table and the functions' ranges. It is read from the custom sections
// (.debug_info, .debug_line, ...) with the standard library's
// debug/dwarf, once per compiled module, on the first trap that needs
// it. Code addresses in wasm DWARF are offsets from the start of the code
// section's contents (the WebAssembly tool conventions, "DWARF").
type debugInfo struct {
	once  sync.Once
	rows  []lineRow   // sorted by addr
	funcs []funcRange // sorted by lo
}

// lineRow is a row of the line table: the code at addr and after, up to
// the next row, comes from file:line:col; an end row ends a sequence.
type lineRow struct {
	addr      uint64
	file      string
	line, col int
	end       bool
}

// funcRange is the code address range [lo, hi) of a function.
type funcRange struct {
	lo, hi uint64
	name   string
}

// debug returns the module's debug information, reading it the first
// time.
func (cm *CompiledModule) debug() *debugInfo {
	cm.dbg.once.Do(func() { cm.dbg.read(cm.mod.Decoded) })
	return &cm.dbg
}

// read fills d from m's DWARF sections; a module without them, or whose
// DWARF does not parse, gives an empty d (frames then have no lines).
func (d *debugInfo) read(m *decoder.Module) {
	sec := map[string][]byte{}
	for _, c := range m.Customs {
		sec[c.Name] = c.Data
	}
	if sec[".debug_info"] == nil {
		return
	}
	data, err := dwarf.New(sec[".debug_abbrev"], sec[".debug_aranges"], sec[".debug_frame"], sec[".debug_info"],
		sec[".debug_line"], sec[".debug_pubnames"], sec[".debug_ranges"], sec[".debug_str"])
	if err != nil {
		return
	}
	for _, name := range []string{".debug_addr", ".debug_line_str", ".debug_str_offsets", ".debug_rnglists"} { // DWARF 5
		if b := sec[name]; b != nil {
			if data.AddSection(name, b) != nil {
				return
			}
		}
	}
	r := data.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		switch e.Tag {
		case dwarf.TagCompileUnit:
			d.readLines(data, e)
		case dwarf.TagSubprogram:
			name, _ := e.Val(dwarf.AttrName).(string)
			if name == "" {
				continue
			}
			ranges, err := data.Ranges(e)
			if err != nil {
				continue
			}
			for _, rg := range ranges {
				if live(rg[0]) && rg[1] > rg[0] {
					d.funcs = append(d.funcs, funcRange{rg[0], rg[1], name})
				}
			}
		}
	}
	sort.SliceStable(d.rows, func(i, j int) bool {
		if d.rows[i].addr != d.rows[j].addr {
			return d.rows[i].addr < d.rows[j].addr
		}
		return d.rows[i].end && !d.rows[j].end // a sequence ending where another starts
	})
	sort.Slice(d.funcs, func(i, j int) bool { return d.funcs[i].lo < d.funcs[j].lo })
}

// live reports whether a code address is a function the linker kept:
// wasm-ld gives the code of discarded functions address 0 or the
// tombstone 0xffffffff.
func live(addr uint64) bool { return addr != 0 && addr < 0xfffffff0 }

// readLines appends the line table of the compile unit cu, sequence by
// sequence, dropping the sequences of discarded functions.
func (d *debugInfo) readLines(data *dwarf.Data, cu *dwarf.Entry) {
	lr, err := data.LineReader(cu)
	if err != nil || lr == nil {
		return
	}
	var seq []lineRow
	var le dwarf.LineEntry
	for lr.Next(&le) == nil {
		row := lineRow{addr: le.Address, line: le.Line, col: le.Column, end: le.EndSequence}
		if le.File != nil {
			row.file = le.File.Name
		}
		seq = append(seq, row)
		if le.EndSequence {
			if live(seq[0].addr) {
				d.rows = append(d.rows, seq...)
			}
			seq = seq[:0]
		}
	}
}

// line returns the source position of the code at addr.
func (d *debugInfo) line(addr uint64) (file string, line, col int, ok bool) {
	i := sort.Search(len(d.rows), func(i int) bool { return d.rows[i].addr > addr }) - 1
	if i < 0 || d.rows[i].end || d.rows[i].line == 0 {
		return "", 0, 0, false
	}
	r := d.rows[i]
	return r.file, r.line, r.col, true
}

// function returns the name of the function whose code holds addr.
func (d *debugInfo) function(addr uint64) string {
	i := sort.Search(len(d.funcs), func(i int) bool { return d.funcs[i].lo > addr }) - 1
	// Ranges nest (inlined code is not a subprogram entry here) only by
	// overlapping entries; look back for one that holds addr.
	for ; i >= 0; i-- {
		if f := d.funcs[i]; addr < f.hi {
			return f.name
		}
		if addr-d.funcs[i].lo > 1<<24 {
			break
		}
	}
	return ""
}

// resolve fills the source position (and a missing name) of a frame of
// code compiled from cm.
func (cm *CompiledModule) resolve(f *FrameInfo) {
	if f.Offset < 0 || cm.mod.Decoded.CodeOffset == 0 || f.Offset < cm.mod.Decoded.CodeOffset {
		return
	}
	d := cm.debug()
	addr := uint64(f.Offset - cm.mod.Decoded.CodeOffset)
	if file, line, col, ok := d.line(addr); ok {
		f.File, f.Line, f.Column = file, line, col
	}
	if f.Name == "" {
		f.Name = d.function(addr)
	}
}
