package store

import (
	"fmt"

	"github.com/cosmos/iavl"
	ics23 "github.com/cosmos/ics23/go"
)

// ReadStore is an immutable view of one committed version. It is safe for concurrent use and
// stays valid while the store keeps committing; only pruning its version can make later calls
// fail. Returned slices are copies owned by the caller.
type ReadStore interface {
	// Version is the committed version (block height) this view shows.
	Version() int64
	// Hash is the root hash of this version: the app hash committed at Version.
	Hash() []byte
	Get(key []byte) ([]byte, error)
	Has(key []byte) (bool, error)
	// Iterator and ReverseIterator follow KVStore's domain rules.
	Iterator(start, end []byte) (Iterator, error)
	ReverseIterator(start, end []byte) (Iterator, error)
	// Prove returns the value of key (nil if absent) and an ICS23 proof against Hash(): an
	// existence proof when the key is present, a non-existence proof (its neighbours) when
	// not. It fails with ErrEmptyTree on a version holding no keys.
	Prove(key []byte) (value []byte, proof *ics23.CommitmentProof, err error)
}

// VerifyProof checks an ICS23 proof produced by ReadStore.Prove against root (an app hash):
// with a non-nil value, that key holds exactly value; with a nil value, that key is absent.
// It returns nil when the proof holds and an error wrapping ErrInvalidProof otherwise. It needs
// nothing but its arguments, so clients and auditors can run it without a node.
func VerifyProof(root []byte, key, value []byte, proof *ics23.CommitmentProof) error {
	if proof == nil {
		return fmt.Errorf("%w: no proof", ErrInvalidProof)
	}
	if len(key) == 0 {
		return fmt.Errorf("%w: %w", ErrInvalidProof, ErrEmptyKey)
	}
	if value == nil {
		if !ics23.VerifyNonMembership(ics23.IavlSpec, root, proof, key) {
			return fmt.Errorf("%w: absence of key %X under root %X", ErrInvalidProof, key, root)
		}
		return nil
	}
	if !ics23.VerifyMembership(ics23.IavlSpec, root, proof, key, value) {
		return fmt.Errorf("%w: key %X = value %X under root %X", ErrInvalidProof, key, value, root)
	}
	return nil
}

// treeView is a ReadStore over an iavl ImmutableTree. ImmutableTree is safe for concurrent
// reads: it only loads nodes through the nodeDB (mutex-guarded cache) and never mutates them.
type treeView struct{ tree *iavl.ImmutableTree }

var _ ReadStore = treeView{}

func (v treeView) Version() int64 { return v.tree.Version() }
func (v treeView) Hash() []byte   { return cloneBytes(v.tree.Hash()) }

func (v treeView) Get(key []byte) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	val, err := v.tree.Get(key)
	return cloneBytes(val), err
}

func (v treeView) Has(key []byte) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	return v.tree.Has(key)
}

func (v treeView) Iterator(start, end []byte) (Iterator, error) { return v.iterator(start, end, true) }

func (v treeView) ReverseIterator(start, end []byte) (Iterator, error) {
	return v.iterator(start, end, false)
}

func (v treeView) iterator(start, end []byte, ascending bool) (Iterator, error) {
	start, end, empty := normalizeDomain(start, end)
	if empty {
		return emptyIterator{}, nil
	}
	it, err := v.tree.Iterator(start, end, ascending)
	if err != nil {
		return nil, err
	}
	return copyingIterator{it: it}, nil
}

func (v treeView) Prove(key []byte) (value []byte, proof *ics23.CommitmentProof, err error) {
	if err := checkKey(key); err != nil {
		return nil, nil, err
	}
	if v.tree.Size() == 0 {
		return nil, nil, ErrEmptyTree
	}
	// iavl's createExistenceProof dereferences the leaf it looked for even when the lookup
	// failed (e.g. a node deleted by pruning under our feet); turn that into an error rather
	// than let a query take the node down.
	defer func() {
		if r := recover(); r != nil {
			value, proof, err = nil, nil, fmt.Errorf("store: prove key %X at version %d: %v", key, v.tree.Version(), r)
		}
	}()
	val, err := v.tree.Get(key)
	if err != nil {
		return nil, nil, err
	}
	if val == nil {
		// A stored empty value may come back nil from iavl; Has tells it from absence.
		has, err := v.tree.Has(key)
		if err != nil {
			return nil, nil, err
		}
		if has {
			val = []byte{}
		}
	}
	if val != nil {
		proof, err = v.tree.GetMembershipProof(key)
	} else {
		proof, err = v.tree.GetNonMembershipProof(key)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: prove key %X at version %d: %w", key, v.tree.Version(), err)
	}
	return cloneBytes(val), proof, nil
}

// emptyView is version 0: the empty state before the first commit.
type emptyView struct{}

var _ ReadStore = emptyView{}

func (emptyView) Version() int64 { return 0 }
func (emptyView) Hash() []byte   { return cloneBytes(EmptyRootHash) }

func (emptyView) Get(key []byte) ([]byte, error) { return nil, checkKey(key) }
func (emptyView) Has(key []byte) (bool, error)   { return false, checkKey(key) }

func (emptyView) Iterator(_, _ []byte) (Iterator, error)        { return emptyIterator{}, nil }
func (emptyView) ReverseIterator(_, _ []byte) (Iterator, error) { return emptyIterator{}, nil }

func (emptyView) Prove(key []byte) ([]byte, *ics23.CommitmentProof, error) {
	if err := checkKey(key); err != nil {
		return nil, nil, err
	}
	return nil, nil, ErrEmptyTree
}

// NewReadOnlyKV adapts a committed version to KVStore; Set and Delete fail with ErrReadOnly.
// It is the base of the CheckTx state: NewBranch(NewReadOnlyKV(committed)).
func NewReadOnlyKV(r ReadStore) KVStore { return readOnlyKV{r: r} }

type readOnlyKV struct{ r ReadStore }

var _ KVStore = readOnlyKV{}

func (k readOnlyKV) Get(key []byte) ([]byte, error) { return k.r.Get(key) }
func (k readOnlyKV) Has(key []byte) (bool, error)   { return k.r.Has(key) }
func (k readOnlyKV) Set(_, _ []byte) error          { return ErrReadOnly }
func (k readOnlyKV) Delete(_ []byte) error          { return ErrReadOnly }

func (k readOnlyKV) Iterator(start, end []byte) (Iterator, error) {
	return k.r.Iterator(start, end)
}

func (k readOnlyKV) ReverseIterator(start, end []byte) (Iterator, error) {
	return k.r.ReverseIterator(start, end)
}
