package keeper

import (
	"encoding/binary"
	"strconv"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/authority/types"
)

// EndBlockResult is what the end-block hands back to the app.
type EndBlockResult struct {
	ValidatorUpdates []ValidatorUpdate
	PeersChanged     bool
}

// EndBlock moves every active proposal forward at block time, in id
// order: a VOTING proposal whose approvals by current members reach the
// threshold becomes PASSED (executable after the timelock); one past its
// lifetime becomes EXPIRED; a PASSED proposal whose timelock has elapsed
// is executed on its own branch — EXECUTED if it applies, FAILED (nothing
// applied, reason kept) if not. A validator change that would exceed this
// block's power-change cap, or touch a validator already changed in this
// block, waits for the next block.
//
// On error the result is empty: the caller drops the step's branch, so
// nothing it accumulated (validator updates, peer changes) may leave it.
func (k Keeper) EndBlock(ctx petro.Context, ext types.ActionExecutor) (EndBlockResult, error) {
	res, err := k.endBlock(ctx, ext)
	if err != nil {
		return EndBlockResult{}, err
	}
	return res, nil
}

func (k Keeper) endBlock(ctx petro.Context, ext types.ActionExecutor) (EndBlockResult, error) {
	var res EndBlockResult
	kv := ctx.Store()
	ids, err := k.activeIDs(kv)
	if err != nil || len(ids) == 0 {
		return res, err
	}
	before, err := k.Validators(kv)
	if err != nil {
		return res, err
	}
	var startTotal, blockDelta int64
	for _, v := range before {
		startTotal += v.Power
	}
	touched := map[string]bool{}
	now := ctx.BlockTime().Unix()
	for _, id := range ids {
		p, err := k.Proposal(kv, id)
		if err != nil {
			return res, err
		}
		if p.Status == types.ProposalStatus_PROPOSAL_STATUS_VOTING {
			council, err := k.Council(kv)
			if err != nil {
				return res, err
			}
			approvals, err := k.countApprovals(kv, council, p)
			if err != nil {
				return res, err
			}
			switch {
			case now > p.ExpiresAtUnix: // expiry first: a late recount cannot revive it
				if err := k.finalize(ctx, p, types.ProposalStatus_PROPOSAL_STATUS_EXPIRED, "lifetime ended before the threshold"); err != nil {
					return res, err
				}
				continue
			case approvals >= int(council.Threshold) && council.Threshold > 0:
				params, err := k.Params(kv)
				if err != nil {
					return res, err
				}
				p.Status, p.PassedHeight = types.ProposalStatus_PROPOSAL_STATUS_PASSED, ctx.BlockHeight()
				p.ExecutableAtUnix = now + int64(params.TimelockSeconds)
				ctx.EmitEvent(petro.NewEvent(types.EventTypeProposalPassed,
					"proposal_id", strconv.FormatUint(p.Id, 10), "executable_at", strconv.FormatInt(p.ExecutableAtUnix, 10)))
			default:
				continue
			}
		}
		if p.Status != types.ProposalStatus_PROPOSAL_STATUS_PASSED || now < p.ExecutableAtUnix {
			if err := k.setProposal(kv, p); err != nil {
				return res, err
			}
			continue
		}
		if pk := validatorKeyOf(p.Action); pk != nil && touched[string(pk)] {
			if err := k.setProposal(kv, p); err != nil { // retried next block
				return res, err
			}
			continue
		}
		branch := store.NewBranch(kv)
		bctx := ctx.WithStore(branch)
		upd, execErr := k.execute(bctx, p, ext, blockDelta, startTotal)
		if execErr != nil {
			if isPowerCapDeferral(execErr, blockDelta) {
				if err := k.setProposal(kv, p); err != nil {
					return res, err
				}
				continue
			}
			branch.Discard()
			_, _, log := petro.ABCIInfo(execErr)
			if err := k.finalize(ctx, p, types.ProposalStatus_PROPOSAL_STATUS_FAILED, log); err != nil {
				return res, err
			}
			continue
		}
		if err := branch.Write(); err != nil {
			return res, err
		}
		for _, ev := range bctx.Events() { // the action's own events (validator_update, lot, wipe…)
			ctx.EmitEvent(ev)
		}
		if upd != nil {
			touched[string(upd.PubKey)] = true
			res.ValidatorUpdates = append(res.ValidatorUpdates, *upd)
			blockDelta += powerDelta(before, *upd)
		}
		res.PeersChanged = res.PeersChanged || TouchesPeers(p.Action)
		if err := k.finalize(ctx, p, types.ProposalStatus_PROPOSAL_STATUS_EXECUTED, ""); err != nil {
			return res, err
		}
	}
	// The last gate: never hand CometBFT an update it would halt on.
	if err := ValidateUpdates(before, res.ValidatorUpdates); err != nil {
		return res, err
	}
	return res, nil
}

func (k Keeper) finalize(ctx petro.Context, p *types.Proposal, st types.ProposalStatus, result string) error {
	p.Status, p.FinalHeight, p.Result = st, ctx.BlockHeight(), result
	if err := k.setProposal(ctx.Store(), p); err != nil {
		return err
	}
	if err := ctx.Store().Delete(types.ActiveKey(p.Id)); err != nil {
		return err
	}
	ctx.EmitEvent(petro.NewEvent(types.EventTypeProposalFinalized,
		"proposal_id", strconv.FormatUint(p.Id, 10), "status", st.String(), "result", result))
	return nil
}

func (Keeper) activeIDs(kv store.KVStore) ([]uint64, error) {
	it, err := kv.Iterator(types.ActivePrefix, petro.PrefixEnd(types.ActivePrefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var ids []uint64
	for ; it.Valid(); it.Next() {
		ids = append(ids, binary.BigEndian.Uint64(it.Key()[len(types.ActivePrefix):]))
	}
	return ids, it.Error()
}

// countApprovals counts approvals by members of the current council who
// are not frozen now.
func (k Keeper) countApprovals(kv store.KVStore, c *types.Council, p *types.Proposal) (int, error) {
	n := 0
	for _, a := range p.Approvals {
		if !c.IsMember(a) {
			continue
		}
		frozen, err := k.isFrozen(kv, a)
		if err != nil {
			return 0, err
		}
		if !frozen {
			n++
		}
	}
	return n, nil
}

func validatorKeyOf(a *types.Action) []byte {
	switch s := a.GetSum().(type) {
	case *types.Action_AddValidator:
		return s.AddValidator.GetValidator().GetPubKey()
	case *types.Action_RemoveValidator:
		return s.RemoveValidator.GetPubKey()
	case *types.Action_SetValidatorPower:
		return s.SetValidatorPower.GetPubKey()
	}
	return nil
}

// isPowerCapDeferral: the cap was hit only because of earlier changes in
// this block, so the change may go through next block.
func isPowerCapDeferral(err error, blockDelta int64) bool {
	return blockDelta > 0 && errorsIs(err, types.ErrPowerChangeTooLarge)
}

func powerDelta(before []*types.Validator, u ValidatorUpdate) int64 {
	var old int64
	if v := find(before, u.PubKey); v != nil {
		old = v.Power
	}
	return abs(u.Power - old)
}

// parseAddr decodes an address that ValidateBasic or genesis validation
// already accepted; a failure is still reported, never a zero address.
func parseAddr(s string) (crypto.Address, error) {
	a, err := crypto.AddressFromBech32(s)
	if err != nil {
		return crypto.Address{}, types.ErrInvalidAddress.Wrapf("%q: %v", s, err)
	}
	return a, nil
}
