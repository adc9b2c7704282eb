package crypto

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/bech32"
	"golang.org/x/crypto/ripemd160" //lint:ignore SA1019 RIPEMD-160 is fixed by the address format, not chosen for new security.
)

// AddressSize is the length of an account address in bytes.
const AddressSize = 20

// Bech32HRP is the human-readable part of every petro address.
const Bech32HRP = "petro"

// Address errors. AddressFromBech32 and ValidateAddressBytes wrap them with
// detail; test with errors.Is.
var (
	// ErrAddressLength: the address does not hold exactly AddressSize bytes.
	ErrAddressLength = errors.New("address must be 20 bytes")
	// ErrAddressPrefix: the bech32 human-readable part is not "petro".
	ErrAddressPrefix = errors.New("address prefix is not " + Bech32HRP)
	// ErrAddressEncoding: not a valid bech32 string (bad checksum, mixed case,
	// bad character or padding, bech32m instead of bech32, too long).
	ErrAddressEncoding = errors.New("address is not valid bech32")
)

// Address is an account address: RIPEMD160(SHA256(compressed public key)).
// Its text form is bech32 with prefix "petro". A nil or empty Address is the
// "no address" value; ValidateAddressBytes rejects it.
type Address []byte

// Address returns the account address of pk (nil for a nil key).
func (pk *PubKey) Address() Address {
	if pk == nil {
		return nil
	}
	sha := sha256.Sum256(pk.compressed[:])
	h := ripemd160.New()
	h.Write(sha[:])
	return Address(h.Sum(nil))
}

// ValidateAddressBytes returns nil if b is a well-formed address (exactly
// AddressSize bytes) and an error wrapping ErrAddressLength otherwise.
func ValidateAddressBytes(b []byte) error {
	if len(b) != AddressSize {
		return fmt.Errorf("%w: got %d bytes", ErrAddressLength, len(b))
	}
	return nil
}

// AddressFromBech32 parses a "petro1…" address. Only the canonical
// lower-case form is accepted (ErrAddressEncoding otherwise): BIP-173 also
// permits all-upper-case, but one spelling per account keeps events,
// indexes and equality checks on strings sound. It rejects a wrong prefix (ErrAddressPrefix), a payload other than 20 bytes
// (ErrAddressLength) and anything that is not bech32 (ErrAddressEncoding):
// bad checksum, mixed case, bech32m checksum, non-zero padding, over 90
// characters.
func AddressFromBech32(s string) (Address, error) {
	if strings.ToLower(s) != s {
		return nil, fmt.Errorf("%w: address must be lower-case", ErrAddressEncoding)
	}
	hrp, data, version, err := bech32.DecodeGeneric(s) // enforces the 90-char limit
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAddressEncoding, err)
	}
	if version != bech32.Version0 {
		return nil, fmt.Errorf("%w: bech32m checksum, want bech32", ErrAddressEncoding)
	}
	if hrp != Bech32HRP { // DecodeGeneric returns the prefix lower-cased
		return nil, fmt.Errorf("%w: got %q", ErrAddressPrefix, hrp)
	}
	b, err := bech32.ConvertBits(data, 5, 8, false)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAddressEncoding, err)
	}
	if err := ValidateAddressBytes(b); err != nil {
		return nil, err
	}
	return Address(b), nil
}

// String returns the bech32 form "petro1…", or "" for an empty address.
// It encodes whatever bytes a holds; validate first if that matters.
func (a Address) String() string {
	if len(a) == 0 {
		return ""
	}
	conv, err := bech32.ConvertBits(a, 8, 5, true)
	if err != nil { // cannot happen for 8-to-5 conversion with padding
		return ""
	}
	s, err := bech32.Encode(Bech32HRP, conv)
	if err != nil { // cannot happen: fixed, valid prefix
		return ""
	}
	return s
}

// Bytes returns a as a plain byte slice (not a copy).
func (a Address) Bytes() []byte { return a }

// Empty reports whether a holds no bytes.
func (a Address) Empty() bool { return len(a) == 0 }

// Equals reports whether a and b hold the same bytes (nil equals empty).
func (a Address) Equals(b Address) bool { return bytes.Equal(a, b) }

// MarshalJSON encodes a as its bech32 string; an empty address encodes as
// "". An address of the wrong length is an error, never silently written.
func (a Address) MarshalJSON() ([]byte, error) {
	if len(a) == 0 {
		return []byte(`""`), nil
	}
	if err := ValidateAddressBytes(a); err != nil {
		return nil, err
	}
	return json.Marshal(a.String())
}

// UnmarshalJSON decodes a bech32 string with AddressFromBech32. "" decodes
// to an empty address and JSON null leaves a unchanged, mirroring
// MarshalJSON and encoding/json's conventions; callers that require an
// address must check Empty or ValidateAddressBytes.
func (a *Address) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("address: %w", err)
	}
	if s == "" {
		*a = nil
		return nil
	}
	addr, err := AddressFromBech32(s)
	if err != nil {
		return err
	}
	*a = addr
	return nil
}
