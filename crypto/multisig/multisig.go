package multisig

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/crypto/ripemd160" //lint:ignore SA1019 RIPEMD-160 is fixed by the address format, not chosen for new security.

	"github.com/petro-network/petro/crypto"
)

// MaxMembers is the largest n a threshold key may have. Changing it is a
// consensus change.
const MaxMembers = 16

// AddressDomain prefixes the address preimage of every threshold key.
const AddressDomain = "petro/threshold-secp256k1"

// Key errors returned (wrapped) by New and Parse, in the order Parse checks.
var (
	// ErrMemberCount: n is 0 or above MaxMembers.
	ErrMemberCount = errors.New("threshold key must have 1 to 16 members")
	// ErrThreshold: k is 0 or above n.
	ErrThreshold = errors.New("threshold must be between 1 and the number of members")
	// ErrDuplicateMember: the same member key is listed twice.
	ErrDuplicateMember = errors.New("threshold key lists a member key twice")
	// ErrMembersUnsorted: the member keys are not in ascending byte order.
	ErrMembersUnsorted = errors.New("threshold key members are not in ascending order")
)

// Signature-set errors returned (wrapped) by Verify, in the order it checks.
var (
	// ErrMemberIndex: a signature names a member index >= n.
	ErrMemberIndex = errors.New("member index out of range")
	// ErrRepeatedMember: two signatures name the same member.
	ErrRepeatedMember = errors.New("member signed twice")
	// ErrMemberOrder: the signatures are not in ascending member order.
	ErrMemberOrder = errors.New("member signatures out of order")
	// ErrTooFewSignatures: fewer than k signatures.
	ErrTooFewSignatures = errors.New("fewer member signatures than the threshold")
	// ErrTooManySignatures: more than k signatures.
	ErrTooManySignatures = errors.New("more member signatures than the threshold")
)

// PubKey is a k-of-n threshold key in canonical form. It is immutable and
// safe for concurrent use; obtain one from New or Parse.
type PubKey struct {
	threshold int
	members   []*crypto.PubKey // ascending by compressed bytes
	addr      crypto.Address
}

// Signature is one member's signature: Member indexes the key's members
// (in their sorted order).
type Signature struct {
	Member uint32
	Sig    []byte
}

// New returns the threshold key of k of members, in any order.
func New(k int, members []*crypto.PubKey) (*PubKey, error) {
	sorted := slices.Clone(members)
	for _, m := range sorted {
		if m == nil {
			return nil, fmt.Errorf("%w: nil member key", crypto.ErrInvalidPubKey)
		}
	}
	slices.SortFunc(sorted, func(a, b *crypto.PubKey) int { return bytes.Compare(a.Bytes(), b.Bytes()) })
	raw := make([][]byte, len(sorted))
	for i, m := range sorted {
		raw[i] = m.Bytes()
	}
	if n := len(raw); n >= 1 && n <= MaxMembers && (k < 1 || k > n) {
		return nil, fmt.Errorf("%w: %d of %d", ErrThreshold, k, n)
	}
	if err := checkShape(uint32(min(max(k, 0), MaxMembers+1)), raw); err != nil {
		return nil, err
	}
	return newPubKey(k, sorted), nil
}

// Parse checks a threshold key as it travels in a tx or an account: k and
// the member keys in canonical (ascending) order. parse turns one member's
// bytes into a key (crypto.PubKeyFromBytes, or a memoised equivalent).
func Parse(k uint32, members [][]byte, parse func([]byte) (*crypto.PubKey, error)) (*PubKey, error) {
	if parse == nil {
		parse = crypto.PubKeyFromBytes
	}
	if err := checkShape(k, members); err != nil {
		return nil, err
	}
	keys := make([]*crypto.PubKey, len(members))
	for i, b := range members {
		pk, err := parse(b)
		if err != nil {
			return nil, fmt.Errorf("member %d: %w", i, err)
		}
		keys[i] = pk
	}
	return newPubKey(int(k), keys), nil
}

