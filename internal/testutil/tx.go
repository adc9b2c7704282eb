package testutil

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
)

var canonical = proto.MarshalOptions{Deterministic: true}

// SendTx is a signed, canonical transfer of amount from key to to at
// sequence seq on ChainID, built by the wallet client (client.SignTx).
func SendTx(t testing.TB, key *crypto.PrivKey, seq uint64, to crypto.Address, amount uint64) []byte {
	t.Helper()
	raw, err := client.SignTx(ChainID, key, seq, []*txtypes.Msg{client.SendMsg(key.PubKey().Address(), to, amount)}, client.TxOptions{})
	if err != nil {
		t.Fatalf("SignTx: %v", err)
	}
	return raw
}

// TxParts is a transaction under construction, with a hook at every stage
// so a test can produce exactly one kind of invalid tx (a "malleate"
// closure edits the parts, then Build encodes and signs):
//
//	Body, AuthInfo  → canonical encoding → EditBodyBytes/EditAuthInfoBytes
//	→ sign SignDoc{SignChainID, body, auth_info} with Key → EditSig
//	→ TxRaw encoding → EditRaw
//
// With no edits Build gives the same bytes as client.SignTx.
type TxParts struct {
	Key         *crypto.PrivKey
	Body        *txtypes.TxBody
	AuthInfo    *txtypes.AuthInfo
	SignChainID string

	EditBodyBytes     func([]byte) []byte
	EditAuthInfoBytes func([]byte) []byte
	EditSig           func([]byte) []byte
	EditRaw           func([]byte) []byte
}

// NewTx starts a tx from key at sequence seq carrying msgs, for ChainID.
func NewTx(key *crypto.PrivKey, seq uint64, msgs ...*txtypes.Msg) *TxParts {
	return &TxParts{
		Key:         key,
		Body:        &txtypes.TxBody{Messages: msgs, ChainId: ChainID},
		AuthInfo:    &txtypes.AuthInfo{PubKey: key.PubKey().Bytes(), Sequence: seq},
		SignChainID: ChainID,
	}
}

// NewSend starts a transfer of amount from key to to at sequence seq.
func NewSend(key *crypto.PrivKey, seq uint64, to crypto.Address, amount uint64) *TxParts {
	return NewTx(key, seq, client.SendMsg(key.PubKey().Address(), to, amount))
}

// Build encodes and signs p, applying its edits.
func (p *TxParts) Build(t testing.TB) []byte {
	t.Helper()
	body, err := canonical.Marshal(p.Body)
	if err != nil {
		t.Fatalf("marshal body: %v", err)
	}
	auth, err := canonical.Marshal(p.AuthInfo)
	if err != nil {
		t.Fatalf("marshal auth info: %v", err)
	}
	if p.EditBodyBytes != nil {
		body = p.EditBodyBytes(body)
	}
	if p.EditAuthInfoBytes != nil {
		auth = p.EditAuthInfoBytes(auth)
	}
	sig, err := p.Key.Sign(txtypes.SignBytes(p.SignChainID, body, auth))
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	if p.EditSig != nil {
		sig = p.EditSig(sig)
	}
	raw, err := canonical.Marshal(&txtypes.TxRaw{BodyBytes: body, AuthInfoBytes: auth, Signature: sig})
	if err != nil {
		t.Fatalf("marshal tx: %v", err)
	}
	if p.EditRaw != nil {
		raw = p.EditRaw(raw)
	}
	return raw
}
