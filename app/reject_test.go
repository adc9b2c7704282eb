package app_test

import (
	"crypto/sha256"
	"math"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/internal/testutil"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

const (
	accept = abci.ResponseProcessProposal_ACCEPT
	reject = abci.ResponseProcessProposal_REJECT
)

// rejectCase is one way a tx from the fixture's sender (otherwise a valid
// transfer of 100 to the recipient at sequence senderSeq) is refused.
type rejectCase struct {
	name     string
	malleate func(p *testutil.TxParts)
	space    string
	code     uint32
	// finalize overrides (space, code) in FinalizeBlock when it differs
	// from CheckTx's.
	finalizeSpace string
	finalizeCode  uint32
	// afterAnte: a message fails after ante passed. FinalizeBlock then
	// consumes the sequence (and nothing else); CheckTx keeps nothing.
	afterAnte bool
	// proposal is ProcessProposal's verdict on a block holding the tx:
	// REJECT for what needs no state (decoding, signature), ACCEPT for what
	// only FinalizeBlock can judge.
	proposal abci.ResponseProcessProposal_ProposalStatus
}

func send(p *testutil.TxParts) *tokentypes.MsgSend { return p.Body.Messages[0].GetSend() }

func rejectCases(t testing.TB) []rejectCase {
	tx, tok := authtypes.Codespace, tokentypes.Codespace
	return []rejectCase{
		{name: "malformed bytes", space: tx, code: 2, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.EditRaw = func([]byte) []byte { return []byte{0xff, 0xff, 0xff, 0x01} } }},
		{name: "truncated tx", space: tx, code: 2, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.EditRaw = func(b []byte) []byte { return b[:len(b)-1] } }},
		{name: "bad signature", space: tx, code: 10, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.EditSig = func(s []byte) []byte { s[40] ^= 0x01; return s } }},
		{name: "short signature", space: tx, code: 10, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.EditSig = func(s []byte) []byte { return s[:63] } }},
		{name: "high-S signature", space: tx, code: 11, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.EditSig = highS }},
		{name: "wrong chain id in body", space: tx, code: 12, proposal: reject,
			// Signed over SignDoc{ChainID, body}: the signature is valid here,
			// the body's chain id is not.
			malleate: func(p *testutil.TxParts) { p.Body.ChainId = "other-chain" }},
		{name: "tx made for another chain", space: tx, code: 12, proposal: reject,
			// The chain id is checked before the signature everywhere, so
			// the tx gets tx/12 in CheckTx and FinalizeBlock alike.
			malleate: func(p *testutil.TxParts) { p.Body.ChainId, p.SignChainID = "other-chain", "other-chain" }},
		{name: "signature for another chain id", space: tx, code: 10, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.SignChainID = "other-chain" }},
		{name: "replayed sequence", space: tx, code: 13, proposal: accept,
			malleate: func(p *testutil.TxParts) { p.AuthInfo.Sequence = senderSeq - 1 }},
		{name: "skipped sequence", space: tx, code: 14, proposal: accept,
			malleate: func(p *testutil.TxParts) { p.AuthInfo.Sequence = senderSeq + 1 }},
		{name: "sequence exhausted", space: tx, code: 19, proposal: accept,
			malleate: func(p *testutil.TxParts) {
				*p = *testutil.NewSend(exhausted, math.MaxUint64, recipient, 1)
			}},
		{name: "zero amount", space: tok, code: 2, proposal: reject,
			malleate: func(p *testutil.TxParts) { send(p).Amount = 0 }},
		{name: "insufficient funds", space: tok, code: 3, proposal: accept, afterAnte: true,
			malleate: func(p *testutil.TxParts) { send(p).Amount = senderBalance + 1 }},
		{name: "unknown field in body", space: tx, code: 5, proposal: reject,
			malleate: func(p *testutil.TxParts) {
				p.EditBodyBytes = func(b []byte) []byte { return appendVarintField(b, 99, 1) }
			}},
		{name: "unknown field in message", space: tx, code: 5, proposal: reject,
			malleate: func(p *testutil.TxParts) {
				p.EditBodyBytes = func([]byte) []byte {
					msg, err := proto.Marshal(send(p))
					if err != nil {
						t.Fatal(err)
					}
					msg = appendVarintField(msg, 15, 7)
					body := appendBytesField(nil, 1, appendBytesField(nil, 1, msg))
					return appendBytesField(body, 4, []byte(p.Body.ChainId))
				}
			}},
		{name: "unknown field in auth info", space: tx, code: 5, proposal: reject,
			malleate: func(p *testutil.TxParts) {
				p.EditAuthInfoBytes = func(b []byte) []byte { return appendVarintField(b, 7, 1) }
			}},
		{name: "unknown field in tx raw", space: tx, code: 5, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.EditRaw = func(b []byte) []byte { return appendVarintField(b, 9, 1) } }},
		{name: "body fields out of order", space: tx, code: 4, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.EditBodyBytes = func(b []byte) []byte { return reverseFields(t, b) } }},
		{name: "body zero field encoded", space: tx, code: 4, proposal: reject,
			malleate: func(p *testutil.TxParts) {
				p.EditBodyBytes = func(b []byte) []byte { return appendVarintField(b, 3, 0) } // timeout_height = 0
			}},
		{name: "tx raw fields out of order", space: tx, code: 4, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.EditRaw = func(b []byte) []byte { return reverseFields(t, b) } }},
		{name: "too large tx", space: tx, code: 3, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.Body.Memo = strings.Repeat("m", app.MaxTxBytes) }},
		{name: "too many messages", space: tx, code: 7, proposal: reject,
			malleate: func(p *testutil.TxParts) {
				for len(p.Body.Messages) <= app.MaxMsgsPerTx {
					p.Body.Messages = append(p.Body.Messages, client.SendMsg(sender.PubKey().Address(), recipient, 1))
				}
			}},
		{name: "no messages", space: tx, code: 6, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.Body.Messages = nil }},
		{name: "unknown message", space: tx, code: 18, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.Body.Messages = []*txtypes.Msg{{}} }},
		{name: "memo too long", space: tx, code: 8, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.Body.Memo = strings.Repeat("m", app.MaxMemoBytes+1) }},
		{name: "timeout height passed", space: tx, code: 15, proposal: accept,
			malleate: func(p *testutil.TxParts) { p.Body.TimeoutHeight = 1 }}, // the tx runs at height 2
		{name: "invalid public key", space: tx, code: 9, proposal: reject,
			malleate: func(p *testutil.TxParts) { p.AuthInfo.PubKey = append([]byte{0x04}, make([]byte, 32)...) }},
		{name: "signer mismatch", space: tx, code: 16, proposal: reject,
			malleate: func(p *testutil.TxParts) { send(p).From = bystander.String() }},
		{name: "self-transfer", space: tok, code: 5, proposal: reject,
			malleate: func(p *testutil.TxParts) { send(p).To = send(p).From }},
		{name: "self-transfer to upper-case address", space: tok, code: 4, proposal: reject,
			// Same address, other BIP-173 spelling: once minted tokens; now
			// only the canonical lower-case spelling is an address.
			malleate: func(p *testutil.TxParts) { send(p).To = strings.ToUpper(send(p).From) }},
		{name: "invalid bech32 recipient", space: tok, code: 4, proposal: reject,
			malleate: func(p *testutil.TxParts) { send(p).To = "petro1notanaddress" }},
		{name: "recipient with bad checksum", space: tok, code: 4, proposal: reject,
			malleate: func(p *testutil.TxParts) {
				s := []byte(send(p).To)
				if s[len(s)-1] == 'q' {
					s[len(s)-1] = 'p'
				} else {
					s[len(s)-1] = 'q'
				}
				send(p).To = string(s)
			}},
		{name: "invalid bech32 sender", space: tok, code: 4, proposal: reject,
			malleate: func(p *testutil.TxParts) { send(p).From = "cosmos1xyz" }},
	}
}

