package types

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
