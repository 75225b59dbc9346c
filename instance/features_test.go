package instance

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

func TestParseFeatures(t *testing.T) {
	v2 := api.CoreFeaturesV2
	tests := []struct {
		in      string
		want    api.CoreFeatures
		wantErr bool
	}{
		{in: "v1", want: api.CoreFeaturesV1},
		{in: "v2", want: v2},
		{in: "all", want: AllFeatures},
		{in: "supported", want: SupportedFeatures},
		{in: "tail-call", want: v2 | experimental.CoreFeaturesTailCall},
		{in: "threads, extended-const", want: v2 | experimental.CoreFeaturesThreads | experimental.CoreFeaturesExtendedConst},
		{in: "v1,simd", want: api.CoreFeaturesV1 | api.CoreFeatureSIMD},
		{in: "exception-handling,typed-function-references", want: v2 | experimental.CoreFeaturesExceptionHandling | experimental.CoreFeaturesTypedFunctionReferences},
		{in: "", wantErr: true},
		{in: "v3", wantErr: true},
		{in: "threads,", wantErr: true},
	}
	for _, tc := range tests {
		got, err := ParseFeatures(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseFeatures(%q): error %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if diff := cmp.Diff(tc.want.String(), got.String()); diff != "" {
			t.Errorf("ParseFeatures(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestSuiteFeatures(t *testing.T) {
	v2 := api.CoreFeaturesV2
	tests := map[string]api.CoreFeatures{
		"v1":                        api.CoreFeaturesV1,
		"v2":                        v2,
		"testdata":                  v2,
		"simd":                      v2,
		"threads":                   v2 | experimental.CoreFeaturesThreads,
		"tail-call":                 v2 | experimental.CoreFeaturesTailCall,
		"extended-const":            v2 | experimental.CoreFeaturesExtendedConst,
		"exception-handling":        v2 | experimental.CoreFeaturesExceptionHandling | experimental.CoreFeaturesTailCall | experimental.CoreFeaturesTypedFunctionReferences,
		"typed-function-references": v2 | experimental.CoreFeaturesTypedFunctionReferences | experimental.CoreFeaturesTailCall,
	}
	for folder, want := range tests {
		if diff := cmp.Diff(want.String(), SuiteFeatures(folder).String()); diff != "" {
			t.Errorf("SuiteFeatures(%q) (-want +got):\n%s", folder, diff)
		}
	}
}
