package instance

import (
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/wpi-dev/wpi/engine"
)

// SupportedFeatures are the core features wpi runs: Wasm 2.0 and the
// proposals the engine implements (engine.Features). Config.Features may
// name more (validation accepts them); a module that uses an instruction
// of an unimplemented proposal then fails to compile ("unsupported
// opcode"), and one that uses a binary construct the decoder cannot hold
// (e.g. a tag section) fails with decoder.ErrUnsupported.
const SupportedFeatures = engine.Features

// AllFeatures are every core feature validation knows: Wasm 2.0 and the
// threads, tail-call, extended-const, exception-handling and
// typed-function-references proposals (wazero's experimental.CoreFeatures*).
const AllFeatures = api.CoreFeaturesV2 |
	experimental.CoreFeaturesThreads |
	experimental.CoreFeaturesTailCall |
	experimental.CoreFeaturesExtendedConst |
	experimental.CoreFeaturesExceptionHandling |
	experimental.CoreFeaturesTypedFunctionReferences

// featureNames maps each name ParseFeatures accepts to its features. The
// single features carry the proposal repositories' names (as wazero's
// api.CoreFeatures.String prints them).
var featureNames = map[string]api.CoreFeatures{
	"v1":        api.CoreFeaturesV1,
	"v2":        api.CoreFeaturesV2,
	"all":       AllFeatures,
	"supported": SupportedFeatures,

	"mutable-global":                      api.CoreFeatureMutableGlobal,
	"sign-extension-ops":                  api.CoreFeatureSignExtensionOps,
	"multi-value":                         api.CoreFeatureMultiValue,
	"nontrapping-float-to-int-conversion": api.CoreFeatureNonTrappingFloatToIntConversion,
	"bulk-memory-operations":              api.CoreFeatureBulkMemoryOperations,
	"reference-types":                     api.CoreFeatureReferenceTypes,
	"simd":                                api.CoreFeatureSIMD,
	"threads":                             experimental.CoreFeaturesThreads,
	"tail-call":                           experimental.CoreFeaturesTailCall,
	"extended-const":                      experimental.CoreFeaturesExtendedConst,
	"exception-handling":                  experimental.CoreFeaturesExceptionHandling,
	"typed-function-references":           experimental.CoreFeaturesTypedFunctionReferences,
}

// ParseFeatures parses a comma-separated list of feature names: "v1" (Wasm
// 1.0), "v2" (Wasm 2.0), "all" (AllFeatures), "supported"
// (SupportedFeatures), or single features by their proposal names
// ("threads", "tail-call", "extended-const", "exception-handling",
// "typed-function-references", "simd", "bulk-memory-operations", ...).
// The result is the union of the names; single features are added to Wasm
// 2.0 unless "v1" is named, so "tail-call" means Wasm 2.0 with tail calls.
// An unknown or empty name is an error.
func ParseFeatures(s string) (api.CoreFeatures, error) {
	var f api.CoreFeatures
	base := api.CoreFeaturesV2
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		v, ok := featureNames[name]
		if !ok {
			return 0, fmt.Errorf("unknown feature %q (want v1, v2, all, supported or proposal names such as %s)", name,
				"threads,tail-call,extended-const,exception-handling,typed-function-references")
		}
		if name == "v1" {
			base = api.CoreFeaturesV1
		}
		f |= v
	}
	return f | base, nil
}

// SuiteFeatures returns the features a spec test folder of that name needs,
// as wazero's own spec tests enable them: Wasm 1.0 for "v1", Wasm 2.0 plus
// the proposal for a proposal's folder ("exception-handling" also with
// tail calls and typed function references, "typed-function-references"
// with tail calls), and Wasm 2.0 for any other name.
func SuiteFeatures(folder string) api.CoreFeatures {
	switch folder {
	case "v1":
		return api.CoreFeaturesV1
	case "exception-handling":
		return api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling |
			experimental.CoreFeaturesTailCall | experimental.CoreFeaturesTypedFunctionReferences
	case "typed-function-references":
		return api.CoreFeaturesV2 | experimental.CoreFeaturesTypedFunctionReferences | experimental.CoreFeaturesTailCall
	}
	if f, ok := featureNames[folder]; ok && f&^api.CoreFeaturesV2 != 0 && f&(f-1) == 0 {
		return api.CoreFeaturesV2 | f
	}
	return api.CoreFeaturesV2
}
