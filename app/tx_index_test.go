package app_test

import (
	"slices"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/testutil"
)

// indexAttrs returns the values of key in res's index event.
func indexAttrs(res *abci.ExecTxResult, key string) []string {
	var out []string
	for _, ev := range res.Events {
		if ev.Type != app.EventTypeTx {
			continue
		}
		for _, a := range ev.Attributes {
			if a.Key == key && a.Index {
				out = append(out, a.Value)
			}
		}
	}
	return out
}

// TestTxIndexEvent: every tx whose signature verified carries the index
// event, applied or refused, naming its signer and every address of its
// messages (sorted, unique) and its message types; a tx that does not
// decode carries none.
func TestTxIndexEvent(t *testing.T) {
	a := fixture(t)
	from := sender.PubKey().Address().String()
	ok := testutil.SendTx(t, sender, senderSeq, recipient, 100)
	overspend := testutil.SendTx(t, sender, senderSeq+1, recipient, senderBalance)
	resp := testutil.FinalizeCommit(t, a, 2, testutil.BlockTime(2), ok, overspend, []byte{0xff}) // as decided, whatever PrepareProposal keeps

	want := []string{from, recipient.String()}
	slices.Sort(want)
	for i, name := range []string{"applied", "refused by its message"} {
		res := resp.TxResults[i]
		if got := indexAttrs(res, app.AttributeKeyAddress); !slices.Equal(got, want) {
			t.Errorf("%s (code %d): addresses %v, want %v", name, res.Code, got, want)
		}
		if got := indexAttrs(res, app.AttributeKeyMsgType); !slices.Equal(got, []string{"/petro.token.v1.MsgSend"}) {
			t.Errorf("%s: msg types %v", name, got)
		}
	}
	if resp.TxResults[1].Code == 0 {
		t.Fatal("overspend applied")
	}
	if ev := resp.TxResults[2].Events; len(ev) != 0 {
		t.Errorf("undecodable tx has events %v", ev)
	}
}

// BenchmarkTxParties is the index event's cost per transfer in
// FinalizeBlock (compare BenchmarkFinalizeCommit5000's cpu-ns/tx).
func BenchmarkTxParties(b *testing.B) {
	tx, err := app.DecodeTx(testutil.SendTx(b, sender, senderSeq, recipient, 100))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		app.TxParties(tx)
	}
}
