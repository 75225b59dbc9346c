package spectest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"

	"github.com/wpi-dev/wpi/instance"
)

var ctx = context.Background()

// TestRunnerFixture checks the runner's verdicts on a small script with
// known outcomes, two of them deliberate failures.
func TestRunnerFixture(t *testing.T) {
	res, err := RunFile(ctx, filepath.Join("testdata", "runner.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	type verdict struct {
		Line   int
		Status Status
	}
	var got []verdict
	for _, c := range res.Commands {
		got = append(got, verdict{c.Line, c.Status})
	}
	want := []verdict{
		{3, Passed}, {10, Passed}, {11, Passed}, {12, Passed}, {14, Failed}, {15, Passed}, {19, Passed},
		{22, Passed}, {26, Failed}, {29, Passed}, {32, Skipped}, {35, Passed},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s\nresult: %+v", diff, res)
	}
	if diff := cmp.Diff([]int{9, 2, 1}, []int{res.Passed, res.Failed, res.Skipped}); diff != "" {
		t.Errorf("[passed failed skipped] (-want +got):\n%s", diff)
	}
}

func TestValueMatch(t *testing.T) {
	tests := []struct {
		json string
		got  []uint64
		want bool
	}{
		{`{"type":"i32","value":"4294967295"}`, []uint64{0xffffffff}, true},
		{`{"type":"i32","value":"-1"}`, []uint64{0xffffffff}, true},
		{`{"type":"i32","value":"1"}`, []uint64{2}, false},
		{`{"type":"i64","value":"18446744073709551615"}`, []uint64{^uint64(0)}, true},
		{`{"type":"f32","value":"2147483648"}`, []uint64{0x80000000}, true}, // -0
		{`{"type":"f32","value":"0"}`, []uint64{0x80000000}, false},
		{`{"type":"f32","value":"nan:canonical"}`, []uint64{0xffc00000}, true},
		{`{"type":"f32","value":"nan:canonical"}`, []uint64{0x7fc00001}, false},
		{`{"type":"f32","value":"nan:arithmetic"}`, []uint64{0x7fc00001}, true},
		{`{"type":"f32","value":"nan:arithmetic"}`, []uint64{0x7f800001}, false}, // signalling
		{`{"type":"f64","value":"nan:canonical"}`, []uint64{0x7ff8000000000000}, true},
		{`{"type":"f64","value":"nan:arithmetic"}`, []uint64{0xfff8000000000001}, true},
		{`{"type":"f64","value":"nan:arithmetic"}`, []uint64{0x7ff0000000000001}, false},
		{`{"type":"externref","value":"null"}`, []uint64{0}, true},
		{`{"type":"externref","value":"0"}`, []uint64{1}, true},
		{`{"type":"externref","value":"0"}`, []uint64{0}, false},
		{`{"type":"funcref","value":"null"}`, []uint64{5}, false},
		{`{"type":"funcref"}`, []uint64{5}, true},
		{`{"type":"refnull"}`, []uint64{0}, true},
		{`{"type":"refnull"}`, []uint64{5}, false},
		{`{"type":"v128","lane_type":"i32","value":["1","2","3","4294967295"]}`, []uint64{2<<32 | 1, 0xffffffff<<32 | 3}, true},
		{`{"type":"v128","lane_type":"i8","value":["1","0","0","0","0","0","0","0","0","0","0","0","0","0","0","255"]}`, []uint64{1, 0xff << 56}, true},
		{`{"type":"v128","lane_type":"f32","value":["nan:canonical","0","0","0"]}`, []uint64{0x7fc00000, 0}, true},
		{`{"type":"v128","lane_type":"f64","value":["0","nan:arithmetic"]}`, []uint64{0, 0x7ff8000000000000}, true},
		{`{"type":"v128","lane_type":"i64","value":["1","2"]}`, []uint64{1, 3}, false},
		{`{"type":"either","values":[{"type":"i32","value":"1"},{"type":"i32","value":"2"}]}`, []uint64{2}, true},
		{`{"type":"either","values":[{"type":"i32","value":"1"},{"type":"i32","value":"2"}]}`, []uint64{3}, false},
	}
	for _, tc := range tests {
		t.Run(tc.json, func(t *testing.T) {
			var v value
			if err := json.Unmarshal([]byte(tc.json), &v); err != nil {
				t.Fatal(err)
			}
			got, err := v.match(tc.got)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("match(%#x) (-want +got):\n%s", tc.got, diff)
			}
		})
	}
}

func TestValueCells(t *testing.T) {
	tests := []struct {
		json string
		want []uint64
	}{
		{`{"type":"i32","value":"4294967295"}`, []uint64{0xffffffff}},
		{`{"type":"i32","value":"-2"}`, []uint64{0xfffffffe}},
		{`{"type":"i64","value":"-1"}`, []uint64{^uint64(0)}},
		{`{"type":"f64","value":"4607182418800017408"}`, []uint64{api.EncodeF64(1)}},
		{`{"type":"externref","value":"null"}`, []uint64{0}},
		{`{"type":"externref","value":"7"}`, []uint64{8}},
		{`{"type":"v128","lane_type":"i16","value":["1","2","3","4","5","6","7","65535"]}`, []uint64{4<<48 | 3<<32 | 2<<16 | 1, 0xffff<<48 | 7<<32 | 6<<16 | 5}},
	}
	for _, tc := range tests {
		t.Run(tc.json, func(t *testing.T) {
			var v value
			if err := json.Unmarshal([]byte(tc.json), &v); err != nil {
				t.Fatal(err)
			}
			got, err := v.cells()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("cells (-want +got):\n%s", diff)
			}
		})
	}
}

