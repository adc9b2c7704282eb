package main

import (
	"context"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
)

// TestPreVerifyClientsNewTxsOnly: the mempool connection's client
// pre-verifies new txs (both CheckTx entry points) and never rechecks,
// then passes the request on unchanged.
func TestPreVerifyClientsNewTxsOnly(t *testing.T) {
	var seen [][]byte
	c, err := preVerifyClients{app: abci.NewBaseApplication(), preVerify: func(tx []byte) { seen = append(seen, tx) }}.NewABCIClient()
	if err != nil {
		t.Fatal(err)
	}
	c.SetResponseCallback(func(*abci.Request, *abci.Response) {})
	ctx := context.Background()
	if _, err := c.CheckTxAsync(ctx, &abci.RequestCheckTx{Tx: []byte("a"), Type: abci.CheckTxType_New}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CheckTx(ctx, &abci.RequestCheckTx{Tx: []byte("b"), Type: abci.CheckTxType_New}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CheckTxAsync(ctx, &abci.RequestCheckTx{Tx: []byte("c"), Type: abci.CheckTxType_Recheck}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || string(seen[0]) != "a" || string(seen[1]) != "b" {
		t.Fatalf("pre-verified %q, want [a b]", seen)
	}
}
