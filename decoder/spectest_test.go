package decoder

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// wazeroDir returns the directory of the wazero module in the module cache,
// or skips the test.
func wazeroDir(tb testing.TB) string {
	tb.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/tetratelabs/wazero").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		tb.Skipf("cannot locate the wazero module: %v", err)
	}
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("wazero module not in the cache: %v", err)
	}
	return dir
}

var spectestSuites = []struct {
	dir      string
	features api.CoreFeatures
	// unsupported: the suite's proposal is one the Module cannot
	// represent, so files wazero accepts may give ErrUnsupported.
	unsupported bool
}{
	{"v1", api.CoreFeaturesV2, false},
	{"v2", api.CoreFeaturesV2, false},
	{"threads", api.CoreFeaturesV2 | experimental.CoreFeaturesThreads, false},
	{"tail-call", api.CoreFeaturesV2 | experimental.CoreFeaturesTailCall, false},
	{"extended-const", api.CoreFeaturesV2 | experimental.CoreFeaturesExtendedConst, false},
	{"exception-handling", api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling, true},
	{"typed-function-references", api.CoreFeaturesV2 | experimental.CoreFeaturesTypedFunctionReferences, true},
}

// TestSpecSuiteFiles decodes every .wasm file of the spec suites shipped
// with wazero: each file that wazero accepts must be accepted by our parser
// and by Decode; each file wazero rejects must be rejected by Decode.
func TestSpecSuiteFiles(t *testing.T) {
	root := filepath.Join(wazeroDir(t), "internal", "integration_test", "spectest")
	for _, suite := range spectestSuites {
		t.Run(suite.dir, func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join(root, suite.dir, "testdata", "*.wasm"))
			if len(files) == 0 {
				t.Skipf("no .wasm files under %s", suite.dir)
			}
			ctx := context.Background()
			rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter().
				WithCoreFeatures(suite.features).WithMemoryLimitPages(65536))
			defer rt.Close(ctx)
			accepted, rejected, unsupported, stricter := 0, 0, 0, 0
			for _, f := range files {
				bin, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				name := filepath.Base(f)
				wantErr := compile(rt, bin)
				_, parseErr := parse(bin, suite.features)
				_, decodeErr := Decode(bin, suite.features)
				if wantErr == nil {
					accepted++
					if suite.unsupported && errors.Is(parseErr, ErrUnsupported) && errors.Is(decodeErr, ErrUnsupported) {
						unsupported++
						continue
					}
					if stricterThanWazero(parseErr) && stricterThanWazero(decodeErr) {
						// The suite's own assert_invalid commands check
						// these verdicts (spectest package).
						stricter++
						continue
					}
					if parseErr != nil {
						t.Errorf("%s: wazero accepts, our parser says: %v", name, parseErr)
					}
					if decodeErr != nil {
						t.Errorf("%s: wazero accepts, Decode says: %v", name, decodeErr)
					}
					continue
				}
				rejected++
				if decodeErr == nil {
					t.Errorf("%s: wazero rejects (%v), Decode accepts", name, wantErr)
				}
			}
			t.Logf("%d files accepted by wazero (%d of them unsupported by wpi, %d invalid for wpi), %d rejected", accepted, unsupported, stricter, rejected)
		})
	}
}

// TestSpecSuiteMalformed checks that Decode rejects the binary modules of
// the suites' assert_malformed commands, and that our parser alone rejects
// those that it can: all but the ones with code bodies, whose malformation
// may lie inside a body (the parser does not decode instructions; wazero's
// gate does).
func TestSpecSuiteMalformed(t *testing.T) {
	root := filepath.Join(wazeroDir(t), "internal", "integration_test", "spectest")
	for _, suite := range spectestSuites {
		t.Run(suite.dir, func(t *testing.T) {
			jsons, _ := filepath.Glob(filepath.Join(root, suite.dir, "testdata", "*.json"))
			if len(jsons) == 0 {
				t.Skipf("no .json files under %s", suite.dir)
			}
			var body []string
			checked := 0
			for _, j := range jsons {
				data, err := os.ReadFile(j)
				if err != nil {
					t.Fatal(err)
				}
				var script struct {
					Commands []struct {
						Type       string `json:"type"`
						Filename   string `json:"filename"`
						Text       string `json:"text"`
						ModuleType string `json:"module_type"`
					} `json:"commands"`
				}
				if err := json.Unmarshal(data, &script); err != nil {
					t.Fatalf("%s: %v", j, err)
				}
				for _, c := range script.Commands {
					if c.Type != "assert_malformed" || c.ModuleType != "binary" {
						continue
					}
					bin, err := os.ReadFile(filepath.Join(filepath.Dir(j), c.Filename))
					if err != nil {
						t.Fatal(err)
					}
					checked++
					m, perr := parse(bin, suite.features)
					if perr == nil {
						if len(m.Code) > 0 {
							body = append(body, c.Filename)
						} else {
							t.Errorf("%s: parser accepts a module that is malformed (%q)", c.Filename, c.Text)
						}
					} else if !errors.Is(perr, ErrMalformed) && !errors.Is(perr, ErrInvalid) {
						t.Errorf("%s: parser error %v is neither malformed nor invalid", c.Filename, perr)
					}
					if _, err := Decode(bin, suite.features); err == nil {
						t.Errorf("%s: Decode accepts a module that is malformed (%q)", c.Filename, c.Text)
					}
				}
			}
			sort.Strings(body)
			t.Logf("%d assert_malformed binaries checked; %d left to wazero (malformed code bodies): %v", checked, len(body), body)
		})
	}
}

// TestWazeroFiles decodes every other .wasm file shipped with wazero
// (examples, WASI and test programs built by real toolchains): each one
// wazero accepts with CoreFeaturesV2 must be accepted by Decode too.
func TestWazeroFiles(t *testing.T) {
	dir := wazeroDir(t)
	ctx := context.Background()
	features := api.CoreFeaturesV2
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter().
		WithCoreFeatures(features).WithMemoryLimitPages(65536))
	defer rt.Close(ctx)
	accepted := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasSuffix(path, filepath.Join("integration_test", "spectest")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".wasm") {
			return nil
		}
		bin, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if compile(rt, bin) != nil {
			return nil
		}
		accepted++
		if _, err := Decode(bin, features); err != nil {
			rel, _ := filepath.Rel(dir, path)
			t.Errorf("%s: wazero accepts, Decode says: %v", rel, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files accepted by wazero and by Decode", accepted)
}

// stricterThanWazero reports whether err is a verdict where wpi follows the
// spec and wazero is lax: global.get of an imported mutable global in a
// constant expression (spec §3.3.10).
func stricterThanWazero(err error) bool {
	return errors.Is(err, ErrInvalid) && strings.Contains(err.Error(), "global.get of mutable global")
}
