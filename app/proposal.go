package app

import (
	"context"

	abci "github.com/cometbft/cometbft/abci/types"
)

// PrepareProposal keeps the mempool's order and drops any tx that does not
// decode or whose signature fails, within the block byte limit. Every
// block it builds passes ProcessProposal.
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	_, errs := a.decodeAndVerify(req.Txs)
	out := make([][]byte, 0, len(req.Txs))
	var size int64
	for i, tx := range req.Txs {
		if errs[i] != nil {
			continue
		}
		if size+int64(len(tx)) > req.MaxTxBytes {
			break
		}
		size += int64(len(tx))
		out = append(out, tx)
	}
	return &abci.ResponsePrepareProposal{Txs: out}, nil
}

// ProcessProposal rejects a block holding a tx that does not decode or is
// not validly signed; stateful failures (funds, sequence) are left to
// FinalizeBlock, which records them. It never panics: any panic is a
// rejection.
func (a *App) ProcessProposal(_ context.Context, req *abci.RequestProcessProposal) (resp *abci.ResponseProcessProposal, err error) {
	defer func() {
		if r := recover(); r != nil {
			a.logger.Error("process proposal panicked; rejecting", "height", req.Height, "panic", r)
			resp, err = &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
		}
	}()
	_, errs := a.decodeAndVerify(req.Txs)
	for i, e := range errs {
		if e != nil {
			a.logger.Info("rejecting proposal", "height", req.Height, "tx", i, "err", e)
			return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
		}
	}
	return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_ACCEPT}, nil
}
