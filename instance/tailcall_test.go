package instance

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// TestTailCalls runs mutual recursions through return_call and
// return_call_indirect with a call depth limit of 50: each step reuses
// its caller's frame, so 10^8 steps (10^6 in -short mode or under the
// race detector) run in constant stack, where plain calls would trap
// with "call stack exhausted" after 50. A tail call of a host function
// returns the host's result.
func TestTailCalls(t *testing.T) {
	steps := uint64(100_000_000)
	if testing.Short() || raceEnabled {
		steps = 1_000_000
	}
	rt := newTestRuntime(t, Config{Features: api.CoreFeaturesV2 | experimental.CoreFeaturesTailCall, MaxCallDepth: 50})
	envModule(t, rt, nil)
	inst, err := rt.InstantiateWasm(ctx, readWasm(t, "tailcall"), ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	tests := []struct {
		fn   string
		arg  uint64
		want uint64
	}{
		{"even", steps, 1},
		{"even", steps + 1, 0},
		{"even_indirect", steps / 10, 1},
		{"even_indirect", steps/10 + 1, 0},
		{"add1", api.EncodeI32(41), 42},
	}
	for _, tc := range tests {
		got, err := inst.ExportedFunction(tc.fn).Call(ctx, tc.arg)
		if err != nil {
			t.Fatalf("%s(%d): %v", tc.fn, tc.arg, err)
		}
		if diff := cmp.Diff([]uint64{tc.want}, got); diff != "" {
			t.Errorf("%s(%d) (-want +got):\n%s", tc.fn, tc.arg, diff)
		}
	}
}
