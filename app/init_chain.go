package app

import (
	"context"
	"encoding/json"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
)

// InitChain loads app_state into the working tree. Nothing is persisted
// until the first block's Commit; after a crash before that, CometBFT
// calls InitChain again.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	if req.ChainId != a.chainID {
		return nil, fmt.Errorf("init chain: genesis chain id %q, app opened for %q", req.ChainId, a.chainID)
	}
	if req.InitialHeight > 1 {
		return nil, fmt.Errorf("init chain: initial height %d is not supported", req.InitialHeight)
	}
	gs := DefaultGenesis()
	if len(req.AppStateBytes) > 0 {
		if err := json.Unmarshal(req.AppStateBytes, gs); err != nil {
			return nil, fmt.Errorf("init chain: %w", err)
		}
	}
	kv := a.cs.Working()
	if err := a.auth.InitGenesis(kv, gs.Auth); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	if err := a.token.InitGenesis(kv, gs.Token); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	return &abci.ResponseInitChain{AppHash: a.cs.WorkingHash()}, nil
}

// ExportGenesis returns the app state at the latest committed height.
func (a *App) ExportGenesis() (*GenesisState, int64, error) {
	kv, h, err := a.StateAt(0)
	if err != nil {
		return nil, 0, err
	}
	auth, err := a.auth.ExportGenesis(kv)
	if err != nil {
		return nil, 0, err
	}
	token, err := a.token.ExportGenesis(kv)
	if err != nil {
		return nil, 0, err
	}
	return &GenesisState{Auth: auth, Token: token}, h, nil
}
