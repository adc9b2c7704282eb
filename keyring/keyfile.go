package keyring

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/scrypt"

	"github.com/petro-network/petro/crypto"
)

// keyFileVersion is the on-disk format version (see README.md).
const keyFileVersion = 1

// Parameters written into new encrypted key files. open reads the
// parameters from each file, within the bounds below, so they can be raised
// later without breaking old files.
const (
	scryptN       = 1 << 15 // 32768: 32 MiB, ~50-100 ms per key on a laptop
	scryptR       = 8
	scryptP       = 1
	saltSize      = 16
	kdfScrypt     = "scrypt"
	cipherXChaCha = "xchacha20-poly1305"
	// Bounds on parameters read from a file, so a planted file cannot make
	// us allocate gigabytes: 128·N·r <= 256 MiB.
	maxScryptNR = 1 << 21
	maxScryptP  = 16
)

// keyFile is the JSON stored per key. The public part is in clear so that
// List and Get need no passphrase; the private key is either hex (test and
// memory backends) or sealed (file backend).
type keyFile struct {
	Version int    `json:"version"`
	Name    string `json:"name"`
	Address string `json:"address"`
	PubKey  string `json:"pubkey"` // base64, 33-byte compressed; "" for multisig
	// A multisig record (#13): k and the members (base64, canonical order);
	// it has neither privkey nor crypto.
	Threshold uint32     `json:"threshold,omitempty"`
	Members   []string   `json:"members,omitempty"`
	PrivKey   string     `json:"privkey,omitempty"` // hex; unencrypted backends only
	Crypto    *sealedKey `json:"crypto,omitempty"`  // file backend only
}

type sealedKey struct {
	KDF        string       `json:"kdf"`
	KDFParams  scryptParams `json:"kdfparams"`
	Cipher     string       `json:"cipher"`
	Nonce      []byte       `json:"nonce"`      // base64, 24 bytes
	Ciphertext []byte       `json:"ciphertext"` // base64, 32-byte key + 16-byte tag
}

type scryptParams struct {
	N    int    `json:"n"`
	R    int    `json:"r"`
	P    int    `json:"p"`
	Salt []byte `json:"salt"` // base64
}

// storedKey is a decoded key file.
type storedKey struct {
	rec  Record
	file keyFile
}

func decodeKeyFile(data []byte, encrypted bool) (*storedKey, error) {
	var f keyFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	if f.Version != keyFileVersion {
		return nil, fmt.Errorf("unsupported version %d", f.Version)
	}
	rec, err := recordFromJSON(recordJSON{Name: f.Name, Address: f.Address, PubKey: f.PubKey, Threshold: f.Threshold, Members: f.Members})
	if err != nil {
		return nil, err
	}
	if rec.Threshold != nil {
		if f.Crypto != nil || f.PrivKey != "" {
			return nil, errors.New("a multisig record holds a private key")
		}
		return &storedKey{rec: rec, file: f}, nil
	}
	if encrypted && (f.Crypto == nil || f.PrivKey != "") {
		return nil, errors.New("not an encrypted key file")
	}
	if !encrypted && (f.Crypto != nil || f.PrivKey == "") {
		return nil, errors.New("not an unencrypted key file")
	}
	return &storedKey{rec: rec, file: f}, nil
}