func (c rejectCase) build(t testing.TB) []byte {
	p := testutil.NewSend(sender, senderSeq, recipient, 100)
	c.malleate(p)
	return p.Build(t)
}

// validFollowUp is the tx the fixture's sender would send next if nothing
// were consumed: it must pass wherever a rejected tx left no trace.
func validFollowUp(t testing.TB) []byte {
	return testutil.SendTx(t, sender, senderSeq, recipient, 100)
}

func TestRejectedTxCheckTx(t *testing.T) {
	for _, c := range rejectCases(t) {
		t.Run(c.name, func(t *testing.T) {
			// ARRANGE
			a := fixture(t)
			raw := c.build(t)
			before := testutil.Snapshot(t, a)

			// ACT
			resp := checkTx(t, a, raw)

			// ASSERT: its own code, nothing committed, and the check state
			// kept nothing (the sender's sequence is still free).
			assertCode(t, "CheckTx", resp, c.space, c.code)
			after := testutil.Snapshot(t, a)
			assertSameState(t, before, after)
			assertOK(t, "follow-up CheckTx", checkTx(t, a, validFollowUp(t)))
		})
	}
}

func TestRejectedTxFinalizeBlock(t *testing.T) {
	// The app hash after an empty block 2 on the same fixture: a block
	// whose only tx failed ante must end in exactly this state (end-block
	// work such as the backing status changes state every block).
	control := fixture(t)
	emptyHash := testutil.FinalizeCommit(t, control, 2, testutil.BlockTime(2)).AppHash

	for _, c := range rejectCases(t) {
		t.Run(c.name, func(t *testing.T) {
			// ARRANGE
			a := fixture(t)
			raw := c.build(t)
			before := testutil.Snapshot(t, a)
			if got := processProposal(t, a, 2, raw); got != c.proposal {
				t.Fatalf("ProcessProposal: %v, want %v", got, c.proposal)
			}

			// ACT: the block is decided whatever ProcessProposal said
			// (FinalizeBlock must cope with any block).
			resp := testutil.FinalizeCommit(t, a, 2, testutil.BlockTime(2), raw)

			// ASSERT
			space, code := c.space, c.code
			if c.finalizeCode != 0 {
				space, code = c.finalizeSpace, c.finalizeCode
			}
			assertCode(t, "FinalizeBlock", resp.TxResults[0], space, code)
			// A failed tx has no events but the index event, and that only if
			// its signature verified.
			for _, ev := range resp.TxResults[0].Events {
				if ev.Type != app.EventTypeTx {
					t.Errorf("failed tx has events: %v", resp.TxResults[0].Events)
				}
			}
			after := testutil.Snapshot(t, a)
			if !c.afterAnte {
				assertSameState(t, before, after)
				if string(resp.AppHash) != string(emptyHash) {
					t.Errorf("app hash %X ≠ an empty block's %X: the tx that failed ante left a trace", resp.AppHash, emptyHash)
				}
				return
			}
			// A message failed after ante: only the sequence is consumed.
			want := before
			want.Accounts = map[string]testutil.Account{}
			for k, v := range before.Accounts {
				want.Accounts[k] = v
			}
			acc := want.Accounts[sender.PubKey().Address().String()]
			acc.Sequence++
			want.Accounts[sender.PubKey().Address().String()] = acc
			assertSameState(t, want, after)
		})
	}
}

