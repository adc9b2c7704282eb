package store

import "errors"

// Sentinel errors. Callers test them with errors.Is; the store wraps them with context.
var (
	// ErrVersionNotFound is returned by ReadAt for a version that was never committed or has
	// been pruned.
	ErrVersionNotFound = errors.New("store: version not found")

	// ErrReadOnly is returned by Set and Delete on a KVStore made by NewReadOnlyKV.
	ErrReadOnly = errors.New("store: read-only store")

	// ErrEmptyKey is returned when a key is nil or empty.
	ErrEmptyKey = errors.New("store: key is empty")

	// ErrNilValue is returned by Set when the value is nil (use Delete to remove a key).
	ErrNilValue = errors.New("store: value is nil")

	// ErrInvalidProof is returned by VerifyProof when a proof does not prove the claim.
	ErrInvalidProof = errors.New("store: invalid proof")

	// ErrEmptyTree is returned by Prove on a version whose tree holds no keys: ICS23 can
	// express absence only relative to neighbouring keys, and an empty tree has none. Its
	// root hash is EmptyRootHash, which is itself the evidence that nothing is stored.
	ErrEmptyTree = errors.New("store: cannot prove against an empty tree")

	// ErrClosed is returned by operations on a closed CommitStore.
	ErrClosed = errors.New("store: closed")
)
