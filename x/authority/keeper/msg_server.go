package keeper

import (
	"strconv"

	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/authority/types"
)

// HandlePropose: authorise (council member, not frozen) → validate the action fully
// against current state → store the proposal with the proposer's approval
// → emit. The proposal may pass in this block's end-block.
func (k Keeper) HandlePropose(ctx petro.Context, m *types.MsgPropose, ext types.ActionExecutor) (uint64, error) {
	if err := m.ValidateBasic(); err != nil {
		return 0, err
	}
	kv := ctx.Store()
	council, err := k.Council(kv)
	if err != nil {
		return 0, err
	}
	if err := k.authorizeMember(kv, council, m.Proposer); err != nil {
		return 0, err
	}
	if err := k.ValidateAction(ctx, m.Action, ext); err != nil {
		return 0, err
	}
	params, err := k.Params(kv)
	if err != nil {
		return 0, err
	}
	id, err := k.nextProposalID(kv)
	if err != nil {
		return 0, err
	}
	now := ctx.BlockTime().Unix()
	p := &types.Proposal{
		Id: id, Proposer: m.Proposer, Action: m.Action, Memo: m.Memo,
		Approvals: []string{m.Proposer}, Status: types.ProposalStatus_PROPOSAL_STATUS_VOTING,
		SubmitHeight: ctx.BlockHeight(), SubmitTimeUnix: now,
		ExpiresAtUnix: now + int64(params.ProposalLifetimeSeconds),
	}
	if err := k.setProposal(kv, p); err != nil {
		return 0, err
	}
	if err := kv.Set(types.ActiveKey(id), []byte{1}); err != nil {
		return 0, err
	}
	ctx.EmitEvent(petro.NewEvent(types.EventTypeProposalSubmitted,
		"proposal_id", strconv.FormatUint(id, 10), "proposer", m.Proposer, "action", m.Action.Name()))
	return id, nil
}

// HandleApprove: authorise (council member, not frozen) → load → the proposal is still
// collecting approvals and not past its lifetime → not approved twice →
// record → emit.
func (k Keeper) HandleApprove(ctx petro.Context, m *types.MsgApprove) error {
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	kv := ctx.Store()
	council, err := k.Council(kv)
	if err != nil {
		return err
	}
	if err := k.authorizeMember(kv, council, m.Approver); err != nil {
		return err
	}
	p, err := k.Proposal(kv, m.ProposalId)
	if err != nil {
		return err
	}
	if p.Status != types.ProposalStatus_PROPOSAL_STATUS_VOTING {
		if p.Status == types.ProposalStatus_PROPOSAL_STATUS_EXPIRED {
			return types.ErrProposalExpired.Wrapf("proposal %d", p.Id)
		}
		return types.ErrProposalClosed.Wrapf("proposal %d is %s", p.Id, p.Status)
	}
	if ctx.BlockTime().Unix() > p.ExpiresAtUnix {
		return types.ErrProposalExpired.Wrapf("proposal %d expired at %d", p.Id, p.ExpiresAtUnix)
	}
	for _, a := range p.Approvals {
		if a == m.Approver {
			return types.ErrAlreadyApproved.Wrapf("%s on proposal %d", m.Approver, p.Id)
		}
	}
	p.Approvals = append(p.Approvals, m.Approver)
	if err := k.setProposal(kv, p); err != nil {
		return err
	}
	ctx.EmitEvent(petro.NewEvent(types.EventTypeProposalApproved,
		"proposal_id", strconv.FormatUint(p.Id, 10), "approver", m.Approver,
		"approvals", strconv.Itoa(len(p.Approvals))))
	return nil
}