// wazeroSpecDir returns the spec test directory shipped in the wazero
// module (internal/integration_test/spectest), or $WPI_SPEC_DIR if set:
// a test binary run where "go list" cannot run (under qemu-user without
// Go, or built for wasip1 and run under wpi with the directory mounted)
// is told the directory so.
func wazeroSpecDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("WPI_SPEC_DIR"); dir != "" {
		return dir
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/tetratelabs/wazero").Output()
	if err != nil {
		t.Fatalf("locating the wazero module: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "internal", "integration_test", "spectest")
}

// v2Unsupported lists the v2 suite files that need Wasm 2.0 features the
// engine does not implement yet, with the feature (none today: the whole
// v2 suite runs).
var v2Unsupported = map[string]string{}

// knownFailures are assertions that fail for reasons outside the engine,
// by "dir/file.json:line", with the reason. They are reported, not
// failed; an entry that starts passing fails the test, so the list stays
// true.
var knownFailures = map[string]string{}

// proposalUnimplemented lists, per proposal folder, the suite files whose
// failures are expected because the engine does not implement the
// proposal's instructions yet, with the reason. Such a file must still
// fail (an entry whose file passes fails the test, so the list stays
// true); every other file of the folder must pass whole.
var proposalUnimplemented = map[string]string{}

func runSuite(t *testing.T, dir string, features api.CoreFeatures, skip func(name string) string) {
	files, err := filepath.Glob(filepath.Join(dir, "testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no spec test files in %s", dir)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			if why := skip(name); why != "" {
				t.Skip("needs", why)
			}
			res, err := RunFile(ctx, f, Options{Features: features})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			failed := 0
			for _, c := range res.Commands {
				key := fmt.Sprintf("%s/%s:%d", filepath.Base(dir), name, c.Line)
				why, known := knownFailures[key]
				switch {
				case c.Status == Failed && known:
					t.Logf("known failure %s (%s): %s", key, why, c.Message)
				case c.Status == Failed:
					if failed++; failed <= 20 {
						fmt.Fprintf(&b, "\t%s:%d %s: %s\n", name, c.Line, c.Type, c.Message)
					}
				case known:
					failed++
					fmt.Fprintf(&b, "\t%s: listed in knownFailures (%s) but %s: remove the entry\n", key, why, c.Status)
				}
			}
			if failed > 20 {
				fmt.Fprintf(&b, "\t... %d more\n", failed-20)
			}
			if why, ok := proposalUnimplemented[filepath.Base(dir)+"/"+name]; ok {
				if failed == 0 {
					t.Errorf("listed in proposalUnimplemented (%s) but passes (%d passed, %d skipped): remove the entry", why, res.Passed, res.Skipped)
				} else {
					t.Logf("expected failures, %s not implemented: %d passed, %d failed, %d skipped", why, res.Passed, res.Failed, res.Skipped)
				}
				return
			}
			if failed > 0 {
				t.Errorf("%d passed, %d failed, %d skipped:\n%s", res.Passed, res.Failed, res.Skipped, b.String())
			}
		})
	}
}

// TestSpecV1 runs the whole Wasm 1.0 suite.
func TestSpecV1(t *testing.T) {
	runSuite(t, filepath.Join(wazeroSpecDir(t), "v1"), api.CoreFeaturesV1, func(string) string { return "" })
}

// TestSpecV2 runs the Wasm 2.0 suite files the engine supports (see
// v2Unsupported).
func TestSpecV2(t *testing.T) {
	runSuite(t, filepath.Join(wazeroSpecDir(t), "v2"), api.CoreFeaturesV2, func(name string) string {
		return v2Unsupported[name]
	})
}

// TestSpecProposals runs the suites of the proposals beyond Wasm 2.0 that
// wazero ships, each with the features its folder name selects
// (instance.SuiteFeatures, as wazero's own spec tests enable them) and
// with every feature enabled (instance.AllFeatures), which must give the
// same verdicts.
func TestSpecProposals(t *testing.T) {
	for _, folder := range []string{"extended-const", "tail-call", "threads", "exception-handling", "typed-function-references"} {
		t.Run(folder, func(t *testing.T) {
			dir := filepath.Join(wazeroSpecDir(t), folder)
			for _, f := range []struct {
				name     string
				features api.CoreFeatures
			}{{"suite", instance.SuiteFeatures(folder)}, {"all", instance.AllFeatures}} {
				t.Run(f.name, func(t *testing.T) {
					runSuite(t, dir, f.features, func(string) string { return "" })
				})
			}
		})
	}
}
