package app_test

import (
	"context"
	"math/big"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/testutil"
	authtypes "github.com/petro-network/petro/x/auth/types"
)

// Fixture accounts shared by the rejection tests.
const (
	senderBalance    = 1_000_000
	senderSeq        = 5 // the sender's genesis account starts here
	recipientBalance = 1_000
)

var (
	sender    = testutil.Key(0)
	recipient = testutil.Addr(1)
	bystander = testutil.Addr(2)
	exhausted = testutil.Key(3) // genesis sequence MaxUint64: its next tx overflows
)

// fixture is an app whose genesis funds the sender (account at sequence
// senderSeq) and the recipient, with block 1 (empty) committed, so CheckTx
// runs at height 2 on a committed state.
func fixture(t testing.TB) *app.App {
	t.Helper()
	gs := testutil.NewGenesis().
		Fund(sender.PubKey().Address(), senderBalance).Account(sender, senderSeq).
		Fund(recipient, recipientBalance).
		Fund(bystander, 1).
		Fund(exhausted.PubKey().Address(), 10).Account(exhausted, ^uint64(0)).
		State()
	a := testutil.NewApp(t, gs)
	testutil.NextBlock(t, a)
	return a
}

func checkTx(t testing.TB, a *app.App, raw []byte) *abci.ResponseCheckTx {
	t.Helper()
	resp, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: raw, Type: abci.CheckTxType_New})
	if err != nil {
		t.Fatalf("CheckTx returned an error (must answer with a code): %v", err)
	}
	return resp
}

func recheckTx(t testing.TB, a *app.App, raw []byte) *abci.ResponseCheckTx {
	t.Helper()
	resp, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: raw, Type: abci.CheckTxType_Recheck})
	if err != nil {
		t.Fatalf("CheckTx(recheck): %v", err)
	}
	return resp
}

func processProposal(t testing.TB, a *app.App, height int64, txs ...[]byte) abci.ResponseProcessProposal_ProposalStatus {
	t.Helper()
	resp, err := a.ProcessProposal(context.Background(), &abci.RequestProcessProposal{Txs: txs, Height: height, Time: testutil.BlockTime(height)})
	if err != nil {
		t.Fatalf("ProcessProposal: %v", err)
	}
	return resp.Status
}

type coded interface {
	GetCodespace() string
	GetCode() uint32
	GetLog() string
}

func assertCode(t testing.TB, what string, r coded, space string, code uint32) {
	t.Helper()
	if r.GetCodespace() != space || r.GetCode() != code {
		t.Fatalf("%s: got %s/%d (%q), want %s/%d", what, r.GetCodespace(), r.GetCode(), r.GetLog(), space, code)
	}
}

func assertOK(t testing.TB, what string, r coded) {
	t.Helper()
	assertCode(t, what, r, "", 0)
}

// assertSameState fails unless balances, supply and accounts are equal.
func assertSameState(t testing.TB, before, after testutil.State) {
	t.Helper()
	if before.Supply != after.Supply {
		t.Errorf("supply changed: %d → %d", before.Supply, after.Supply)
	}
	if !reflect.DeepEqual(before.Balances, after.Balances) {
		t.Errorf("balances changed:\nbefore %v\nafter  %v", before.Balances, after.Balances)
	}
	if !reflect.DeepEqual(before.Accounts, after.Accounts) {
		t.Errorf("accounts changed:\nbefore %v\nafter  %v", before.Accounts, after.Accounts)
	}
}

// highS replaces s by N−s in a 64-byte R‖S signature: the other signature
// plain ECDSA accepts for the same message.
func highS(sig []byte) []byte {
	out := append([]byte(nil), sig...)
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(btcec.S256().N, s)
	s.FillBytes(out[32:])
	return out
}

// reverseFields re-encodes a protobuf message with its top-level fields in
// reverse order: the same message, a non-canonical encoding.
func reverseFields(t testing.TB, b []byte) []byte {
	t.Helper()
	var fields [][]byte
	for len(b) > 0 {
		_, _, n := protowire.ConsumeField(b)
		if n < 0 {
			t.Fatalf("reverseFields: %v", protowire.ParseError(n))
		}
		fields = append(fields, b[:n])
		b = b[n:]
	}
	var out []byte
	for i := len(fields) - 1; i >= 0; i-- {
		out = append(out, fields[i]...)
	}
	return out
}

// appendVarintField appends field num = v as a varint, even if v is 0.
func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

// appendBytesField appends field num = v as length-delimited bytes.
func appendBytesField(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func accountRecord(addr string) *authtypes.Account { return &authtypes.Account{Address: addr} }
