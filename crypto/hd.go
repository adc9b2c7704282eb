package crypto

import (
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	bip39 "github.com/cosmos/go-bip39"
)

// BIP-44 constants of the Cosmos derivation path m/44'/118'/account'/0/index.
const (
	BIP44Purpose   = 44
	CosmosCoinType = 118
	// MnemonicEntropyBits is the entropy of a new mnemonic: 256 bits, 24 words.
	MnemonicEntropyBits = 256
)

// ErrInvalidMnemonic: the mnemonic has the wrong word count, an unknown word
// or a bad checksum.
var ErrInvalidMnemonic = errors.New("invalid bip39 mnemonic")

// ErrInvalidHDPath: an account or index is not below 2^31 (the hardened bit).
var ErrInvalidHDPath = errors.New("invalid hd path")

// NewMnemonic returns a new 24-word BIP-39 English mnemonic (256 bits of
// entropy from crypto/rand).
func NewMnemonic() (string, error) {
	entropy, err := bip39.NewEntropy(MnemonicEntropyBits)
	if err != nil {
		return "", fmt.Errorf("new mnemonic: %w", err)
	}
	defer clear(entropy)
	m, err := bip39.NewMnemonic(entropy)
	if err != nil {
		return "", fmt.Errorf("new mnemonic: %w", err)
	}
	return m, nil
}

// NormalizeMnemonic collapses runs of white space to single spaces and trims
// the ends. The BIP-39 seed is computed over the exact string, so callers
// that store or display a mnemonic should store this form.
func NormalizeMnemonic(mnemonic string) string {
	return strings.Join(strings.Fields(mnemonic), " ")
}

// ValidateMnemonic returns nil if mnemonic (after NormalizeMnemonic) is a
// valid BIP-39 English mnemonic of 12 to 24 words with a correct checksum.
func ValidateMnemonic(mnemonic string) error {
	if _, err := bip39.MnemonicToByteArray(NormalizeMnemonic(mnemonic)); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidMnemonic, err)
	}
	return nil
}

// HDPath returns the Cosmos BIP-44 path m/44'/118'/account'/0/index as text.
func HDPath(account, index uint32) string {
	return fmt.Sprintf("m/%d'/%d'/%d'/0/%d", BIP44Purpose, CosmosCoinType, account, index)
}

// DerivePrivKeyFromMnemonic derives the key at m/44'/118'/account'/0/index
// from a BIP-39 mnemonic (normalised with NormalizeMnemonic, then validated)
// and optional BIP-39 passphrase (the "25th word"; "" for none). account and
// index must be below 2^31. The result is the same as the Cosmos SDK's
// default secp256k1 key for the same inputs.
func DerivePrivKeyFromMnemonic(mnemonic, bip39Passphrase string, account, index uint32) (*PrivKey, error) {
	if account >= hdkeychain.HardenedKeyStart || index >= hdkeychain.HardenedKeyStart {
		return nil, fmt.Errorf("%w: account %d, index %d: both must be < 2^31", ErrInvalidHDPath, account, index)
	}
	mnemonic = NormalizeMnemonic(mnemonic)
	if err := ValidateMnemonic(mnemonic); err != nil {
		return nil, err
	}
	seed := bip39.NewSeed(mnemonic, bip39Passphrase)
	defer clear(seed)
	return derivePath(seed, []uint32{
		hdkeychain.HardenedKeyStart + BIP44Purpose,
		hdkeychain.HardenedKeyStart + CosmosCoinType,
		hdkeychain.HardenedKeyStart + account,
		0,
		index,
	})
}

// derivePath runs BIP-32 private derivation from seed along path (hardened
// elements already carry the 2^31 bit). It uses hdkeychain's Derive, which
// conforms to BIP-32 (not the legacy DeriveNonStandard). The network
// parameters only set the xprv version bytes, which do not affect keys.
func derivePath(seed []byte, path []uint32) (*PrivKey, error) {
	key, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		return nil, fmt.Errorf("bip32 master key: %w", err)
	}
	for _, i := range path {
		child, err := key.Derive(i)
		key.Zero()
		if err != nil {
			// ErrInvalidChild has probability < 2^-127 per step.
			return nil, fmt.Errorf("bip32 derive child %d: %w", i, err)
		}
		key = child
	}
	defer key.Zero()
	ec, err := key.ECPrivKey()
	if err != nil {
		return nil, fmt.Errorf("bip32 private key: %w", err)
	}
	b := ec.Serialize()
	defer clear(b)
	return PrivKeyFromBytes(b)
}
