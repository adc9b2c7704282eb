package crypto

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// Sizes of the encodings this package accepts and produces.
const (
	PrivKeySize   = 32 // big-endian scalar
	PubKeySize    = 33 // SEC1 compressed point
	SignatureSize = 64 // R‖S, 32 bytes each, big-endian
)

// Key errors. Functions wrap them with detail; test with errors.Is.
var (
	ErrInvalidPrivKey = errors.New("invalid secp256k1 private key")
	ErrInvalidPubKey  = errors.New("invalid secp256k1 public key")
)

// Signature errors returned by VerifySignatureErr, in the order it checks them.
var (
	// ErrSigLength: the signature is not exactly SignatureSize bytes.
	ErrSigLength = errors.New("signature must be 64 bytes")
	// ErrSigRange: r or s is zero or not below the group order N.
	ErrSigRange = errors.New("signature r or s out of range [1, N-1]")
	// ErrSigHighS: s > N/2. Only the low-S form of a signature is accepted.
	ErrSigHighS = errors.New("signature s is not low-S (s > N/2)")
	// ErrSigInvalid: well formed, but not a signature of this message by this key.
	ErrSigInvalid = errors.New("signature verification failed")
)

// PrivKey is a secp256k1 private key. The zero value is not usable; obtain
// one from GenPrivKey, PrivKeyFromBytes or DerivePrivKeyFromMnemonic.
type PrivKey struct {
	key *btcec.PrivateKey
}

// PubKey is a secp256k1 public key that was accepted in compressed form.
// The zero value is not usable; obtain one from PubKeyFromBytes or
// (*PrivKey).PubKey. A PubKey is immutable and safe for concurrent use.
type PubKey struct {
	key        *btcec.PublicKey
	compressed [PubKeySize]byte
}

// GenPrivKey returns a new private key drawn from crypto/rand.
func GenPrivKey() (*PrivKey, error) {
	return genPrivKey(rand.Reader)
}

func genPrivKey(r io.Reader) (*PrivKey, error) {
	var b [PrivKeySize]byte
	defer clear(b[:])
	// Rejection sampling: a uniformly random 32-byte string is >= N or zero
	// with probability < 2^-127, so this loop almost never repeats.
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("generate private key: %w", err)
		}
		if k, err := PrivKeyFromBytes(b[:]); err == nil {
			return k, nil
		}
	}
}

// PrivKeyFromBytes parses a 32-byte big-endian scalar. It fails with
// ErrInvalidPrivKey if b is not 32 bytes, is zero, or is >= N; it never
// reduces modulo N. b is copied.
func PrivKeyFromBytes(b []byte) (*PrivKey, error) {
	if len(b) != PrivKeySize {
		return nil, fmt.Errorf("%w: got %d bytes, want %d", ErrInvalidPrivKey, len(b), PrivKeySize)
	}
	var s btcec.ModNScalar
	if overflow := s.SetByteSlice(b); overflow {
		return nil, fmt.Errorf("%w: scalar >= curve order N", ErrInvalidPrivKey)
	}
	if s.IsZero() {
		return nil, fmt.Errorf("%w: scalar is zero", ErrInvalidPrivKey)
	}
	return &PrivKey{key: btcec.PrivKeyFromScalar(&s)}, nil
}

// Bytes returns a copy of the 32-byte big-endian scalar. Treat it as secret.
func (k *PrivKey) Bytes() []byte {
	return k.key.Serialize()
}

// PubKey returns the public key of k.
func (k *PrivKey) PubKey() *PubKey {
	return newPubKey(k.key.PubKey())
}

// Address returns the account address of k's public key.
func (k *PrivKey) Address() Address {
	return k.PubKey().Address()
}

// Sign signs SHA-256(msg) with an RFC 6979 deterministic nonce and returns
// the 64-byte R‖S signature, always in low-S form. The same key and message
// always give the same signature. An error means an internal invariant broke
// (btcec produced a high-S signature) and no signature is returned.
func (k *PrivKey) Sign(msg []byte) ([]byte, error) {
	hash := sha256.Sum256(msg)
	sig := ecdsa.Sign(k.key, hash[:]) // RFC 6979; btcec normalises s to low-S
	r, s := sig.R(), sig.S()
	if s.IsOverHalfOrder() {
		return nil, errors.New("sign: btcec returned a high-S signature")
	}
	out := make([]byte, SignatureSize)
	r.PutBytesUnchecked(out[:32])
	s.PutBytesUnchecked(out[32:])
	return out, nil
}

