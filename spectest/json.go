package spectest

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tetratelabs/wazero/api"
)

// script is a wast2json output file.
type script struct {
	SourceFilename string    `json:"source_filename"`
	Commands       []command `json:"commands"`
}

// command is one wast2json command. Which fields are set depends on Type.
type command struct {
	Type       string  `json:"type"`
	Line       int     `json:"line"`
	Name       string  `json:"name"`        // module, register: the module's $name
	Filename   string  `json:"filename"`    // module and assert_{invalid,malformed,unlinkable,uninstantiable}
	As         string  `json:"as"`          // register
	Action     *action `json:"action"`      // action, assert_return, assert_trap, assert_exhaustion
	Expected   []value `json:"expected"`    // assert_return, action
	Text       string  `json:"text"`        // assert_*: the expected error message
	ModuleType string  `json:"module_type"` // "binary" or "text"
}

// action is an invoke of an export or a get of an exported global.
type action struct {
	Type   string  `json:"type"` // "invoke" or "get"
	Module string  `json:"module"`
	Field  string  `json:"field"`
	Args   []value `json:"args"`
}

// value is a typed constant. Value is a decimal string of the bit pattern
// (or "nan:canonical" / "nan:arithmetic" / "null"), a list of lane strings
// for v128, or absent for "any reference". An "either" value lists
// alternatives in Values.
type value struct {
	Type     string          `json:"type"`
	LaneType string          `json:"lane_type"`
	Value    json.RawMessage `json:"value"`
	Values   []value         `json:"values"`
}

func (v value) String() string {
	if v.Type == "either" {
		s := make([]string, len(v.Values))
		for i, a := range v.Values {
			s[i] = a.String()
		}
		return "either(" + strings.Join(s, " | ") + ")"
	}
	if v.Type == "v128" {
		return fmt.Sprintf("v128:%s%s", v.LaneType, string(v.Value))
	}
	if len(v.Value) == 0 {
		return v.Type
	}
	return v.Type + ":" + strings.Trim(string(v.Value), `"`)
}

// scalar returns the value as a string, or "" if absent or null.
func (v value) scalar() (string, error) {
	if len(v.Value) == 0 || string(v.Value) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v.Value, &s); err != nil {
		return "", fmt.Errorf("value %s: %w", v.Value, err)
	}
	if s == "null" {
		return "", nil
	}
	return s, nil
}

// lanes returns the lane strings of a v128 value.
func (v value) lanes() ([]string, error) {
	var s []string
	if err := json.Unmarshal(v.Value, &s); err != nil {
		return nil, fmt.Errorf("v128 value %s: %w", v.Value, err)
	}
	return s, nil
}

// laneBits returns the width in bits of a v128 lane type.
func laneBits(lane string) (int, error) {
	switch lane {
	case "i8":
		return 8, nil
	case "i16":
		return 16, nil
	case "i32", "f32":
		return 32, nil
	case "i64", "f64":
		return 64, nil
	}
	return 0, fmt.Errorf("unknown v128 lane type %q", lane)
}

// parseBits parses a decimal bit pattern of the given width; a leading
// minus sign is accepted (two's complement), as some converters emit it.
func parseBits(s string, bits int) (uint64, error) {
	if strings.HasPrefix(s, "-") {
		n, err := strconv.ParseInt(s, 10, bits)
		if err != nil {
			return 0, err
		}
		return uint64(n) & (math.MaxUint64 >> (64 - bits)), nil
	}
	return strconv.ParseUint(s, 10, bits)
}

// Canonical NaN bit patterns (spec §4.3.3), used for argument values that
// are NaN patterns. Expected NaN patterns are matched, not parsed.
const (
	f32CanonicalNaN = 0x7fc00000
	f64CanonicalNaN = 0x7ff8000000000000
)

// cells converts an argument to the cells the API takes (two for v128).
// externref n becomes n+1, so that externref 0 is not the null reference.
func (v value) cells() ([]uint64, error) {
	switch v.Type {
	case "i32", "f32", "i64", "f64":
		s, err := v.scalar()
		if err != nil {
			return nil, err
		}
		bits := 32
		if v.Type[1:] == "64" {
			bits = 64
		}
		if strings.HasPrefix(s, "nan:") {
			if bits == 32 {
				return []uint64{f32CanonicalNaN}, nil
			}
			return []uint64{f64CanonicalNaN}, nil
		}
		n, err := parseBits(s, bits)
		if err != nil {
			return nil, fmt.Errorf("%s value %q: %w", v.Type, s, err)
		}
		return []uint64{n}, nil
	case "funcref", "externref":
		s, err := v.scalar()
		if err != nil {
			return nil, err
		}
		if s == "" {
			return []uint64{0}, nil
		}
		if v.Type == "funcref" {
			return nil, fmt.Errorf("non-null funcref arguments are not representable")
		}
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("externref value %q: %w", s, err)
		}
		return []uint64{api.EncodeExternref(uintptr(n + 1))}, nil
	case "v128":
		lanes, err := v.lanes()
		if err != nil {
			return nil, err
		}
		bits, err := laneBits(v.LaneType)
		if err != nil {
			return nil, err
		}
		if len(lanes)*bits != 128 {
			return nil, fmt.Errorf("v128 %s value has %d lanes", v.LaneType, len(lanes))
		}
		var half [2]uint64
		for i, l := range lanes {
			var n uint64
			if strings.HasPrefix(l, "nan:") {
				n = f64CanonicalNaN
				if bits == 32 {
					n = f32CanonicalNaN
				}
			} else if n, err = parseBits(l, bits); err != nil {
				return nil, fmt.Errorf("v128 lane %q: %w", l, err)
			}
			pos := i * bits
			half[pos/64] |= n << (pos % 64)
		}
		return half[:], nil
	}
	return nil, fmt.Errorf("unsupported value type %q", v.Type)
}

