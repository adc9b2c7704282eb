package client

import "github.com/petro-network/petro/crypto"

// Signer holds one account's key and signs for it. *crypto.PrivKey is a
// Signer, and so is a key in a keyring (keyring.NewSigner); a hardware or
// remote signer implements the three methods itself.
//
// Sign receives the sign bytes (TxSignBytes: the encoded SignDoc, not its
// hash) and must return the 64-byte R‖S secp256k1 signature of
// SHA-256(signBytes) in low-S form, as crypto.PrivKey.Sign does. PubKey is
// the 33-byte compressed key the chain checks that signature against, and
// Address is PubKey().Address().
type Signer interface {
	Address() crypto.Address
	PubKey() *crypto.PubKey
	Sign(signBytes []byte) ([]byte, error)
}

var _ Signer = (*crypto.PrivKey)(nil)
