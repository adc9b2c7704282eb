package store

import "bytes"

// KVStore is a byte-key, byte-value store with ordered iteration. It is the surface keepers
// see: the working tree of a CommitStore, a Branch of it, or a read-only committed version.
//
// Keys must be non-empty and values non-nil (ErrEmptyKey, ErrNilValue). Implementations copy
// keys and values given to Set, so callers may reuse their buffers; slices returned by Get and
// by iterators are fresh copies owned by the caller. Get returns (nil, nil) for a missing key.
//
// A KVStore is not safe for concurrent use unless its implementation says otherwise.
type KVStore interface {
	Get(key []byte) ([]byte, error)
	Has(key []byte) (bool, error)
	Set(key, value []byte) error
	Delete(key []byte) error
	// Iterator visits keys in [start, end) in ascending order. A nil (or empty) start means
	// from the first key, a nil (or empty) end means through the last key. start >= end
	// yields an empty iterator. The caller must Close it.
	Iterator(start, end []byte) (Iterator, error)
	// ReverseIterator visits the same domain as Iterator in descending order.
	ReverseIterator(start, end []byte) (Iterator, error)
}

// Iterator walks a key range. Key and Value may only be called while Valid is true; Next
// moves on. Once Valid is false it stays false; Error then tells whether the walk ended early
// because of a failure. Close releases resources and must always be called.
type Iterator interface {
	Valid() bool
	Next()
	Key() []byte
	Value() []byte
	Error() error
	Close() error
}

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
