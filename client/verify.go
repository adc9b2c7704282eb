package client

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	ics23 "github.com/cosmos/ics23/go"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/types/proof"
)

// ErrInvalidProof is wrapped by every proof verification failure.
var ErrInvalidProof = errors.New("invalid proof")

// VerificationError is a figure that could not be verified: what it is, the
// height it was read at and why. Its message is one line, e.g.
// "height 41: supply 100 PTR (100000000000 base units): proven value is …".
type VerificationError struct {
	Height int64
	What   string // the figure and the value the node claimed
	Err    error
}

func (e *VerificationError) Error() string {
	return fmt.Sprintf("verification failed at height %d: %s: %v", e.Height, e.What, e.Err)
}

func (e *VerificationError) Unwrap() error { return e.Err }

// VerifyProof checks p against appHash, the app hash committed at
// p.Height (the app_hash field of the header at p.Height+1). p must carry
// exactly one ICS23 proof for the IAVL tree:
//
//   - an existence proof must be for p.Key holding exactly p.Value;
//   - a non-existence proof must be for p.Key and p.Value must be empty
//     (an absence proof presented for a present value is refused).
//
// It checks the proof's internal structure against ics23.IavlSpec (leaf
// and inner-node encodings, child sizes) and that it hashes to appHash. It
// does not check that p.Key is the key the caller asked about, nor that the
// value matches a decoded response: the typed checks of the Auditor do.
func VerifyProof(appHash []byte, p *proof.Proof) error {
	if p == nil {
		return fmt.Errorf("%w: the response carries no proof", ErrInvalidProof)
	}
	if len(p.Key) == 0 {
		return fmt.Errorf("%w: empty key", ErrInvalidProof)
	}
	if len(appHash) == 0 {
		return fmt.Errorf("%w: empty app hash", ErrInvalidProof)
	}
	if n := len(p.Ics23Proofs); n != 1 {
		return fmt.Errorf("%w: want exactly one IAVL proof, got %d", ErrInvalidProof, n)
	}
	cp := &ics23.CommitmentProof{}
	if err := cp.Unmarshal(p.Ics23Proofs[0]); err != nil {
		return fmt.Errorf("%w: decode ICS23 proof: %v", ErrInvalidProof, err)
	}
	if err := checkIavlShape(cp); err != nil {
		return fmt.Errorf("%w: key %q: %v", ErrInvalidProof, p.Key, err)
	}
	switch {
	case cp.GetExist() != nil:
		ex := cp.GetExist()
		if !bytes.Equal(ex.Key, p.Key) {
			return fmt.Errorf("%w: existence proof is for key %q, not %q", ErrInvalidProof, ex.Key, p.Key)
		}
		if !bytes.Equal(ex.Value, p.Value) {
			return fmt.Errorf("%w: key %q: proven value %X differs from the claimed %X", ErrInvalidProof, p.Key, ex.Value, p.Value)
		}
		if !ics23.VerifyMembership(ics23.IavlSpec, appHash, cp, p.Key, p.Value) {
			return fmt.Errorf("%w: key %q = %X does not verify against app hash %X", ErrInvalidProof, p.Key, p.Value, appHash)
		}
	case cp.GetNonexist() != nil:
		if len(p.Value) != 0 {
			return fmt.Errorf("%w: key %q: absence proof presented for a present value %X", ErrInvalidProof, p.Key, p.Value)
		}
		if nx := cp.GetNonexist(); !bytes.Equal(nx.Key, p.Key) {
			return fmt.Errorf("%w: absence proof is for key %q, not %q", ErrInvalidProof, nx.Key, p.Key)
		}
		if !ics23.VerifyNonMembership(ics23.IavlSpec, appHash, cp, p.Key) {
			return fmt.Errorf("%w: absence of key %q does not verify against app hash %X", ErrInvalidProof, p.Key, appHash)
		}
	default:
		return fmt.Errorf("%w: key %q: unsupported ICS23 proof type %T", ErrInvalidProof, p.Key, cp.GetProof())
	}
	return nil
}

