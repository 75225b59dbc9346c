package instance

import (
	"fmt"
	"strings"

	"github.com/wpi-dev/wpi/decoder"
)

// Limits are memory limits in 64 KiB pages or table limits in elements.
type Limits = decoder.Limits

func valTypesString(ts []decoder.ValType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = decoder.ValTypeName(t)
	}
	return strings.Join(s, ", ")
}

func funcTypeString(t *decoder.FuncType) string {
	return fmt.Sprintf("func(%s) -> (%s)", valTypesString(t.Params), valTypesString(t.Results))
}

func limitsString(l decoder.Limits) string {
	if l.HasMax {
		return fmt.Sprintf("%d, %d", l.Min, l.Max)
	}
	return fmt.Sprintf("%d", l.Min)
}

func tableTypeString(t decoder.TableType) string {
	return fmt.Sprintf("table{%s, %s}", limitsString(t.Limits), decoder.ValTypeName(t.Elem))
}

func memoryTypeString(t decoder.MemoryType) string {
	if t.Shared {
		return fmt.Sprintf("memory{%s, shared}", limitsString(t.Limits))
	}
	return fmt.Sprintf("memory{%s}", limitsString(t.Limits))
}

func globalTypeString(t decoder.GlobalType) string {
	if t.Mutable {
		return fmt.Sprintf("global(mut %s)", decoder.ValTypeName(t.Type))
	}
	return fmt.Sprintf("global(%s)", decoder.ValTypeName(t.Type))
}

// cells returns how many 64-bit cells values of types ts take (v128 two).
func cells(ts []decoder.ValType) int {
	n := len(ts)
	for _, t := range ts {
		if t == decoder.V128 {
			n++
		}
	}
	return n
}

// limitsMatch reports whether actual limits are a subtype of the imported
// ones (spec §4.5.4 "Limits"): at least as large a minimum, and if the
// import has a maximum, a maximum no larger.
func limitsMatch(actual, imported decoder.Limits) bool {
	if actual.Min < imported.Min {
		return false
	}
	if imported.HasMax {
		return actual.HasMax && actual.Max <= imported.Max
	}
	return true
}
