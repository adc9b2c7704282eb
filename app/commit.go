package app

import (
	"context"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
)

// Commit saves the working tree as the next version in one atomic write,
// resets the check state to it, prunes old versions and tells listeners.
func (a *App) Commit(_ context.Context, _ *abci.RequestCommit) (*abci.ResponseCommit, error) {
	version, _, err := a.cs.Commit()
	if err != nil {
		// The node cannot go on without durable state.
		return nil, fmt.Errorf("commit: %w", err)
	}
	a.checkMu.Lock() // read by CheckTx and by Simulate on gRPC goroutines
	a.lastBlockTime = a.pendingTime
	a.checkMu.Unlock()
	if err := a.resetCheckState(); err != nil {
		return nil, err
	}
	if k := a.opts.PruneKeepRecent; k > 0 && version > k {
		retain := a.snapshots.retainFrom(version - k + 1) // not under a running snapshot
		if err := a.cs.Prune(retain); err != nil {
			a.logger.Error("prune failed", "retain_from", retain, "err", err)
		}
	}
	if a.peersChanged {
		a.peersChanged = false
		if err := a.reloadPeers(); err != nil {
			return nil, fmt.Errorf("commit: reload peer allowlist: %w", err)
		}
	}
	txs, results := a.pendingTxs, a.pendingResults
	a.pendingHeight, a.pendingTxs, a.pendingResults = 0, nil, nil
	a.listenersMu.RLock()
	for _, l := range a.listeners {
		l(version, txs, results)
	}
	a.listenersMu.RUnlock()
	a.snapshots.afterCommit(a.cs, version) // in the background, from the committed version
	// CometBFT's blocks are kept (RetainHeight 0): they are the audit trail.
	return &abci.ResponseCommit{}, nil
}