// ValidateAction checks an action against current state as it would be
// executed now. Actions of other modules go to ext.
func (k Keeper) ValidateAction(ctx petro.Context, a *types.Action, ext types.ActionExecutor) error {
	if err := a.ValidateBasic(); err != nil {
		return err
	}
	kv := ctx.Store()
	switch s := a.GetSum().(type) {
	case *types.Action_GrantRole:
		addr, err := parseAddr(s.GrantRole.Address)
		if err != nil {
			return err
		}
		if has, err := k.HasRole(kv, addr, s.GrantRole.Role); err != nil {
			return err
		} else if has {
			return types.ErrRoleExists.Wrapf("%s already holds %s", s.GrantRole.Address, s.GrantRole.Role)
		}
	case *types.Action_RevokeRole:
		addr, err := parseAddr(s.RevokeRole.Address)
		if err != nil {
			return err
		}
		if has, err := k.HasRole(kv, addr, s.RevokeRole.Role); err != nil {
			return err
		} else if !has {
			return types.ErrRoleNotFound.Wrapf("%s does not hold %s", s.RevokeRole.Address, s.RevokeRole.Role)
		}
		if s.RevokeRole.Role == types.Role_ROLE_ORACLE && k.reserve != nil {
			oracles, err := k.Oracles(kv)
			if err != nil {
				return err
			}
			return k.reserve.CheckQuorum(kv, len(oracles)-1) // reserve/22: the quorum stays within reach
		}
	case *types.Action_SetAllowance:
		addr, err := parseAddr(s.SetAllowance.Address)
		if err != nil {
			return err
		}
		if has, err := k.HasRole(kv, addr, types.Role_ROLE_ISSUER); err != nil {
			return err
		} else if !has {
			return types.ErrRoleNotFound.Wrapf("%s is not an issuer", s.SetAllowance.Address)
		}
	case *types.Action_AddValidator, *types.Action_RemoveValidator, *types.Action_SetValidatorPower:
		_, _, err := k.powerChange(kv, a, 0, 0)
		return err
	case *types.Action_AllowPeer:
		// Allowing an allowed peer again only updates its note.
	case *types.Action_DenyPeer:
		bz, err := kv.Get(types.PeerKey(s.DenyPeer.NodeId))
		if err != nil {
			return err
		}
		if bz == nil {
			return types.ErrUnknownPeer.Wrap(s.DenyPeer.NodeId)
		}
	case *types.Action_SetParams:
		vals, err := k.Validators(kv)
		if err != nil {
			return err
		}
		if int(s.SetParams.Params.MaxValidators) < len(vals) {
			return types.ErrInvalidParams.Wrapf("max_validators %d < current %d validators", s.SetParams.Params.MaxValidators, len(vals))
		}
	case *types.Action_SetCouncil:
		return k.checkReach(kv, s.SetCouncil.Council, "") // frozen members do not count towards the threshold
	case *types.Action_ScheduleUpgrade, *types.Action_CancelUpgrade:
		return k.validateUpgradeAction(ctx, a)
	default:
		if ext == nil {
			return types.ErrInvalidAction.Wrapf("unsupported action %s", a.Name())
		}
		return ext.ValidateAction(ctx, a)
	}
	return nil
}

// execute applies a validated action; validator actions also return the
// update to send to CometBFT.
func (k Keeper) execute(ctx petro.Context, p *types.Proposal, ext types.ActionExecutor, blockDelta, blockStartTotal int64) (*ValidatorUpdate, error) {
	if err := k.ValidateAction(ctx, p.Action, ext); err != nil {
		return nil, err
	}
	kv := ctx.Store()
	switch s := p.Action.GetSum().(type) {
	case *types.Action_GrantRole:
		g := &types.RoleGrant{Address: s.GrantRole.Address, Role: s.GrantRole.Role, Allowance: s.GrantRole.Allowance, ProposalId: p.Id}
		addr, err := parseAddr(g.Address)
		if err != nil {
			return nil, err
		}
		return nil, set(kv, types.RoleKey(g.Role, addr), g)
	case *types.Action_RevokeRole:
		addr, err := parseAddr(s.RevokeRole.Address)
		if err != nil {
			return nil, err
		}
		return nil, kv.Delete(types.RoleKey(s.RevokeRole.Role, addr))
	case *types.Action_SetAllowance:
		addr, err := parseAddr(s.SetAllowance.Address)
		if err != nil {
			return nil, err
		}
		g, err := k.Grant(kv, addr, types.Role_ROLE_ISSUER)
		if err != nil {
			return nil, err
		}
		g.Allowance, g.ProposalId = s.SetAllowance.Allowance, p.Id
		return nil, set(kv, types.RoleKey(types.Role_ROLE_ISSUER, addr), g)
	case *types.Action_AddValidator, *types.Action_RemoveValidator, *types.Action_SetValidatorPower:
		upd, rec, err := k.powerChange(kv, p.Action, blockDelta, blockStartTotal)
		if err != nil {
			return nil, err
		}
		if rec.Power == 0 {
			err = kv.Delete(types.ValidatorKey(types.ConsAddress(rec.PubKey)))
		} else {
			err = k.setValidator(kv, rec)
		}
		if err != nil {
			return nil, err
		}
		ctx.EmitEvent(petro.NewEvent(types.EventTypeValidatorUpdate,
			"address", rec.Address, "power", strconv.FormatInt(rec.Power, 10), "node_id", rec.NodeId, "proposal_id", strconv.FormatUint(p.Id, 10)))
		return upd, nil
	case *types.Action_AllowPeer:
		return nil, set(kv, types.PeerKey(s.AllowPeer.Peer.NodeId), s.AllowPeer.Peer)
	case *types.Action_DenyPeer:
		return nil, kv.Delete(types.PeerKey(s.DenyPeer.NodeId))
	case *types.Action_SetParams:
		return nil, set(kv, types.ParamsKey, s.SetParams.Params)
	case *types.Action_SetCouncil:
		c := &types.Council{Members: append([]string(nil), s.SetCouncil.Council.Members...), Threshold: s.SetCouncil.Council.Threshold}
		c.Normalize()
		return nil, set(kv, types.CouncilKey, c)
	case *types.Action_ScheduleUpgrade, *types.Action_CancelUpgrade:
		return nil, k.executeUpgradeAction(ctx, p)
	default:
		return nil, ext.ExecuteAction(ctx, p.Action)
	}
}

// TouchesPeers reports whether an executed action changed who may connect.
func TouchesPeers(a *types.Action) bool {
	switch a.GetSum().(type) {
	case *types.Action_AddValidator, *types.Action_RemoveValidator, *types.Action_AllowPeer, *types.Action_DenyPeer:
		return true
	}
	return false
}
