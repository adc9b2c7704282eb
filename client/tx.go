package client

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// TxOptions are the optional parts of a tx body.
type TxOptions struct {
	Memo string
	// TimeoutHeight, when non-zero, is the last block height that may
	// include the tx.
	TimeoutHeight uint64
}

var canonical = proto.MarshalOptions{Deterministic: true}

// UnsignedTx is a tx built but not yet signed: the exact body and
// auth-info bytes the signature covers, and the chain they are for. Build
// one with BuildTx, or fill it with bytes received from elsewhere (an
// offline signer signs what it is given; it never re-encodes).
type UnsignedTx struct {
	ChainID       string
	BodyBytes     []byte
	AuthInfoBytes []byte
}

// BuildTx encodes msgs for chainID, signed by pub's account at sequence
// seq (the account's next sequence: 0 for an account the chain has never
// seen), in the canonical encoding the chain accepts. It does not check
// the messages; the chain does (see docs/signing.md).
func BuildTx(chainID string, pub *crypto.PubKey, seq uint64, msgs []*txtypes.Msg, o TxOptions) (*UnsignedTx, error) {
	if pub == nil {
		return nil, errors.New("build tx: nil public key")
	}
	body, err := canonical.Marshal(&txtypes.TxBody{Messages: msgs, Memo: o.Memo, TimeoutHeight: o.TimeoutHeight, ChainId: chainID})
	if err != nil {
		return nil, fmt.Errorf("build tx: body: %w", err)
	}
	auth, err := canonical.Marshal(&txtypes.AuthInfo{PubKey: pub.Bytes(), Sequence: seq})
	if err != nil {
		return nil, fmt.Errorf("build tx: auth info: %w", err)
	}
	return &UnsignedTx{ChainID: chainID, BodyBytes: body, AuthInfoBytes: auth}, nil
}

// SignBytes is what the signature covers: the encoded
// SignDoc{chain_id, body_bytes, auth_info_bytes}. A Signer signs
// SHA-256 of these bytes.
func (u *UnsignedTx) SignBytes() []byte {
	return txtypes.SignBytes(u.ChainID, u.BodyBytes, u.AuthInfoBytes)
}

// WithSignature returns the TxRaw bytes of u carrying sig (64-byte R‖S,
// low-S), ready to broadcast. It does not verify sig.
func (u *UnsignedTx) WithSignature(sig []byte) ([]byte, error) {
	return canonical.Marshal(&txtypes.TxRaw{BodyBytes: u.BodyBytes, AuthInfoBytes: u.AuthInfoBytes, Signature: sig})
}

// Sign signs u with s and returns the TxRaw bytes. It fails if s's public
// key is not the one in u's auth info, and, for a Signer other than a
// *crypto.PrivKey, if the signature it returns does not verify as the
// chain verifies it (so a faulty remote signer is caught before
// broadcast).
func (u *UnsignedTx) Sign(s Signer) ([]byte, error) {
	var auth txtypes.AuthInfo
	if err := proto.Unmarshal(u.AuthInfoBytes, &auth); err != nil {
		return nil, fmt.Errorf("sign: auth info: %w", err)
	}
	pub := s.PubKey()
	if !bytes.Equal(auth.PubKey, pub.Bytes()) {
		return nil, fmt.Errorf("sign: signer %s is not the key in the auth info (%X)", s.Address(), auth.PubKey)
	}
	sb := u.SignBytes()
	sig, err := s.Sign(sb)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if _, local := s.(*crypto.PrivKey); !local {
		if err := pub.VerifySignatureErr(sb, sig); err != nil {
			return nil, fmt.Errorf("sign: signer %s returned a bad signature: %w", s.Address(), err)
		}
	}
	return u.WithSignature(sig)
}

// SignTx builds a TxRaw carrying msgs, signed by s for chainID at
// sequence seq, and returns its bytes: BuildTx then Sign.
func SignTx(chainID string, s Signer, seq uint64, msgs []*txtypes.Msg, o TxOptions) ([]byte, error) {
	u, err := BuildTx(chainID, s.PubKey(), seq, msgs, o)
	if err != nil {
		return nil, err
	}
	return u.Sign(s)
}

// TxHash is a tx's hash: SHA-256 of its TxRaw bytes, as CometBFT indexes
// it and TxService.GetTx takes it. It identifies these bytes, not a
// payment: replay protection is the account sequence.
func TxHash(txBytes []byte) []byte {
	h := sha256.Sum256(txBytes)
	return h[:]
}

// SendMsg wraps a transfer of amount base units.
func SendMsg(from, to crypto.Address, amount uint64) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_Send{Send: &tokentypes.MsgSend{From: from.String(), To: to.String(), Amount: amount}}}
}

// AttestMsg wraps an oracle's report (see reservetypes.MsgAttest: lots
// sorted by id, each once).
func AttestMsg(m *reservetypes.MsgAttest) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_Attest{Attest: m}}
}

// IssueMsg wraps an issuer's mint of amount base units to recipient.
func IssueMsg(issuer, recipient crypto.Address, amount uint64) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_Issue{Issue: &tokentypes.MsgIssue{Issuer: issuer.String(), Recipient: recipient.String(), Amount: amount}}}
}
