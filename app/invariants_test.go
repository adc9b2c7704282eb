package app_test

import (
	"context"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	petro "github.com/petro-network/petro/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// A broken invariant in a block stops issuance from then on (token/40),
// with an invariant_broken event, and no panic or failed block (#17).
func TestBrokenInvariantStopsIssuance(t *testing.T) {
	c := newIssuanceChain(t)
	c.attest(1000 * reservetypes.OneBarrel)
	c.expect("issue before the breach", kIssuer, msgIssue(kIssuer, kHolder, ptr), "", 0)

	// ARRANGE: a ledger no handler would produce: issued − burned ≠ supply.
	kv := c.a.WorkingStore()
	totals := &tokentypes.Totals{}
	if _, err := petro.GetProto(kv, tokentypes.TotalsKey, totals); err != nil {
		t.Fatal(err)
	}
	totals.Issued++
	if err := petro.SetProto(kv, tokentypes.TotalsKey, totals); err != nil {
		t.Fatal(err)
	}

	// ACT: the next block (no txs) runs the end-block check.
	c.h++
	resp := finalizeRaw(t, c, nil)

	// ASSERT: the event names the invariant; issuance refuses from now on.
	found := false
	for _, ev := range resp.Events {
		if ev.Type == tokentypes.EventTypeInvariantBroken {
			found = true
		}
	}
	if !found {
		t.Fatalf("no %s event in %v", tokentypes.EventTypeInvariantBroken, resp.Events)
	}
	c.h++
	res := finalizeRaw(t, c, [][]byte{c.tx(kIssuer, msgIssue(kIssuer, kHolder, ptr))}).TxResults[0]
	if res.Codespace != tokentypes.Codespace || res.Code != tokentypes.ErrIssuanceStopped.Code {
		t.Fatalf("issue after the breach: %s/%d %s, want token/40", res.Codespace, res.Code, res.Log)
	}
	kvc, _, _ := c.a.StateAt(0)
	if stop, _ := c.a.IssuanceStop(kvc); stop == "" {
		t.Fatal("no stop reason in committed state")
	}
}

// finalizeRaw runs FinalizeBlock and Commit without the invariant
// assertions of testutil.Block (the state is broken on purpose).
func finalizeRaw(t *testing.T, c *issuanceChain, txs [][]byte) *abci.ResponseFinalizeBlock {
	t.Helper()
	c.now = c.now.Add(5e9)
	resp, err := c.a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Txs: txs, Height: c.h, Time: c.now})
	if err != nil {
		t.Fatalf("FinalizeBlock: %v", err)
	}
	if _, err := c.a.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	return resp
}
