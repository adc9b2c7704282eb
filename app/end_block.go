package app

import (
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
)

// endBlock runs after the block's txs: council proposals move forward,
// executed validator changes become CometBFT validator updates, the open
// reserve round settles if its quorum reported, and the backing status is
// recomputed from block time. It runs on
// a branch; if anything fails (only a bug could make it), the branch is
// dropped, the error logged and no update emitted — an invalid update
// would halt every node, a skipped one only delays a proposal.
func (a *App) endBlock(ctx petro.Context) ([]abci.Event, []abci.ValidatorUpdate) {
	branch := store.NewBranch(ctx.Store())
	bctx := ctx.WithStore(branch)
	res, err := a.authority.EndBlock(bctx, a.actions())
	if err == nil {
		err = a.token.EndBlock(bctx) // expire redemptions past their deadline
	}
	if err == nil {
		// After proposals, so a council halt or a new lot counts this block.
		err = a.reserve.EndBlock(bctx)
	}
	if err == nil {
		err = branch.Write()
	}
	if err != nil {
		a.logger.Error("end block failed; no proposal advanced this block", "height", ctx.BlockHeight(), "err", err)
		return nil, nil
	}
	a.peersChanged = a.peersChanged || res.PeersChanged
	events := make([]abci.Event, 0, len(bctx.Events()))
	for _, ev := range bctx.Events() {
		events = append(events, toABCIEvent(ev))
	}
	updates := make([]abci.ValidatorUpdate, len(res.ValidatorUpdates))
	for i, u := range res.ValidatorUpdates {
		updates[i] = abci.Ed25519ValidatorUpdate(u.PubKey, u.Power)
	}
	return events, updates
}
