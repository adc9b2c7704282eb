package main

import (
	"context"

	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/server"
)

// preVerifyNode verifies a broadcast tx's signature on the gRPC handler's
// goroutine (app.PreVerify) before handing it to CometBFT, whose mempool
// runs CheckTx one tx at a time: CheckTx then hits the verified-signature
// cache, and verification spreads over every core. BENCHMARKS.md has the
// numbers.
type preVerifyNode struct {
	server.Node
	app *app.App
}

func (n preVerifyNode) BroadcastTxSync(ctx context.Context, tx cmttypes.Tx) (*coretypes.ResultBroadcastTx, error) {
	n.app.PreVerify(tx)
	return n.Node.BroadcastTxSync(ctx, tx)
}
