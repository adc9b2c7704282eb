package app

import (
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	authoritykeeper "github.com/petro-network/petro/x/authority/keeper"
)

// endBlock runs after the block's txs, module by module, each on its own
// branch: council proposals move forward (executed validator changes
// become CometBFT validator updates), redemptions past their deadline
// expire, the open reserve round settles if its quorum reported and the
// backing status is recomputed from block time; last, the bounded
// invariants are checked (a breach stops issuance, see blockInvariants).
//
// A module that fails (only a bug could make it) has its branch dropped
// and the error logged; the others still run — an invalid validator
// update would halt every node, a skipped step only delays it. If the
// reserve step fails, the backing is forced to STALE so issuance stops
// until it is computed again.
func (a *App) endBlock(ctx petro.Context) ([]abci.Event, []abci.ValidatorUpdate) {
	var events []abci.Event
	step := func(name string, run func(petro.Context) error) bool {
		branch := store.NewBranch(ctx.Store())
		bctx := ctx.WithStore(branch)
		if endBlockStoreHook != nil {
			bctx = ctx.WithStore(endBlockStoreHook(name, branch))
		}
		err := run(bctx)
		if err == nil {
			err = branch.Write()
		}
		if err != nil {
			a.logger.Error("end block step failed; its changes are dropped this block", "step", name, "height", ctx.BlockHeight(), "err", err)
			return false
		}
		for _, ev := range bctx.Events() {
			events = append(events, toABCIEvent(ev))
		}
		return true
	}
	var res, ran authoritykeeper.EndBlockResult
	if step("authority", func(c petro.Context) (err error) {
		ran, err = a.authority.EndBlock(c, a.actions())
		return err
	}) {
		res = ran // a failed step contributes nothing: no state, no validator updates, no peer changes
	}
	step("token", a.token.EndBlock) // after proposals: a wipe or a new lot counts this block
	if !step("reserve", a.reserve.EndBlock) {
		step("reserve-stale", a.reserve.ForceStale)
	}
	step("invariants", a.blockInvariants) // last: sees the block's final state
	a.peersChanged = a.peersChanged || res.PeersChanged
	updates := make([]abci.ValidatorUpdate, len(res.ValidatorUpdates))
	for i, u := range res.ValidatorUpdates {
		updates[i] = abci.Ed25519ValidatorUpdate(u.PubKey, u.Power)
	}
	return events, updates
}

// endBlockStoreHook, when set (tests only, to inject a store failure),
// wraps the branch each end-block step runs on.
var endBlockStoreHook func(step string, kv store.KVStore) store.KVStore
