package types

import (
	"errors"
	"fmt"

	ics23 "github.com/cosmos/ics23/go"

	"github.com/petro-network/petro/types/proof"
)

// Prover is a StateReader that also serves Merkle proofs: ProveAt returns
// the value of key at a committed height (nil if absent) and an ICS23
// proof of it — existence or non-existence — against the app hash
// committed at that height. height must be a concrete height (not 0).
type Prover interface {
	ProveAt(height int64, key []byte) (value []byte, proof *ics23.CommitmentProof, err error)
}

// ErrProofsUnsupported is returned when prove is asked of a state reader
// that does not implement Prover.
var ErrProofsUnsupported = errors.New("this node does not serve proofs")

// ProveKey builds the wire Proof of key at height (the height a query
// actually read, as returned by StateAt) from state, which must implement
// Prover. The proof's value is the raw stored bytes the query decoded.
func ProveKey(state StateReader, height int64, key []byte) (*proof.Proof, error) {
	p, ok := state.(Prover)
	if !ok {
		return nil, ErrProofsUnsupported
	}
	val, cp, err := p.ProveAt(height, key)
	if err != nil {
		return nil, fmt.Errorf("prove key %q at height %d: %w", key, height, err)
	}
	bz, err := cp.Marshal()
	if err != nil {
		return nil, fmt.Errorf("prove key %q at height %d: %w", key, height, err)
	}
	return &proof.Proof{Key: append([]byte(nil), key...), Value: val, Ics23Proofs: [][]byte{bz}, Height: height}, nil
}
