package trapfmt

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

type trap struct{ msg string }

func (t *trap) Error() string { return t.msg }

func TestMessageAndUnwrap(t *testing.T) {
	kind, cause := &trap{"unreachable"}, errors.New("boom")
	for _, tc := range []struct {
		kind   *trap
		cause  error
		msg    string
		unwrap []error
	}{
		{kind, cause, "unreachable: boom", []error{kind, cause}},
		{kind, nil, "unreachable", []error{kind}},
		{nil, cause, "boom", []error{cause}},
		{nil, nil, "", nil},
	} {
		if got := Message(tc.kind, tc.cause); got != tc.msg {
			t.Errorf("Message(%v, %v) = %q, want %q", tc.kind, tc.cause, got, tc.msg)
		}
		// A nil *trap must not come back as a non-nil error.
		if diff := cmp.Diff(tc.unwrap, Unwrap(tc.kind, tc.cause), cmpopts.EquateErrors()); diff != "" {
			t.Errorf("Unwrap(%v, %v): %s", tc.kind, tc.cause, diff)
		}
	}
}

func TestFrame(t *testing.T) {
	for _, tc := range []struct {
		module, name string
		funcidx      uint32
		offset       int
		want         string
	}{
		{"m", "f", 3, 0x1234, "m.f (@0x1234)"},
		{"m", "", 3, -1, "m.$3"},
		{"", "f", 3, 0, "f (@0x0)"},
	} {
		if got := Frame(tc.module, tc.funcidx, tc.name, tc.offset); got != tc.want {
			t.Errorf("Frame(%q, %d, %q, %d) = %q, want %q", tc.module, tc.funcidx, tc.name, tc.offset, got, tc.want)
		}
	}
}
