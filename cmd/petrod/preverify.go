package main

import (
	"context"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/proxy"
)

// preVerifyClients is CometBFT's connection-synchronised local client creator
// (one mutex per ABCI connection: CheckTx runs while a block executes) whose
// clients verify a new tx's signature before taking their connection's lock.
//
// CometBFT's mempool calls CheckTx one tx at a time on the mempool connection,
// but from many goroutines: each RPC/gRPC broadcast and each peer's receive
// routine (gossiped txs). Signature verification is ~80 % of a new tx's
// CheckTx; done here it runs on all those goroutines in parallel and fills the
// app's verified-signature cache, so the serial CheckTx behind the lock is a
// cache hit. The lock is held ~5× shorter, which also keeps a peer's receive
// routine (shared with its consensus messages) from queueing behind other
// peers' txs. Results are unchanged: verify is idempotent and a tx that fails
// is verified again, and refused, by CheckTx. Rechecks skip it (their
// signatures were verified at admission). BENCHMARKS.md has the numbers.
type preVerifyClients struct {
	app       abci.Application
	preVerify func(tx []byte)
}

var _ proxy.ClientCreator = preVerifyClients{}

func (c preVerifyClients) NewABCIClient() (abcicli.Client, error) {
	return preVerifyClient{Client: abcicli.NewLocalClient(nil, c.app), preVerify: c.preVerify}, nil
}

type preVerifyClient struct {
	abcicli.Client
	preVerify func(tx []byte)
}

func (c preVerifyClient) CheckTxAsync(ctx context.Context, req *abci.RequestCheckTx) (*abcicli.ReqRes, error) {
	if req.Type == abci.CheckTxType_New {
		c.preVerify(req.Tx)
	}
	return c.Client.CheckTxAsync(ctx, req)
}

func (c preVerifyClient) CheckTx(ctx context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	if req.Type == abci.CheckTxType_New {
		c.preVerify(req.Tx)
	}
	return c.Client.CheckTx(ctx, req)
}