// TestHighSIsOurRule shows the low-S rule is petro's own: btcec's plain
// ECDSA verification accepts (r, N−s), DecodeTx accepts the tx, and only
// the signature check refuses it with tx/11.
func TestHighSIsOurRule(t *testing.T) {
	p := testutil.NewSend(sender, senderSeq, recipient, 100)
	p.EditSig = highS
	raw := p.Build(t)

	tx, err := app.DecodeTx(raw)
	if err != nil {
		t.Fatalf("DecodeTx: %v", err)
	}
	var r, s btcec.ModNScalar
	r.SetByteSlice(tx.TxRaw.Signature[:32])
	s.SetByteSlice(tx.TxRaw.Signature[32:])
	if !s.IsOverHalfOrder() {
		t.Fatal("malleated signature is not high-S")
	}
	pub, err := btcec.ParsePubKey(sender.PubKey().Bytes())
	if err != nil {
		t.Fatal(err)
	}
	hash := sha256.Sum256(txtypes.SignBytes(testutil.ChainID, tx.TxRaw.BodyBytes, tx.TxRaw.AuthInfoBytes))
	if !ecdsa.NewSignature(&r, &s).Verify(hash[:], pub) {
		t.Fatal("btcec does not verify the high-S twin; the test proves nothing")
	}
	assertCode(t, "CheckTx", checkTx(t, fixture(t), raw), authtypes.Codespace, 11)
}

