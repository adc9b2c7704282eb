package types

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Error is a registered, stable result code. (Codespace, Code) pairs are
// part of every block's results hash: once released they never change.
type Error struct {
	Codespace string
	Code      uint32
	Desc      string
}

func (e *Error) Error() string { return e.Desc }

// Wrapf returns an error that reports e's code with more context.
func (e *Error) Wrapf(format string, args ...any) error {
	return &wrapped{msg: fmt.Sprintf(format, args...), err: e}
}

// Wrap returns an error that reports e's code with more context.
func (e *Error) Wrap(msg string) error { return &wrapped{msg: msg, err: e} }

type wrapped struct {
	msg string
	err *Error
}

func (w *wrapped) Error() string { return w.err.Desc + ": " + w.msg }
func (w *wrapped) Unwrap() error { return w.err }

var (
	registryMu sync.Mutex
	registry   = map[string]*Error{}
)

// Register declares a code at package init. It panics on a duplicate
// (codespace, code) pair or on code 0 (success) — a programming error
// caught by any test that imports the package.
func Register(codespace string, code uint32, desc string) *Error {
	if code == 0 {
		panic("types: error code 0 is reserved for success")
	}
	key := fmt.Sprintf("%s/%d", codespace, code)
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[key]; dup {
		panic("types: duplicate error code " + key)
	}
	e := &Error{Codespace: codespace, Code: code, Desc: desc}
	registry[key] = e
	return e
}

// RegisteredErrors lists every registered code, sorted by codespace then
// code: the frozen code table.
func RegisteredErrors() []*Error {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := make([]*Error, 0, len(registry))
	for _, e := range registry {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Codespace != out[j].Codespace {
			return out[i].Codespace < out[j].Codespace
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// Generic codes, codespace "petro".
var (
	// ErrInternal is reported for any error that carries no registered code;
	// its detail is never shown to clients.
	ErrInternal = Register(CodespaceRoot, 1, "internal error")
)

// CodespaceRoot is the codespace of errors not owned by a module.
const CodespaceRoot = "petro"

// ABCIInfo maps err to what a client sees: its registered code and a
// readable log. Unregistered errors become ErrInternal without detail, so
// internals never leak. A nil err is success (0).
func ABCIInfo(err error) (codespace string, code uint32, log string) {
	if err == nil {
		return "", 0, ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Codespace, e.Code, err.Error()
	}
	return ErrInternal.Codespace, ErrInternal.Code, ErrInternal.Desc
}
