package app

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"

	petro "github.com/petro-network/petro/types"
)

// FinalizeBlock executes the block's txs in order on the working tree and
// returns their results and the resulting app hash. It persists nothing:
// Commit does. A tx that fails is recorded with its code; the block stays
// valid.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	last, _ := a.cs.LastCommit()
	if want := max(last+1, a.initialHeight); req.Height != want {
		return nil, fmt.Errorf("finalize block: height %d, last committed %d", req.Height, last)
	}
	// A repeated FinalizeBlock for the same height (never by CometBFT v0.38,
	// but cheap to make safe) starts again from the committed state.
	if a.pendingHeight == req.Height {
		a.cs.Rollback()
	}
	ctx := petro.NewContext(a.cs.Working(), a.chainID, req.Height, req.Time)
	paramUpdates, upgradeEvents, err := a.beginBlockUpgrade(ctx) // a scheduled upgrade runs before any tx
	if err != nil {
		return nil, fmt.Errorf("finalize block %d: %w", req.Height, err)
	}
	txs, decodeErrs := a.decodeAndVerify(req.Txs)

	results := make([]*abci.ExecTxResult, len(req.Txs))
	for i := range req.Txs {
		var events []abci.Event
		err := decodeErrs[i]
		if err == nil {
			events, err = a.runTx(ctx, txs[i], true)
		}
		if err != nil {
			space, code, log := errResult(err)
			results[i] = &abci.ExecTxResult{Codespace: space, Code: code, Log: log}
		} else {
			results[i] = &abci.ExecTxResult{Events: events}
		}
		if decodeErrs[i] == nil { // signed by its signer: index it under its parties
			results[i].Events = append(results[i].Events, txIndexEvent(txs[i]))
		}
	}
	events, updates := a.endBlock(ctx)
	events = append(upgradeEvents, events...)
	if a.opts.CheckInvariants {
		// Node-local and never consensus: a breach is logged and counted,
		// and this node stops taking MsgIssue into its mempool.
		if err := a.CheckInvariants(ctx.Store()); err != nil {
			a.localBreaches.Add(1)
			a.logger.Error("full invariant check failed", "height", req.Height, "err", err)
		}
	}
	if err := setLastBlock(ctx.Store(), req.Height, req.Time); err != nil {
		return nil, fmt.Errorf("finalize block %d: %w", req.Height, err)
	}
	a.pendingHeight, a.pendingTxs, a.pendingResults, a.pendingTime = req.Height, req.Txs, results, req.Time
	return &abci.ResponseFinalizeBlock{
		TxResults:             results,
		Events:                events,
		ValidatorUpdates:      updates,
		ConsensusParamUpdates: paramUpdates,
		AppHash:               a.cs.WorkingHash(),
	}, nil
}

// decodeAndVerify decodes every tx and verifies the signatures not already
// in the cache, in parallel across cores. Results come back by index, so
// the order of application stays the block's order. A tx whose signature
// fails gets its error in errs and is not applied. A panic while decoding
// or verifying one tx (only a bug could cause it) is that tx's internal
// error: a worker never takes the node down.
func (a *App) decodeAndVerify(raws [][]byte) (txs []*Tx, errs []error) {
	txs, errs = make([]*Tx, len(raws)), make([]error, len(raws))
	workers := min(runtime.GOMAXPROCS(0), len(raws))
	var wg sync.WaitGroup
	next := make(chan int, len(raws))
	for i := range raws {
		next <- i
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				txs[i], errs[i] = a.decodeAndVerifyOne(raws[i])
			}
		}()
	}
	wg.Wait()
	return txs, errs
}

func (a *App) decodeAndVerifyOne(raw []byte) (tx *Tx, err error) {
	defer func() {
		if r := recover(); r != nil {
			a.logger.Error("decoding or verifying a tx panicked; the tx fails", "panic", r, "stack", string(debug.Stack()))
			tx, err = nil, fmt.Errorf("%w: panic decoding or verifying the tx", petro.ErrInternal)
		}
	}()
	if tx, err = a.Decode(raw); err != nil {
		return nil, err
	}
	return tx, a.verifySig(tx)
}

func itoa(i int) string { return strconv.Itoa(i) }