// TestTxPartsMatchesClient: the test tx builder, unedited, produces
// exactly the wallet client's bytes, so the malleated variants differ from
// a real tx only by their edit.
func TestTxPartsMatchesClient(t *testing.T) {
	got := testutil.NewSend(sender, senderSeq, recipient, 100).Build(t)
	want := testutil.SendTx(t, sender, senderSeq, recipient, 100)
	if string(got) != string(want) {
		t.Fatalf("TxParts.Build ≠ client.SignTx:\n%X\n%X", got, want)
	}
	if _, err := app.DecodeTx(got); err != nil {
		t.Fatalf("DecodeTx(valid): %v", err)
	}
}

// TestRecipientNearMaxUint64 covers the overflow rule at app level. With
// supply = Σ balances ≤ MaxUint64 a transfer between two different
// accounts cannot overflow the recipient (to + amount ≤ to + from ≤
// supply), so the insufficient-funds check always fires first; the
// overflow branch itself is unit-tested in x/token/keeper. Here: the
// recipient holds MaxUint64−100, the sender 100; sending 101 is
// token/3 with only the sequence consumed, sending 100 fills the
// recipient to exactly MaxUint64.
func TestRecipientNearMaxUint64(t *testing.T) {
	rich := testutil.Addr(10)
	gs := testutil.NewGenesis().Fund(sender.PubKey().Address(), 100).Fund(rich, math.MaxUint64-100).State()
	gs.Token.Params.HardCap = math.MaxUint64 // the default cap (100M PTR) is far below
	a := testutil.NewApp(t, gs)
	testutil.NextBlock(t, a)

	tooMuch := testutil.SendTx(t, sender, 0, rich, 101)
	assertCode(t, "CheckTx", checkTx(t, a, tooMuch), tokentypes.Codespace, 3)
	resp := testutil.NextBlock(t, a, tooMuch)
	assertCode(t, "FinalizeBlock", resp.TxResults[0], tokentypes.Codespace, 3)

	all := testutil.SendTx(t, sender, 1, rich, 100)
	assertOK(t, "CheckTx", checkTx(t, a, all))
	resp = testutil.NextBlock(t, a, all)
	assertOK(t, "FinalizeBlock", resp.TxResults[0])
	st := testutil.Snapshot(t, a)
	if got := st.Balance(rich); got != math.MaxUint64 {
		t.Fatalf("recipient balance %d, want MaxUint64", got)
	}
	if got := st.Balance(sender.PubKey().Address()); got != 0 {
		t.Fatalf("sender balance %d, want 0", got)
	}
	if _, held := st.Balances[sender.PubKey().Address().String()]; held {
		t.Fatal("a zero balance is still stored")
	}
}

func TestRejectCodesAreDistinct(t *testing.T) {
	// Every case's code must be a registered one, so a wallet can look it up.
	for _, c := range rejectCases(t) {
		if !registered(c.space, c.code) {
			t.Errorf("%s: %s/%d is not registered", c.name, c.space, c.code)
		}
	}
}
