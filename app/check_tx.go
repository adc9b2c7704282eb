package app

import (
	"context"
	"fmt"
	"runtime/debug"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	authtypes "github.com/petro-network/petro/x/auth/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// CheckTx admits a tx to the mempool if it would succeed on the check
// state: decode, ante and every message. On success its effects (the
// sequence, balances) stay in the check state, so a wallet may send
// sequences n, n+1, n+2 before a block; a failure changes nothing.
//
// The decoded tx and its signature check usually come from the caches
// (PreVerify filled them before CheckTx; a recheck, which CometBFT runs on
// every tx left in the mempool after each block against the check state
// just reset to the committed state, finds its admission's). Ante and the
// messages always run in full, so a tx whose sequence or funds the block
// consumed is rejected on recheck.
//
// A new tx whose exact bytes the check state already holds (admitted since
// the last commit or by its recheck) is refused with tx/21, before its
// sequence would answer tx/13: CometBFT's cache normally refuses such a
// duplicate first, this covers a tx the cache evicted.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (resp *abci.ResponseCheckTx, _ error) {
	defer func() { // a bug reached by one tx refuses that tx, not the node
		if r := recover(); r != nil {
			a.logger.Error("check tx panicked; refusing the tx", "panic", r, "stack", string(debug.Stack()))
			resp = checkErr(fmt.Errorf("%w: panic checking the tx", petro.ErrInternal))
		}
	}()
	tx, err := a.Decode(req.Tx)
	if err != nil {
		return checkErr(err), nil
	}
	if a.localBreaches.Load() > 0 && issues(tx) { // this node's full invariant check failed
		return checkErr(tokentypes.ErrIssuanceStopped.Wrap("this node's invariant check failed; see its log")), nil
	}
	a.checkMu.Lock()
	defer a.checkMu.Unlock()
	if req.Type == abci.CheckTxType_New && a.pending.has(tx.Hash) {
		return checkErr(authtypes.ErrTxInMempool), nil
	}
	h, _ := a.cs.LastCommit()
	br := store.NewBranch(a.check)
	ctx := petro.NewContext(br, a.chainID, h+1, a.lastBlockTime)
	events, err := a.runTx(ctx, tx, false)
	if err == nil {
		err = br.Write()
	}
	if err != nil {
		delete(a.pending, tx.Hash) // a recheck that fails leaves the mempool
		return checkErr(err), nil
	}
	a.pending.add(tx.Hash)
	return &abci.ResponseCheckTx{Events: events}, nil
}

// pendingTxs are the hashes of the txs applied to the check state since
// the last commit: what the mempool holds, up to txs CometBFT dropped after
// CheckTx (mempool full) until the next commit. Guarded by checkMu.
type pendingTxs map[[32]byte]struct{}

func (p pendingTxs) has(h [32]byte) bool { _, ok := p[h]; return ok }

func (p *pendingTxs) add(h [32]byte) {
	if *p == nil {
		*p = pendingTxs{}
	}
	(*p)[h] = struct{}{}
}

// Simulate runs tx on a throw-away branch of the latest committed state.
// It is safe to call concurrently with block execution.
// A tx the check state holds (see CheckTx) answers tx/21, as a broadcast of
// it would.
func (a *App) Simulate(raw []byte) (height int64, events []abci.Event, err error) {
	tx, err := DecodeTx(raw)
	if err != nil {
		return 0, nil, err
	}
	kv, h, err := a.StateAt(0)
	if err != nil {
		return 0, nil, err
	}
	a.checkMu.Lock()
	blockTime, pending := a.lastBlockTime, a.pending.has(tx.Hash)
	a.checkMu.Unlock()
	if pending {
		return h, nil, authtypes.ErrTxInMempool
	}
	ctx := petro.NewContext(store.NewBranch(kv), a.chainID, h+1, blockTime)
	events, err = a.runTx(ctx, tx, false)
	return h, events, err
}

func checkErr(err error) *abci.ResponseCheckTx {
	space, code, log := errResult(err)
	return &abci.ResponseCheckTx{Codespace: space, Code: code, Log: log}
}

func issues(tx *Tx) bool {
	for _, m := range tx.Body.GetMessages() {
		if m.GetIssue() != nil {
			return true
		}
	}
	return false
}
