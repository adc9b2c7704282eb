package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/store"
)

// Operational guards of `petrod start`: the halt height for coordinated
// upgrades and the genesis/data consistency check.

// haltGuard wraps the app for a node with app.toml halt_height = H > 0:
// the commit of height H signals Halted (RunNode then shuts down cleanly,
// exit code 0); no block above H is ever executed — proposals above H are
// rejected (so validators sharing the halt height never decide H+1) and
// FinalizeBlock above H fails (a backstop if the rest of the network
// decides H+1 without this node: CometBFT stops consensus on this node,
// which is shutting down anyway; the stored block is replayed by the next
// binary).
type haltGuard struct {
	*app.App
	height int64
	once   sync.Once
	halted chan struct{}
}

func newHaltGuard(a *app.App, height int64) *haltGuard {
	g := &haltGuard{App: a, height: height, halted: make(chan struct{})}
	if height > 0 {
		a.AddCommitListener(func(h int64, _ [][]byte, _ []*abci.ExecTxResult) {
			if h >= g.height {
				g.once.Do(func() { close(g.halted) })
			}
		})
	}
	return g
}

// Halted is closed once the halt height is committed (never if halt_height is 0).
func (g *haltGuard) Halted() <-chan struct{} { return g.halted }

func (g *haltGuard) ProcessProposal(ctx context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	if g.height > 0 && req.Height > g.height {
		return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
	}
	return g.App.ProcessProposal(ctx, req)
}

func (g *haltGuard) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	if g.height > 0 && req.Height > g.height {
		return nil, fmt.Errorf("halt height %d reached (app.toml halt_height): refusing to execute block %d; set halt_height = 0 and restart to continue", g.height, req.Height)
	}
	return g.App.FinalizeBlock(ctx, req)
}

// checkHaltHeight fails fast when the node has already committed the halt
// height: it could only stop again.
func checkHaltHeight(haltHeight, lastCommitted int64) error {
	if haltHeight > 0 && lastCommitted >= haltHeight {
		return fmt.Errorf("app.toml halt_height = %d, but this node has already committed height %d: set halt_height = 0 (or a later height) to continue", haltHeight, lastCommitted)
	}
	return nil
}

// checkGenesisMatchesData fails fast when config/genesis.json is not the
// genesis of the chain held in data/. CometBFT v0.38 keeps the genesis it
// first started with in data/state.db and silently prefers it over the
// file, while the app is opened with the file's chain id: a replaced
// genesis would make this node verify signatures for the wrong chain and
// compute different app hashes than its peers.
func checkGenesisMatchesData(cfg *cmtcfg.Config, genDoc *cmttypes.GenesisDoc) error {
	if _, err := os.Stat(filepath.Join(cfg.DBDir(), "state.db")); err != nil {
		return nil // a fresh node: nothing to compare with
	}
	db, err := store.OpenDB(cometBackend(cfg.DBBackend), cfg.DBDir(), "state")
	if err != nil {
		return fmt.Errorf("open %s: %w", filepath.Join(cfg.DBDir(), "state.db"), err)
	}
	defer db.Close()
	bz, err := db.Get([]byte("genesisDoc"))
	if err != nil {
		return fmt.Errorf("read %s: %w", filepath.Join(cfg.DBDir(), "state.db"), err)
	}
	if len(bz) == 0 {
		return nil
	}
	var stored *cmttypes.GenesisDoc
	if err := cmtjson.Unmarshal(bz, &stored); err != nil {
		return fmt.Errorf("%s: stored genesis does not decode: %w", filepath.Join(cfg.DBDir(), "state.db"), err)
	}
	if diff := genesisDiff(stored, genDoc); diff != "" {
		return fmt.Errorf("%s does not match the chain in %s: %s; restore the genesis.json this node was started with, or move %s aside to join the new chain from scratch",
			cfg.GenesisFile(), cfg.DBDir(), diff, cfg.DBDir())
	}
	return nil
}

// genesisDiff names the first difference between the genesis stored in
// data/ and the file's ("" if they describe the same chain). Whitespace in
// app_state does not count.
func genesisDiff(stored, file *cmttypes.GenesisDoc) string {
	switch {
	case stored.ChainID != file.ChainID:
		return fmt.Sprintf("chain id %q in the file, %q in data", file.ChainID, stored.ChainID)
	case stored.InitialHeight != file.InitialHeight:
		return fmt.Sprintf("initial_height %d in the file, %d in data", file.InitialHeight, stored.InitialHeight)
	case !stored.GenesisTime.Equal(file.GenesisTime):
		return fmt.Sprintf("genesis_time %s in the file, %s in data", file.GenesisTime, stored.GenesisTime)
	case !bytes.Equal(stored.AppHash, file.AppHash):
		return "app_hash differs"
	case len(stored.Validators) != len(file.Validators):
		return fmt.Sprintf("%d validators in the file, %d in data", len(file.Validators), len(stored.Validators))
	}
	for i := range stored.Validators {
		s, f := stored.Validators[i], file.Validators[i]
		if !bytes.Equal(s.Address, f.Address) || s.Power != f.Power {
			return fmt.Sprintf("validator %d differs", i)
		}
	}
	if stored.ConsensusParams != nil && file.ConsensusParams != nil &&
		!bytes.Equal(stored.ConsensusParams.Hash(), file.ConsensusParams.Hash()) {
		return "consensus_params differ"
	}
	var a, b bytes.Buffer
	if json.Compact(&a, stored.AppState) != nil || json.Compact(&b, file.AppState) != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
		return "app_state differs"
	}
	return ""
}

// haltLogLine is the message logged when the halt height is committed
// (operators and tests grep for it).
const haltLogLine = "halt height reached"
