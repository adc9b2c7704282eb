package keyring

import "github.com/petro-network/petro/crypto"

// Signer is one keyring key used as a client.Signer: Address and PubKey
// come from the stored record; each Sign opens the private key (asking
// for the passphrase on the file backend) and signs with
// crypto.PrivKey.Sign. Callers that sign many txs should take
// Keyring.PrivKey once instead, which is a client.Signer too.
type Signer struct {
	kr  Keyring
	rec Record
}

// NewSigner returns the key stored under nameOrAddress as a signer. It
// fails with ErrKeyNotFound (wrapped) when there is no such key.
func NewSigner(kr Keyring, nameOrAddress string) (*Signer, error) {
	rec, err := kr.Get(nameOrAddress)
	if err != nil {
		return nil, err
	}
	return &Signer{kr: kr, rec: rec}, nil
}

// Record is the key's public record.
func (s *Signer) Record() Record { return s.rec }

// Address is the key's account address.
func (s *Signer) Address() crypto.Address { return s.rec.Address }

// PubKey is the key's compressed secp256k1 public key.
func (s *Signer) PubKey() *crypto.PubKey { return s.rec.PubKey }

// Sign signs signBytes: the 64-byte low-S R‖S signature of
// SHA-256(signBytes).
func (s *Signer) Sign(signBytes []byte) ([]byte, error) {
	sig, _, err := s.kr.Sign(s.rec.Name, signBytes)
	return sig, err
}