// seal encodes rec and priv as a key file, encrypting priv with pass if the
// keyring is encrypted.
func (k *keyring) seal(rec Record, priv *crypto.PrivKey, pass string) ([]byte, error) {
	f := keyFile{
		Version: keyFileVersion,
		Name:    rec.Name,
		Address: rec.Address.String(),
		PubKey:  base64.StdEncoding.EncodeToString(rec.PubKey.Bytes()),
	}

	secret := priv.Bytes()
	defer clear(secret)
	if !k.encrypted {
		f.PrivKey = hex.EncodeToString(secret)
	} else {
		if pass == "" {
			return nil, ErrEmptyPassphrase
		}
		sk := &sealedKey{
			KDF:       kdfScrypt,
			KDFParams: scryptParams{N: scryptN, R: scryptR, P: scryptP, Salt: make([]byte, saltSize)},
			Cipher:    cipherXChaCha,
			Nonce:     make([]byte, chacha20poly1305.NonceSizeX),
		}
		if _, err := rand.Read(sk.KDFParams.Salt); err != nil {
			return nil, err
		}
		if _, err := rand.Read(sk.Nonce); err != nil {
			return nil, err
		}
		aead, err := deriveAEAD(pass, sk.KDFParams)
		if err != nil {
			return nil, err
		}
		sk.Ciphertext = aead.Seal(nil, sk.Nonce, secret, associatedData(rec.PubKey))
		f.Crypto = sk
	}
	return json.MarshalIndent(f, "", "  ")
}

// open recovers the private key of e, checking that it matches the stored
// public key.
func (k *keyring) open(e *storedKey, pass string) (*crypto.PrivKey, error) {
	var secret []byte
	if !k.encrypted {
		b, err := hex.DecodeString(e.file.PrivKey)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: privkey is not hex", ErrCorruptKeyFile, e.rec.Name)
		}
		secret = b
	} else {
		sk := e.file.Crypto
		if err := checkSealed(sk); err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrCorruptKeyFile, e.rec.Name, err)
		}
		aead, err := deriveAEAD(pass, sk.KDFParams)
		if err != nil {
			return nil, err
		}
		b, err := aead.Open(nil, sk.Nonce, sk.Ciphertext, associatedData(e.rec.PubKey))
		if err != nil {
			// Poly1305 cannot tell a wrong key from a modified file.
			return nil, fmt.Errorf("%w for key %q (or the key file was modified)", ErrWrongPassphrase, e.rec.Name)
		}
		secret = b
	}
	defer clear(secret)
	priv, err := crypto.PrivKeyFromBytes(secret)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrCorruptKeyFile, e.rec.Name, err)
	}
	if !priv.PubKey().Equals(e.rec.PubKey) {
		return nil, fmt.Errorf("%w: %q: private key does not match the stored public key", ErrCorruptKeyFile, e.rec.Name)
	}
	return priv, nil
}

// associatedData binds the ciphertext to the format and the public key
// stored beside it.
func associatedData(pub *crypto.PubKey) []byte {
	return append([]byte("petro-keyring/v1/secp256k1/"), pub.Bytes()...)
}

func checkSealed(sk *sealedKey) error {
	p := sk.KDFParams
	switch {
	case sk.KDF != kdfScrypt:
		return fmt.Errorf("unsupported kdf %q", sk.KDF)
	case sk.Cipher != cipherXChaCha:
		return fmt.Errorf("unsupported cipher %q", sk.Cipher)
	case p.N < 2 || bits.OnesCount(uint(p.N)) != 1 || p.R < 1 || p.P < 1 || p.P > maxScryptP || p.N > maxScryptNR/p.R:
		return fmt.Errorf("scrypt parameters out of bounds (n=%d r=%d p=%d)", p.N, p.R, p.P)
	case len(p.Salt) < saltSize:
		return fmt.Errorf("salt too short (%d bytes)", len(p.Salt))
	case len(sk.Nonce) != chacha20poly1305.NonceSizeX:
		return fmt.Errorf("nonce must be %d bytes", chacha20poly1305.NonceSizeX)
	case len(sk.Ciphertext) != crypto.PrivKeySize+chacha20poly1305.Overhead:
		return fmt.Errorf("ciphertext must be %d bytes", crypto.PrivKeySize+chacha20poly1305.Overhead)
	}
	return nil
}

func deriveAEAD(pass string, p scryptParams) (cipher.AEAD, error) {
	key, err := scrypt.Key([]byte(pass), p.Salt, p.N, p.R, p.P, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("scrypt: %w", err)
	}
	defer clear(key)
	return chacha20poly1305.NewX(key)
}
