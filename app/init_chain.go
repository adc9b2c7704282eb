package app

import (
	"context"
	"encoding/json"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"github.com/petro-network/petro/internal/store"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

// InitChain loads app_state into the working tree. Nothing is persisted
// until the first block's Commit; after a crash before that, CometBFT
// calls InitChain again.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	if req.ChainId != a.chainID {
		return nil, fmt.Errorf("init chain: genesis chain id %q, app opened for %q", req.ChainId, a.chainID)
	}
	// A chain restarted from an export (petrod export) starts at the
	// exported height + 1: the first version committed is that height.
	initial := max(req.InitialHeight, 1)
	if err := a.cs.SetInitialVersion(initial); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	a.initialHeight = initial
	gs := DefaultGenesis()
	if len(req.AppStateBytes) > 0 {
		if err := json.Unmarshal(req.AppStateBytes, gs); err != nil {
			return nil, fmt.Errorf("init chain: %w", err)
		}
	}
	// Genesis goes through a branch, which writes in key order: the tree's
	// shape (and so the app hash) does not depend on the order of entries
	// in genesis.json.
	kv := store.NewBranch(a.cs.Working())
	if err := a.auth.InitGenesis(kv, gs.Auth); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	if err := a.token.InitGenesis(kv, gs.Token); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	if err := a.reserve.InitGenesis(kv, gs.Reserve); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	vals, err := a.initValidators(kv, gs.Authority, req.Validators)
	if err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	// Rules across modules, on the whole genesis state: the reserve quorum
	// is within the oracles x/authority grants, and the council's unfrozen
	// members reach its threshold.
	if err := a.reserve.CheckGenesisQuorum(kv); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	if err := a.authority.CheckCouncilReach(kv); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	// Upgrades: applied ones lie before the initial height, a plan after
	// it, and this binary runs the state they leave (as CheckUpgrades).
	if err := gs.Authority.ValidateUpgradesAt(initial); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	if err := a.checkBinary(kv, initial-1); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	appVersion, err := a.authority.AppVersion(kv)
	if err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	// An export's last block (height initial−1, at genesis time) is where
	// CheckTx's block time comes from until the first new block.
	if initial > 1 {
		if err := setLastBlock(kv, initial-1, req.Time); err != nil {
			return nil, fmt.Errorf("init chain: %w", err)
		}
	}
	if err := kv.Write(); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	if err := a.loadPeers(a.cs.Working()); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	// Until block 1 commits, CheckTx sees the genesis state (the working
	// tree; CheckTx and FinalizeBlock never run at once).
	a.checkMu.Lock()
	a.check = store.NewBranch(a.cs.Working())
	if initial > 1 {
		a.lastBlockTime = req.Time
	}
	a.checkMu.Unlock()
	// CometBFT's consensus params carry the genesis state's app version
	// (an export's: the version its upgrades left), so that the header
	// version and the params agree (a state rollback rebuilds the version
	// from the params).
	params := &cmtproto.ConsensusParams{Version: &cmtproto.VersionParams{App: appVersion}}
	return &abci.ResponseInitChain{AppHash: a.cs.WorkingHash(), Validators: vals, ConsensusParams: params}, nil
}

// initValidators stores x/authority's genesis and settles the validator
// set: the app's list when it has one (genesis.json's list, if any, must
// be the same set), otherwise genesis.json's, adopted without node IDs.
// App validators without a node ID (adopted ones, as petrod export writes
// them back) are stored the same way: key and power checked, no node ID.
// The set returned is what CometBFT starts with.
func (a *App) initValidators(kv store.KVStore, gs *authoritytypes.GenesisState, cmtVals []abci.ValidatorUpdate) ([]abci.ValidatorUpdate, error) {
	var withID, adopted []*authoritytypes.Validator
	for _, v := range gs.GetValidators() {
		if v.GetNodeId() == "" {
			adopted = append(adopted, v)
		} else {
			withID = append(withID, v)
		}
	}
	if len(gs.GetValidators()) == 0 {
		for _, u := range cmtVals {
			pk := u.PubKey.GetEd25519()
			if pk == nil {
				return nil, fmt.Errorf("genesis validator: only ed25519 keys are supported, got %T", u.PubKey.GetSum())
			}
			adopted = append(adopted, &authoritytypes.Validator{PubKey: pk, Power: u.Power})
		}
	}
	gs.Validators = withID
	if err := a.authority.InitGenesis(kv, gs); err != nil {
		return nil, err
	}
	if err := a.authority.SetGenesisValidators(kv, adopted); err != nil {
		return nil, err
	}
	gs.Validators = append(withID, adopted...)
	if n, max := len(gs.Validators), int(gs.GetParams().GetMaxValidators()); n > max {
		return nil, authoritytypes.ErrInvalidGenesis.Wrapf("%d validators > max_validators %d", n, max)
	}
	out := make([]abci.ValidatorUpdate, len(gs.Validators))
	want := map[string]int64{}
	for i, v := range gs.Validators {
		out[i] = abci.Ed25519ValidatorUpdate(v.PubKey, v.Power)
		want[string(v.PubKey)] = v.Power
	}
	if len(want) != len(gs.Validators) {
		return nil, authoritytypes.ErrInvalidGenesis.Wrap("a validator is listed twice (with and without a node ID)")
	}
	if len(cmtVals) > 0 {
		if len(cmtVals) != len(want) {
			return nil, fmt.Errorf("genesis.json lists %d validators, app_state.authority %d", len(cmtVals), len(want))
		}
		for _, u := range cmtVals {
			if p, ok := want[string(u.PubKey.GetEd25519())]; !ok || p != u.Power {
				return nil, fmt.Errorf("genesis.json validator %X (power %d) differs from app_state.authority", u.PubKey.GetEd25519(), u.Power)
			}
		}
	}
	return out, nil
}

// ExportGenesis returns the whole app state at a committed height (0: the
// latest) and that height. A chain started from it at initial height h+1
// with genesis time = block h's time has exactly this state (same app
// hash): see cmd/petrod export.
func (a *App) ExportGenesis(height int64) (*GenesisState, int64, error) {
	kv, h, err := a.StateAt(height)
	if err != nil {
		return nil, 0, err
	}
	auth, err := a.auth.ExportGenesis(kv)
	if err != nil {
		return nil, 0, err
	}
	authority, err := a.authority.ExportGenesis(kv)
	if err != nil {
		return nil, 0, err
	}
	reserve, err := a.reserve.ExportGenesis(kv)
	if err != nil {
		return nil, 0, err
	}
	token, err := a.token.ExportGenesis(kv)
	if err != nil {
		return nil, 0, err
	}
	return &GenesisState{Auth: auth, Authority: authority, Reserve: reserve, Token: token}, h, nil
}