// checkShape checks n, k and the order of the member encodings.
func checkShape(k uint32, members [][]byte) error {
	n := len(members)
	if n < 1 || n > MaxMembers {
		return fmt.Errorf("%w: got %d", ErrMemberCount, n)
	}
	if k < 1 || k > uint32(n) {
		return fmt.Errorf("%w: %d of %d", ErrThreshold, k, n)
	}
	for i := 1; i < n; i++ {
		switch c := bytes.Compare(members[i-1], members[i]); {
		case c == 0:
			return fmt.Errorf("%w: members %d and %d", ErrDuplicateMember, i-1, i)
		case c > 0:
			return fmt.Errorf("%w: member %d sorts before member %d", ErrMembersUnsorted, i, i-1)
		}
	}
	return nil
}

func newPubKey(k int, members []*crypto.PubKey) *PubKey {
	h := sha256.New()
	h.Write([]byte(AddressDomain))
	h.Write([]byte{byte(k), byte(len(members))})
	for _, m := range members {
		h.Write(m.Bytes())
	}
	r := ripemd160.New()
	r.Write(h.Sum(nil))
	return &PubKey{threshold: k, members: members, addr: crypto.Address(r.Sum(nil))}
}

// Threshold is k.
func (pk *PubKey) Threshold() int { return pk.threshold }

// Members returns the n member keys in canonical (ascending) order; the
// index of a key here is its member index.
func (pk *PubKey) Members() []*crypto.PubKey { return slices.Clone(pk.members) }

// MemberBytes returns the members' 33-byte encodings in canonical order.
func (pk *PubKey) MemberBytes() [][]byte {
	out := make([][]byte, len(pk.members))
	for i, m := range pk.members {
		out[i] = m.Bytes()
	}
	return out
}

// Index returns member's index, or -1 if it is not a member.
func (pk *PubKey) Index(member *crypto.PubKey) int {
	for i, m := range pk.members {
		if m.Equals(member) {
			return i
		}
	}
	return -1
}

// Address is the account address of the key (see the package doc).
func (pk *PubKey) Address() crypto.Address { return slices.Clone(pk.addr) }

// Equals reports whether both are the same threshold key.
func (pk *PubKey) Equals(other *PubKey) bool {
	return pk != nil && other != nil && pk.addr.Equals(other.addr)
}

// CheckSignatures checks the shape of sigs against pk without verifying any
// signature: indices < n, strictly ascending, exactly k of them. It returns
// ErrMemberIndex, ErrRepeatedMember, ErrMemberOrder, ErrTooFewSignatures or
// ErrTooManySignatures (wrapped), in that order of checks.
func (pk *PubKey) CheckSignatures(sigs []Signature) error {
	for i, s := range sigs {
		if s.Member >= uint32(len(pk.members)) {
			return fmt.Errorf("%w: signature %d names member %d of %d", ErrMemberIndex, i, s.Member, len(pk.members))
		}
		if i == 0 {
			continue
		}
		switch prev := sigs[i-1].Member; {
		case s.Member == prev:
			return fmt.Errorf("%w: member %d (signatures %d and %d)", ErrRepeatedMember, s.Member, i-1, i)
		case s.Member < prev:
			return fmt.Errorf("%w: member %d after member %d", ErrMemberOrder, s.Member, prev)
		}
	}
	if len(sigs) < pk.threshold {
		return fmt.Errorf("%w: %d of %d", ErrTooFewSignatures, len(sigs), pk.threshold)
	}
	if len(sigs) > pk.threshold {
		return fmt.Errorf("%w: %d, threshold %d", ErrTooManySignatures, len(sigs), pk.threshold)
	}
	return nil
}

// Verify checks that sigs are a valid signature set of msg by pk:
// CheckSignatures, then each signature with its member's
// VerifySignatureErr, in order. The first failure is returned wrapped as
// "member i: <crypto error>" (ErrSigLength, ErrSigRange, ErrSigHighS,
// ErrSigInvalid). It never panics.
func (pk *PubKey) Verify(msg []byte, sigs []Signature) error {
	if err := pk.CheckSignatures(sigs); err != nil {
		return err
	}
	for _, s := range sigs {
		if err := pk.members[s.Member].VerifySignatureErr(msg, s.Sig); err != nil {
			return fmt.Errorf("member %d: %w", s.Member, err)
		}
	}
	return nil
}
