package client

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// TxOptions are the optional parts of a tx body.
type TxOptions struct {
	Memo          string
	TimeoutHeight uint64
}

var canonical = proto.MarshalOptions{Deterministic: true}

// SignTx builds a TxRaw carrying msgs, signed by key for chainID at
// sequence seq, and returns its bytes: the canonical encoding the chain
// accepts.
func SignTx(chainID string, key *crypto.PrivKey, seq uint64, msgs []*txtypes.Msg, o TxOptions) ([]byte, error) {
	body, err := canonical.Marshal(&txtypes.TxBody{Messages: msgs, Memo: o.Memo, TimeoutHeight: o.TimeoutHeight, ChainId: chainID})
	if err != nil {
		return nil, err
	}
	auth, err := canonical.Marshal(&txtypes.AuthInfo{PubKey: key.PubKey().Bytes(), Sequence: seq})
	if err != nil {
		return nil, err
	}
	sig, err := key.Sign(txtypes.SignBytes(chainID, body, auth))
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return canonical.Marshal(&txtypes.TxRaw{BodyBytes: body, AuthInfoBytes: auth, Signature: sig})
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
