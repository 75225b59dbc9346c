package decoder

import (
	"testing"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/internal/fuzzwatch"
)

// parseBound is how long one FuzzParse input may take before the
// watchdog fails it (Parse is linear in the input; the fuzzer's inputs
// are a few KiB).
const parseBound = 5 * time.Second

// FuzzParse feeds arbitrary bytes to Parse: it must return a module or an
// *Error, never panic, and finish within parseBound. A module it accepts
// must have its sections' counts consistent. Seeds: testdata/fuzz/FuzzParse
// (small spec-suite modules and the repository's test modules, see
// scripts/fuzz-seeds.sh).
func FuzzParse(f *testing.F) {
	f.Add([]byte("\x00asm\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, bin []byte) {
		defer fuzzwatch.Start("FuzzParse", parseBound, bin)()
		m, err := Parse(bin, api.CoreFeaturesV2)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			return
		}
		if len(m.Code) != len(m.Funcs) {
			t.Fatalf("accepted a module with %d function types and %d bodies", len(m.Funcs), len(m.Code))
		}
	})
}