// match reports whether the result cells got (two for a v128) match the
// expected value v.
func (v value) match(got []uint64) (bool, error) {
	switch v.Type {
	case "either":
		for _, alt := range v.Values {
			if ok, err := alt.match(got); err == nil && ok {
				return true, nil
			}
		}
		return false, nil
	case "i32", "i64", "f32", "f64":
		s, err := v.scalar()
		if err != nil {
			return false, err
		}
		return matchScalar(v.Type, s, got[0])
	case "refnull": // a null reference of any type (wast's ref.null)
		return got[0] == 0, nil
	case "funcref", "externref", "exnref":
		s, err := v.scalar()
		if err != nil {
			return false, err
		}
		if len(v.Value) == 0 { // any non-null reference
			return got[0] != 0, nil
		}
		if s == "" {
			return got[0] == 0, nil
		}
		if v.Type != "externref" {
			return got[0] != 0, nil
		}
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return false, err
		}
		return got[0] == api.EncodeExternref(uintptr(n+1)), nil
	case "v128":
		lanes, err := v.lanes()
		if err != nil {
			return false, err
		}
		bits, err := laneBits(v.LaneType)
		if err != nil {
			return false, err
		}
		if len(lanes)*bits != 128 {
			return false, fmt.Errorf("v128 %s value has %d lanes", v.LaneType, len(lanes))
		}
		mask := uint64(math.MaxUint64) >> (64 - bits)
		for i, l := range lanes {
			pos := i * bits
			lane := (got[pos/64] >> (pos % 64)) & mask
			if v.LaneType[0] == 'i' {
				n, err := parseBits(l, bits)
				if err != nil {
					return false, err
				}
				if n != lane {
					return false, nil
				}
				continue
			}
			ok, err := matchScalar(v.LaneType, l, lane)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	}
	return false, fmt.Errorf("unsupported value type %q", v.Type)
}

// matchScalar compares one number of type typ with its expected string:
// a decimal bit pattern (exact bits, so -0 and +0 and NaN payloads
// differ), "nan:canonical" (any sign, quiet bit only) or "nan:arithmetic"
// (any sign, quiet bit set, any payload).
func matchScalar(typ, want string, got uint64) (bool, error) {
	switch typ {
	case "f32":
		g := uint32(got)
		switch want {
		case "nan:canonical":
			return g&0x7fffffff == f32CanonicalNaN, nil
		case "nan:arithmetic":
			return g&f32CanonicalNaN == f32CanonicalNaN, nil
		}
		n, err := parseBits(want, 32)
		return uint32(n) == g, err
	case "f64":
		switch want {
		case "nan:canonical":
			return got&(math.MaxUint64>>1) == f64CanonicalNaN, nil
		case "nan:arithmetic":
			return got&f64CanonicalNaN == f64CanonicalNaN, nil
		}
		n, err := parseBits(want, 64)
		return n == got, err
	case "i32":
		n, err := parseBits(want, 32)
		return uint32(n) == uint32(got), err
	default:
		n, err := parseBits(want, 64)
		return n == got, err
	}
}

// cellCount is the number of cells a value of the given type takes.
func cellCount(v value) int {
	if v.Type == "v128" {
		return 2
	}
	if v.Type == "either" && len(v.Values) > 0 {
		return cellCount(v.Values[0])
	}
	return 1
}

// formatCells renders result cells by the expected types, for messages.
func formatCells(exp []value, got []uint64) string {
	var parts []string
	pos := 0
	for _, e := range exp {
		n := cellCount(e)
		if pos+n > len(got) {
			break
		}
		parts = append(parts, formatCell(e, got[pos:pos+n]))
		pos += n
	}
	for ; pos < len(got); pos++ {
		parts = append(parts, fmt.Sprintf("%#x", got[pos]))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func formatCell(e value, c []uint64) string {
	t := e.Type
	if t == "either" && len(e.Values) > 0 {
		t = e.Values[0].Type
	}
	switch t {
	case "i32":
		return fmt.Sprintf("i32:%d", uint32(c[0]))
	case "i64":
		return fmt.Sprintf("i64:%d", c[0])
	case "f32":
		return fmt.Sprintf("f32:%d(%v)", uint32(c[0]), math.Float32frombits(uint32(c[0])))
	case "f64":
		return fmt.Sprintf("f64:%d(%v)", c[0], math.Float64frombits(c[0]))
	case "v128":
		return fmt.Sprintf("v128:%#016x_%016x", c[1], c[0])
	}
	return fmt.Sprintf("%s:%#x", t, c[0])
}

func formatValues(vs []value) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return "[" + strings.Join(s, " ") + "]"
}
