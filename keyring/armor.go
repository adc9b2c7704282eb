package keyring

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/cometbft/cometbft/crypto/armor"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/petro-network/petro/crypto"
)

// ArmorBlockType is the type line of an exported private key:
// "-----BEGIN PETRO PRIVATE KEY-----".
const ArmorBlockType = "PETRO PRIVATE KEY"

// ErrInvalidArmor: the text is not an armored petro private key (or a
// header is missing or malformed).
var ErrInvalidArmor = errors.New("not an armored petro private key")

// Armor header names. Every header is covered by the AEAD (see
// armorAssociatedData), so none can be changed without the open failing.
const (
	armorKDF     = "kdf"
	armorScryptN = "scrypt-n"
	armorScryptR = "scrypt-r"
	armorScryptP = "scrypt-p"
	armorSalt    = "salt"
	armorCipher  = "cipher"
	armorNonce   = "nonce"
	armorType    = "type"
	armorAddress = "address"
	armorKeyType = "secp256k1"
)

// EncryptArmor seals priv under passphrase for export, with the file
// backend's primitives and parameters (scrypt N=32768 r=8 p=1, random salt,
// XChaCha20-Poly1305, random nonce), as ASCII armor (RFC 4880 framing, as
// the Cosmos SDK's `keys export`) whose headers carry the parameters and
// the address. An empty passphrase is ErrEmptyPassphrase.
func EncryptArmor(priv *crypto.PrivKey, passphrase string) (string, error) {
	if passphrase == "" {
		return "", ErrEmptyPassphrase
	}
	p := scryptParams{N: scryptN, R: scryptR, P: scryptP, Salt: make([]byte, saltSize)}
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := rand.Read(p.Salt); err != nil {
		return "", err
	}
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	headers := map[string]string{
		armorKDF:     kdfScrypt,
		armorScryptN: strconv.Itoa(p.N),
		armorScryptR: strconv.Itoa(p.R),
		armorScryptP: strconv.Itoa(p.P),
		armorSalt:    hex.EncodeToString(p.Salt),
		armorCipher:  cipherXChaCha,
		armorNonce:   hex.EncodeToString(nonce),
		armorType:    armorKeyType,
		armorAddress: priv.PubKey().Address().String(),
	}
	aead, err := deriveAEAD(passphrase, p)
	if err != nil {
		return "", err
	}
	secret := priv.Bytes()
	defer clear(secret)
	return armor.EncodeArmor(ArmorBlockType, headers, aead.Seal(nil, nonce, secret, armorAssociatedData(headers))), nil
}

// DecryptArmor opens what EncryptArmor wrote. A passphrase that does not
// open it (or modified text) is ErrWrongPassphrase; text that is not such
// armor, or parameters out of the keyring's bounds, ErrInvalidArmor. The
// key's address must equal the address header.
func DecryptArmor(armored, passphrase string) (*crypto.PrivKey, error) {
	blockType, h, data, err := armor.DecodeArmor(armored)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidArmor, err)
	}
	if blockType != ArmorBlockType {
		return nil, fmt.Errorf("%w: block type %q, want %q", ErrInvalidArmor, blockType, ArmorBlockType)
	}
	if h[armorType] != armorKeyType {
		return nil, fmt.Errorf("%w: key type %q, want %q", ErrInvalidArmor, h[armorType], armorKeyType)
	}
	sk := &sealedKey{KDF: h[armorKDF], Cipher: h[armorCipher], Ciphertext: data}
	var errs []error
	num := func(name string) int {
		v, err := strconv.Atoi(h[name])
		errs = append(errs, err)
		return v
	}
	bin := func(name string) []byte {
		v, err := hex.DecodeString(h[name])
		errs = append(errs, err)
		return v
	}
	sk.KDFParams = scryptParams{N: num(armorScryptN), R: num(armorScryptR), P: num(armorScryptP), Salt: bin(armorSalt)}
	sk.Nonce = bin(armorNonce)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%w: headers: %v", ErrInvalidArmor, err)
	}
	if err := checkSealed(sk); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidArmor, err)
	}
	if passphrase == "" {
		return nil, ErrEmptyPassphrase
	}
	aead, err := deriveAEAD(passphrase, sk.KDFParams)
	if err != nil {
		return nil, err
	}
	secret, err := aead.Open(nil, sk.Nonce, sk.Ciphertext, armorAssociatedData(h))
	if err != nil {
		return nil, fmt.Errorf("%w for the exported key (or the text was modified)", ErrWrongPassphrase)
	}
	defer clear(secret)
	priv, err := crypto.PrivKeyFromBytes(secret)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidArmor, err)
	}
	if got := priv.PubKey().Address().String(); got != h[armorAddress] {
		return nil, fmt.Errorf("%w: key of %s under address header %s", ErrInvalidArmor, got, h[armorAddress])
	}
	return priv, nil
}

// armorAssociatedData binds the ciphertext to the format and to every
// header, in a fixed order.
func armorAssociatedData(h map[string]string) []byte {
	ad := []byte("petro-armor/v1")
	for _, k := range []string{armorKDF, armorScryptN, armorScryptR, armorScryptP, armorSalt, armorCipher, armorNonce, armorType, armorAddress} {
		ad = append(ad, '\n')
		ad = append(ad, k...)
		ad = append(ad, ':', ' ')
		ad = append(ad, h[k]...)
	}
	return ad
}
