package decoder

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"
)

// custom is a custom section named name with payload body.
func custom(name string, body ...byte) []byte {
	p := append([]byte{byte(len(name))}, name...)
	p = append(p, body...)
	return append([]byte{0, byte(len(p))}, p...)
}

// TestWithoutNameSection: the name sections go, every other section
// (custom ones too) stays in order; a module without one, or with a
// broken section structure, is passed on as it is.
func TestWithoutNameSection(t *testing.T) {
	header := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	typeSec := []byte{1, 4, 1, 0x60, 0, 0}
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	names := custom("name", 2, 5, 0xff, 0xff, 0xff, 0xff, 0x0f) // local names of 2^32-1 functions
	other := custom("producers", 0)
	tests := map[string]struct{ in, want []byte }{
		"none":        {cat(header, typeSec, other), cat(header, typeSec, other)},
		"first":       {cat(header, names, typeSec, other), cat(header, typeSec, other)},
		"between":     {cat(header, typeSec, names, other, names), cat(header, typeSec, other)},
		"last":        {cat(header, typeSec, names), cat(header, typeSec)},
		"broken size": {cat(header, typeSec, []byte{0, 0x7f, 4}), cat(header, typeSec, []byte{0, 0x7f, 4})},
	}
	for name, tc := range tests {
		if diff := cmp.Diff(tc.want, withoutNameSection(tc.in)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	// The module that made wazero's name decoder ask for 58 GB validates.
	if err := newGate(4).check(cat(header, typeSec, names), [32]byte{1}, api.CoreFeaturesV2); err != nil {
		t.Errorf("a module whose only fault is its name section: %v", err)
	}
}
