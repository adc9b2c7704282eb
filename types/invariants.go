package types

import (
	"fmt"
	"strings"
)

// InvariantResult is one module invariant evaluated on a state.
type InvariantResult struct {
	Module string
	Name   string
	Holds  bool
	Detail string // the figures compared, or what broke
}

// Invariant builds a result; format and args describe the figures.
func Invariant(module, name string, holds bool, format string, args ...any) InvariantResult {
	return InvariantResult{Module: module, Name: name, Holds: holds, Detail: fmt.Sprintf(format, args...)}
}

// Broken returns an error naming every result that does not hold, or nil.
func Broken(res []InvariantResult) error {
	var bad []string
	for _, r := range res {
		if !r.Holds {
			bad = append(bad, fmt.Sprintf("%s: %s (%s)", r.Module, r.Name, r.Detail))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("invariant broken: %s", strings.Join(bad, "; "))
}