// checkIavlShape holds every existence proof in cp (the proof itself, or
// the neighbours of a non-existence proof) to the exact shape iavl gives
// its nodes, which ics23.IavlSpec checks only loosely (prefix length
// bounds): a leaf prefix is varint(0) varint(1) varint(version); an inner
// prefix is varint(height) varint(size) varint(version) followed by either
// 0x20 (the proven child is on the left; the suffix is 0x20 and the right
// hash) or 0x20, the left hash, 0x20 (the child is on the right; no
// suffix). A node with both siblings set, or neither, is refused, as iavl's
// own ProofInnerNode.Hash refuses it; heights must grow towards the root.
func checkIavlShape(cp *ics23.CommitmentProof) error {
	var proofs []*ics23.ExistenceProof
	switch {
	case cp.GetExist() != nil:
		proofs = append(proofs, cp.GetExist())
	case cp.GetNonexist() != nil:
		if l := cp.GetNonexist().Left; l != nil {
			proofs = append(proofs, l)
		}
		if r := cp.GetNonexist().Right; r != nil {
			proofs = append(proofs, r)
		}
		if len(proofs) == 0 {
			return errors.New("non-existence proof without neighbours")
		}
	default:
		return fmt.Errorf("unsupported ICS23 proof type %T", cp.GetProof())
	}
	for _, ex := range proofs {
		if ex.Leaf == nil {
			return errors.New("existence proof without a leaf")
		}
		vals, rest, err := varints(ex.Leaf.Prefix, 3)
		if err != nil || len(rest) != 0 || vals[0] != 0 || vals[1] != 1 || vals[2] < 0 {
			return fmt.Errorf("leaf prefix %X is not an iavl leaf (height 0, size 1, version)", ex.Leaf.Prefix)
		}
		prevHeight := int64(0)
		for i, op := range ex.Path {
			vals, rest, err := varints(op.Prefix, 3)
			if err != nil {
				return fmt.Errorf("inner node %d: prefix %X: %v", i, op.Prefix, err)
			}
			height, size := vals[0], vals[1]
			if height <= prevHeight || size < 2 || vals[2] < 0 {
				return fmt.Errorf("inner node %d: height %d, size %d, version %d is not a node above height %d", i, height, size, vals[2], prevHeight)
			}
			prevHeight = height
			switch {
			case len(rest) == 1 && rest[0] == 0x20: // child on the left
				if len(op.Suffix) != 33 || op.Suffix[0] != 0x20 {
					return fmt.Errorf("inner node %d: the proven child is on the left but the right sibling is %X", i, op.Suffix)
				}
			case len(rest) == 34 && rest[0] == 0x20 && rest[33] == 0x20: // child on the right
				if len(op.Suffix) != 0 {
					return fmt.Errorf("inner node %d: both sibling hashes are set (left in the prefix, right %X in the suffix)", i, op.Suffix)
				}
			default:
				return fmt.Errorf("inner node %d: prefix %X does not end in a length-prefixed child", i, op.Prefix)
			}
		}
	}
	return nil
}

// varints reads n zig-zag varints (iavl's encoding) from b.
func varints(b []byte, n int) ([]int64, []byte, error) {
	out := make([]int64, n)
	for i := range out {
		v, k := binary.Varint(b)
		if k <= 0 {
			return nil, nil, errors.New("bad varint")
		}
		out[i], b = v, b[k:]
	}
	return out, b, nil
}

// checkProof verifies p against appHash and that it is about wantKey at
// height: the common part of every typed check. It returns whether the key
// is present.
func checkProof(appHash []byte, height int64, wantKey []byte, p *proof.Proof) (present bool, err error) {
	if p == nil {
		return false, fmt.Errorf("%w: the node returned no proof (does it serve proofs?)", ErrInvalidProof)
	}
	if p.Height != height {
		return false, fmt.Errorf("%w: proof is for height %d, not %d", ErrInvalidProof, p.Height, height)
	}
	if !bytes.Equal(p.Key, wantKey) {
		return false, fmt.Errorf("%w: proof is for key %q, not %q", ErrInvalidProof, p.Key, wantKey)
	}
	if err := VerifyProof(appHash, p); err != nil {
		return false, err
	}
	cp := &ics23.CommitmentProof{}
	_ = cp.Unmarshal(p.Ics23Proofs[0]) // decoded above
	return cp.GetExist() != nil, nil
}

// VerifyUint64 checks that p proves key holds claimed as a uint64
// big-endian (balances, supply) at height under appHash; an absent key
// proves 0.
func VerifyUint64(appHash []byte, height int64, key []byte, claimed uint64, p *proof.Proof) error {
	present, err := checkProof(appHash, height, key, p)
	if err != nil {
		return err
	}
	var proven uint64
	if present {
		if len(p.Value) != 8 {
			return fmt.Errorf("%w: key %q holds %d bytes, not a uint64", ErrInvalidProof, key, len(p.Value))
		}
		proven = binary.BigEndian.Uint64(p.Value)
	}
	if proven != claimed {
		return fmt.Errorf("%w: the response claims %d but the proven stored value is %d", ErrInvalidProof, claimed, proven)
	}
	return nil
}

// VerifyMessage checks that p proves key holds claimed (a record stored as
// protobuf) at height under appHash. The stored bytes are decoded into a
// fresh message of claimed's type and compared field by field. When the
// key is absent, absent (may be nil) is what the response must equal: the
// value the module reports for a missing key (defaults for params, an
// empty Backing…); with absent nil an absence proof is refused.
func VerifyMessage(appHash []byte, height int64, key []byte, claimed, absent proto.Message, p *proof.Proof) error {
	present, err := checkProof(appHash, height, key, p)
	if err != nil {
		return err
	}
	want := absent
	if present {
		want = claimed.ProtoReflect().New().Interface()
		if err := proto.Unmarshal(p.Value, want); err != nil {
			return fmt.Errorf("%w: key %q: proven value does not decode: %v", ErrInvalidProof, key, err)
		}
	} else if absent == nil {
		return fmt.Errorf("%w: key %q is proven absent, but the response claims a record", ErrInvalidProof, key)
	}
	if !proto.Equal(want, claimed) {
		return fmt.Errorf("%w: key %q: the response differs from the proven stored record: %s", ErrInvalidProof, key, diffFields(claimed, want))
	}
	return nil
}

// diffFields names the top-level fields where claimed and proven differ:
// "capacity: claimed 180000000000, proven 90000000000".
func diffFields(claimed, proven proto.Message) string {
	c, p := claimed.ProtoReflect(), proven.ProtoReflect()
	var out []string
	fields := c.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		f := fields.Get(i)
		cv, pv := c.Get(f), p.Get(f)
		if !cv.Equal(pv) {
			out = append(out, fmt.Sprintf("%s: claimed %v, proven %v", f.Name(), cv, pv))
		}
	}
	if len(out) == 0 {
		return "unknown fields differ"
	}
	return strings.Join(out, "; ")
}