func newPubKey(key *btcec.PublicKey) *PubKey {
	pk := &PubKey{key: key}
	copy(pk.compressed[:], key.SerializeCompressed())
	return pk
}

// PubKeyFromBytes parses a 33-byte compressed public key (prefix 0x02 or
// 0x03, x below the field prime, point on the curve). Any other encoding,
// including the 65-byte uncompressed form, fails with ErrInvalidPubKey.
func PubKeyFromBytes(b []byte) (*PubKey, error) {
	if len(b) != PubKeySize {
		if len(b) == 65 {
			return nil, fmt.Errorf("%w: uncompressed 65-byte keys are not accepted, use the 33-byte compressed form", ErrInvalidPubKey)
		}
		return nil, fmt.Errorf("%w: got %d bytes, want %d (compressed)", ErrInvalidPubKey, len(b), PubKeySize)
	}
	if b[0] != 0x02 && b[0] != 0x03 {
		return nil, fmt.Errorf("%w: prefix 0x%02x, want 0x02 or 0x03", ErrInvalidPubKey, b[0])
	}
	key, err := btcec.ParsePubKey(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPubKey, err)
	}
	pk := newPubKey(key)
	if !bytes.Equal(pk.compressed[:], b) { // cannot happen: x < P is checked by ParsePubKey
		return nil, fmt.Errorf("%w: non-canonical encoding", ErrInvalidPubKey)
	}
	return pk, nil
}

// Bytes returns a copy of the 33-byte compressed encoding (nil for a nil key).
func (pk *PubKey) Bytes() []byte {
	if pk == nil {
		return nil
	}
	return bytes.Clone(pk.compressed[:])
}

// Equals reports whether both keys are the same point. Two nil keys are equal.
func (pk *PubKey) Equals(other *PubKey) bool {
	if pk == nil || other == nil {
		return pk == other
	}
	return pk.compressed == other.compressed
}

// String returns the compressed key in lower-case hex.
func (pk *PubKey) String() string {
	if pk == nil {
		return ""
	}
	return hex.EncodeToString(pk.compressed[:])
}

// VerifySignature reports whether sig is a valid, canonical (64-byte, low-S,
// r and s in range) signature of SHA-256(msg) by pk. It never panics; a nil
// key verifies nothing.
func (pk *PubKey) VerifySignature(msg, sig []byte) bool {
	return pk.VerifySignatureErr(msg, sig) == nil
}

// VerifySignatureErr is VerifySignature that says why a signature was
// refused: ErrSigLength, ErrSigRange, ErrSigHighS or ErrSigInvalid (checked
// in that order, possibly wrapped), or ErrInvalidPubKey for a nil key.
func (pk *PubKey) VerifySignatureErr(msg, sig []byte) error {
	if pk == nil || pk.key == nil {
		return fmt.Errorf("%w: nil key", ErrInvalidPubKey)
	}
	if len(sig) != SignatureSize {
		return fmt.Errorf("%w: got %d", ErrSigLength, len(sig))
	}
	var r, s btcec.ModNScalar
	if overflow := r.SetByteSlice(sig[:32]); overflow || r.IsZero() {
		return fmt.Errorf("%w: r", ErrSigRange)
	}
	if overflow := s.SetByteSlice(sig[32:]); overflow || s.IsZero() {
		return fmt.Errorf("%w: s", ErrSigRange)
	}
	// btcec's Verify accepts (r, N-s) as well as (r, s); insist on low-S so
	// each message has one valid signature per nonce.
	if s.IsOverHalfOrder() {
		return ErrSigHighS
	}
	hash := sha256.Sum256(msg)
	if !ecdsa.NewSignature(&r, &s).Verify(hash[:], pk.key) {
		return ErrSigInvalid
	}
	return nil
}
