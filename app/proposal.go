package app

import (
	"cmp"
	"context"
	"slices"

	abci "github.com/cometbft/cometbft/abci/types"
)

// PrepareProposal keeps the mempool's order, except that each signer's txs
// are put in sequence order (in the positions that signer's txs hold), and
// drops any tx that does not decode or whose signature fails, within the
// block byte limit. Every block it builds passes ProcessProposal.
//
// The mempool's order can invert one signer's sequences: CometBFT's
// CListMempool appends a tx after the ABCI client's lock is released, so
// two concurrent CheckTx callers (peers' receive routines, broadcasts) can
// append in the opposite order to the one their CheckTx ran in. In a block
// that would fail the later tx with a sequence gap and every tx after it.
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	txs, errs := a.decodeAndVerify(req.Txs)
	var ok []*Tx
	for i, tx := range txs {
		if errs[i] == nil {
			ok = append(ok, tx)
		}
	}
	sortSequences(ok)
	out := make([][]byte, 0, len(ok))
	var size int64
	for _, tx := range ok {
		if size+int64(len(tx.Raw)) > req.MaxTxBytes {
			break
		}
		size += int64(len(tx.Raw))
		out = append(out, tx.Raw)
	}
	return &abci.ResponsePrepareProposal{Txs: out}, nil
}

// sortSequences reorders txs so that each signer's txs are in ascending
// sequence order, in the slots that signer's txs already occupy; every other
// tx keeps its place. Stable: equal sequences keep their order.
func sortSequences(txs []*Tx) {
	slots := map[string][]int{}
	for i, tx := range txs {
		slots[string(tx.Signer)] = append(slots[string(tx.Signer)], i)
	}
	for _, idx := range slots {
		if len(idx) < 2 {
			continue
		}
		mine := make([]*Tx, len(idx))
		for k, i := range idx {
			mine[k] = txs[i]
		}
		if slices.IsSortedFunc(mine, bySequence) {
			continue
		}
		slices.SortStableFunc(mine, bySequence)
		for k, i := range idx {
			txs[i] = mine[k]
		}
	}
}

func bySequence(x, y *Tx) int { return cmp.Compare(x.AuthInfo.Sequence, y.AuthInfo.Sequence) }

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
	if a.rejectUnhandledUpgrade(req.Height) {
		a.logger.Info("rejecting proposal: the height of an upgrade this binary has no handler for", "height", req.Height)
		return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
	}
	_, errs := a.decodeAndVerify(req.Txs)
	for i, e := range errs {
		if e != nil {
			a.logger.Info("rejecting proposal", "height", req.Height, "tx", i, "err", e)
			return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
		}
	}
	return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_ACCEPT}, nil
}
