package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// CoreMark is EEMBC's CoreMark 1.0 built for wasm32-wasi, which the team
// keeps outside the repository (it is not ours to copy in): the file
// shared/bench/coremark.wasm in the nearest ancestor directory of the
// working directory that has one (../shared/bench from the repository,
// however deep the checkout), or the file $WPI_COREMARK names.
//
// It returns an error wrapping os.ErrNotExist if there is none.
func CoreMark() (wasm []byte, path string, err error) {
	if p := os.Getenv("WPI_COREMARK"); p != "" {
		b, err := os.ReadFile(p)
		return b, p, err
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil, "", err
	}
	for {
		p := filepath.Join(dir, "shared", "bench", "coremark.wasm")
		if b, err := os.ReadFile(p); err == nil {
			return b, p, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, p, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, "", fmt.Errorf("no shared/bench/coremark.wasm above the working directory (set WPI_COREMARK): %w", os.ErrNotExist)
		}
		dir = parent
	}
}

// CoreMarkIterations is CoreMark's iteration count in the corpus command
// (about a second on wpi); CoreMarkSmall the one for tests.
const (
	CoreMarkIterations = 2000
	CoreMarkSmall      = 20
)

// CoreMarkArgs returns CoreMark's command line for n iterations: the
// performance run's seeds (0, 0, 0x66) and n.
func CoreMarkArgs(n int) []string {
	return []string{"coremark", "0", "0", "0x66", strconv.Itoa(n)}
}

// CoreMarkChecksum keeps the lines of CoreMark's output that do not depend
// on time, the CRCs (list, matrix, state, final, seed), so that outputs of
// engines compare equal. Not the verdict: CoreMark reports "Errors
// detected" for a run shorter than 10 s whatever its CRCs, so a slow
// machine made a correct run mismatch a fast one.
func CoreMarkChecksum(out []byte) []byte {
	var keep [][]byte
	for _, l := range bytes.Split(out, []byte("\n")) {
		if bytes.Contains(l, []byte("crc")) {
			keep = append(keep, l)
		}
	}
	return bytes.Join(keep, []byte("\n"))
}
