package decoder

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestEncodeRoundTrip encodes every module of the spec suites that wazero
// accepts, and the repository's test modules: decoding the result must
// give the same description (but for the binary's hash and the bodies'
// offsets), and wazero must accept it too.
func TestEncodeRoundTrip(t *testing.T) {
	root := filepath.Join(wazeroDir(t), "internal", "integration_test", "spectest")
	var files []string
	for _, suite := range spectestSuites[:5] { // the suites whose modules Parse represents
		fs, _ := filepath.Glob(filepath.Join(root, suite.dir, "testdata", "*.wasm"))
		files = append(files, fs...)
	}
	for _, dir := range []string{"../instance/testdata", "../cmd/wpi/testdata", "../instance/wasi/testdata"} {
		fs, _ := filepath.Glob(filepath.Join(dir, "*.wasm"))
		files = append(files, fs...)
	}
	if len(files) < 100 {
		t.Fatalf("only %d modules found", len(files))
	}
	// The exception-handling suite's modules with tags but without the
	// typed references, recursion groups or table initialisers Encode
	// refuses (some use those: they are counted apart).
	ehFiles, _ := filepath.Glob(filepath.Join(root, "exception-handling", "testdata", "*.wasm"))
	files = append(files, ehFiles...)
	features := spectestSuites[4].features | spectestSuites[2].features | spectestSuites[3].features | spectestSuites[5].features
	opts := cmp.Options{
		cmpopts.IgnoreUnexported(Module{}, FuncType{}),
		cmpopts.IgnoreFields(Module{}, "Hash", "CodeOffset"),
		cmpopts.IgnoreFields(Code{}, "Offset"),
		cmpopts.EquateEmpty(),
	}
	n, tagged, refused := 0, 0, 0
	for _, f := range files {
		bin, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(bin, features)
		if err != nil {
			continue // invalid on purpose (assert_invalid, assert_malformed)
		}
		n++
		enc, err := Encode(m)
		if err != nil && m.notEncodable != "" {
			refused++
			continue
		}
		if err != nil {
			t.Errorf("%s: Encode: %v", f, err)
			continue
		}
		if len(m.Tags) > 0 || m.NumImportedTags > 0 {
			tagged++
		}
		m2, err := Decode(enc, features)
		if err != nil {
			t.Errorf("%s: decoding the encoded module: %v", f, err)
			continue
		}
		if diff := cmp.Diff(m, m2, opts); diff != "" {
			t.Errorf("%s: round trip (-decoded +re-decoded):\n%s", f, diff)
		}
	}
	t.Logf("%d modules: %d round-tripped (%d with tags), %d refused (typed references, recursion groups, table initialisers)", n, n-refused, tagged, refused)
	if tagged < 5 {
		t.Errorf("only %d modules with tags round-tripped", tagged)
	}
}

// TestEncodeErrors checks that descriptions no binary can carry fail.
func TestEncodeErrors(t *testing.T) {
	tests := map[string]*Module{
		"value type": {Types: []FuncType{{Params: []ValType{0x42}}}},
		"empty expr": {Globals: []Global{{Type: GlobalType{Type: I32}}}},
		"opcode":     {Globals: []Global{{Type: GlobalType{Type: I32}, Init: ConstExpr{{Op: 0x01}}}}},
		"data mode":  {Data: []Data{{Mode: SegmentDeclarative}}},
	}
	for name, m := range tests {
		if _, err := Encode(m); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
