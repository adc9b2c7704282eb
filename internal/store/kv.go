package store

import (
	"bytes"

	petro "github.com/petro-network/petro/types"
)

// KVStore and Iterator are defined in the light types package (so that module types and
// clients need no storage engine); these aliases keep the store's own code readable.
type (
	KVStore  = petro.KVStore
	Iterator = petro.Iterator
)

func checkKey(key []byte) error {
	if len(key) == 0 {
		return ErrEmptyKey
	}
	return nil
}

func checkKeyValue(key, value []byte) error {
	if len(key) == 0 {
		return ErrEmptyKey
	}
	if value == nil {
		return ErrNilValue
	}
	return nil
}

// normalizeDomain maps empty bounds to nil (unbounded) and reports whether the domain is
// empty (start >= end).
func normalizeDomain(start, end []byte) (s, e []byte, empty bool) {
	if len(start) == 0 {
		start = nil
	}
	if len(end) == 0 {
		end = nil
	}
	return start, end, start != nil && end != nil && bytes.Compare(start, end) >= 0
}

// cloneBytes copies b; nil stays nil and an empty slice stays empty but non-nil.
func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// emptyIterator is an exhausted iterator.
type emptyIterator struct{}

func (emptyIterator) Valid() bool   { return false }
func (emptyIterator) Next()         {}
func (emptyIterator) Key() []byte   { return nil }
func (emptyIterator) Value() []byte { return nil }
func (emptyIterator) Error() error  { return nil }
func (emptyIterator) Close() error  { return nil }

// rawIterator is the method set shared by cosmos-db, cometbft-db and iavl iterators.
type rawIterator interface {
	Valid() bool
	Next()
	Key() []byte
	Value() []byte
	Error() error
	Close() error
}

// copyingIterator adapts a backend iterator, copying keys and values out so that callers own
// what they receive (iavl returns slices that point into its nodes).
type copyingIterator struct{ it rawIterator }

func (c copyingIterator) Valid() bool   { return c.it.Valid() }
func (c copyingIterator) Next()         { c.it.Next() }
func (c copyingIterator) Key() []byte   { return cloneBytes(c.it.Key()) }
func (c copyingIterator) Value() []byte { return cloneBytes(c.it.Value()) }
func (c copyingIterator) Error() error  { return c.it.Error() }
func (c copyingIterator) Close() error  { return c.it.Close() }
