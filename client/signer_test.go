package client_test

import (
	"bytes"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/keyring"
	txtypes "github.com/petro-network/petro/types/tx"
)

var _ client.Signer = (*keyring.Signer)(nil)

const abandon = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

// remote is a Signer that signs with key but lets a test corrupt the result.
type remote struct {
	*crypto.PrivKey
	edit func([]byte) []byte
}

func (r remote) Sign(b []byte) ([]byte, error) {
	sig, err := r.PrivKey.Sign(b)
	if err != nil {
		return nil, err
	}
	return r.edit(sig), nil
}

func TestSignersAgree(t *testing.T) {
	key, err := crypto.DerivePrivKeyFromMnemonic(abandon, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := keyring.New(keyring.BackendMemory, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Recover("alice", abandon); err != nil {
		t.Fatal(err)
	}
	ks, err := keyring.NewSigner(kr, "alice")
	if err != nil {
		t.Fatal(err)
	}
	msgs := []*txtypes.Msg{client.SendMsg(key.Address(), key.Address(), 5)}
	want, err := client.SignTx("c-1", key, 3, msgs, client.TxOptions{Memo: "m"})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]client.Signer{
		"keyring":  ks,
		"remote":   remote{key, func(b []byte) []byte { return b }},
		"privkey2": key,
	} {
		got, err := client.SignTx("c-1", s, 3, msgs, client.TxOptions{Memo: "m"})
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: SignTx = %X, %v; want %X", name, got, err, want)
		}
	}
	// Build, sign bytes, attach: the offline path gives the same bytes.
	u, err := client.BuildTx("c-1", key.PubKey(), 3, msgs, client.TxOptions{Memo: "m"})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := key.Sign(u.SignBytes())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := u.WithSignature(sig); err != nil || !bytes.Equal(got, want) {
		t.Errorf("WithSignature = %X, %v; want %X", got, err, want)
	}
	if h := client.TxHash(want); len(h) != 32 {
		t.Errorf("TxHash length %d", len(h))
	}
}

func TestSignRefusesWrongSignerAndBadSignature(t *testing.T) {
	key, _ := crypto.DerivePrivKeyFromMnemonic(abandon, "", 0, 0)
	other, _ := crypto.DerivePrivKeyFromMnemonic(abandon, "", 0, 1)
	u, err := client.BuildTx("c-1", key.PubKey(), 0, []*txtypes.Msg{client.SendMsg(key.Address(), other.Address(), 1)}, client.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Sign(other); err == nil || !strings.Contains(err.Error(), "not the key in the auth info") {
		t.Errorf("other key: %v", err)
	}
	highS := func(sig []byte) []byte { // s → N − s: valid for btcec, refused by the chain
		s := new(big.Int).SetBytes(sig[32:])
		s.Sub(btcec.S256().N, s)
		out := bytes.Clone(sig)
		s.FillBytes(out[32:])
		return out
	}
	if _, err := u.Sign(remote{key, highS}); !errors.Is(err, crypto.ErrSigHighS) {
		t.Errorf("high-S remote signer: %v, want ErrSigHighS", err)
	}
}
