package app_test

import (
	"bytes"
	"context"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/testutil"
)

// A panic in a decode/verify worker is the tx's internal error in
// FinalizeBlock and a REJECT in ProcessProposal; the node lives on (#17).
func TestWorkerPanicIsTheTxsError(t *testing.T) {
	a := fixture(t)
	good := testutil.SendTx(t, sender, senderSeq, recipient, 100)
	bad := testutil.SendTx(t, sender, senderSeq+1, recipient, 100)
	defer app.SetDecodeHook(func(raw []byte) {
		if bytes.Equal(raw, bad) {
			panic("injected worker panic")
		}
	})()

	if st := processProposal(t, a, 2, good, bad); st != reject {
		t.Fatalf("ProcessProposal with a panicking worker: %s, want REJECT", st)
	}
	resp, err := a.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{Txs: [][]byte{good, bad}, MaxTxBytes: 1 << 20, Height: 2})
	if err != nil || len(resp.Txs) != 1 || !bytes.Equal(resp.Txs[0], good) {
		t.Fatalf("PrepareProposal drops the panicking tx: %d txs, err %v", len(resp.Txs), err)
	}
	res := testutil.FinalizeCommit(t, a, 2, testutil.BlockTime(2), good, bad)
	if r := res.TxResults[0]; r.Code != 0 {
		t.Fatalf("good tx: %d %s", r.Code, r.Log)
	}
	if r := res.TxResults[1]; r.Codespace != "petro" || r.Code != 1 {
		t.Fatalf("panicking tx: %s/%d %s, want petro/1", r.Codespace, r.Code, r.Log)
	}
}

// CheckTx and PreVerify (run on CometBFT's peer goroutines) turn a panic
// into the tx's refusal (#17).
func TestCheckTxPanicRefusesTheTx(t *testing.T) {
	a := fixture(t)
	bad := testutil.SendTx(t, sender, senderSeq, recipient, 100)
	defer app.SetDecodeHook(func(raw []byte) {
		if bytes.Equal(raw, bad) {
			panic("injected panic")
		}
	})()
	a.PreVerify(bad) // must not panic
	if resp := checkTx(t, a, bad); resp.Codespace != "petro" || resp.Code != 1 {
		t.Fatalf("CheckTx of a panicking tx: %s/%d %s, want petro/1", resp.Codespace, resp.Code, resp.Log)
	}
	good := testutil.SendTx(t, sender, senderSeq, recipient, 101)
	if resp := checkTx(t, a, good); resp.Code != 0 {
		t.Fatalf("next tx after the panic: %d %s", resp.Code, resp.Log)
	}
}
