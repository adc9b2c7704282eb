package keeper

import (
	"encoding/binary"
	"errors"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/x/authority/types"
)

var (
	errorsIs  = errors.Is
	unmarshal = proto.Unmarshal
)

// InitGenesis validates and stores gs.
func (k Keeper) InitGenesis(kv store.KVStore, gs *types.GenesisState) error {
	if gs.Params == nil {
		gs.Params = types.DefaultParams()
	}
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := set(kv, types.ParamsKey, gs.Params); err != nil {
		return err
	}
	if c := gs.GetCouncil(); c != nil && len(c.Members) > 0 {
		c.Normalize()
		if err := set(kv, types.CouncilKey, c); err != nil {
			return err
		}
	}
	for _, r := range gs.Roles {
		addr, err := parseAddr(r.Address)
		if err != nil {
			return err
		}
		if err := set(kv, types.RoleKey(r.Role, addr), r); err != nil {
			return err
		}
	}
	for _, v := range gs.Validators {
		if err := k.setValidator(kv, cloneValidator(v)); err != nil {
			return err
		}
	}
	for _, p := range gs.Peers {
		if err := set(kv, types.PeerKey(p.NodeId), p); err != nil {
			return err
		}
	}
	for _, p := range gs.Proposals {
		if err := k.setProposal(kv, p); err != nil {
			return err
		}
		if s := p.Status; s == types.ProposalStatus_PROPOSAL_STATUS_VOTING || s == types.ProposalStatus_PROPOSAL_STATUS_PASSED {
			if err := kv.Set(types.ActiveKey(p.Id), []byte{1}); err != nil {
				return err
			}
		}
	}
	if gs.NextProposalId != 0 {
		if err := kv.Set(types.NextIDKey, binary.BigEndian.AppendUint64(nil, gs.NextProposalId)); err != nil {
			return err
		}
	}
	if p := gs.GetUpgradePlan(); p != nil {
		if err := set(kv, types.UpgradePlanKey, p); err != nil {
			return err
		}
	}
	for _, u := range gs.AppliedUpgrades {
		if err := set(kv, types.UpgradeDoneKey(u.Height), u); err != nil {
			return err
		}
	}
	if gs.AppVersion != 0 {
		return kv.Set(types.AppVersionKey, binary.BigEndian.AppendUint64(nil, gs.AppVersion))
	}
	return nil
}

// ExportGenesis returns the council, roles, validators (with node IDs),
// peers, params, every proposal and the next proposal id, the scheduled
// upgrade plan, every applied upgrade and the stored app version.
func (k Keeper) ExportGenesis(kv store.KVStore) (*types.GenesisState, error) {
	gs := &types.GenesisState{}
	var err error
	if gs.Council, err = k.Council(kv); err != nil {
		return nil, err
	}
	if gs.Params, err = k.Params(kv); err != nil {
		return nil, err
	}
	if err = k.IterateGrants(kv, types.RolePrefix, func(g *types.RoleGrant) bool { gs.Roles = append(gs.Roles, g); return false }); err != nil {
		return nil, err
	}
	if gs.Validators, err = k.Validators(kv); err != nil {
		return nil, err
	}
	if gs.Peers, err = k.AllowedPeers(kv); err != nil {
		return nil, err
	}
	if err = iterate(kv, types.ProposalPrefix, func() proto.Message { return &types.Proposal{} }, func(m proto.Message) bool {
		gs.Proposals = append(gs.Proposals, m.(*types.Proposal))
		return false
	}); err != nil {
		return nil, err
	}
	bz, err := kv.Get(types.NextIDKey)
	if err != nil {
		return nil, err
	}
	if len(bz) == 8 {
		gs.NextProposalId = binary.BigEndian.Uint64(bz)
	}
	if gs.UpgradePlan, err = k.UpgradePlan(kv); err != nil {
		return nil, err
	}
	if err = iterate(kv, types.UpgradeDonePrefix, func() proto.Message { return &types.AppliedUpgrade{} }, func(m proto.Message) bool {
		gs.AppliedUpgrades = append(gs.AppliedUpgrades, m.(*types.AppliedUpgrade))
		return false
	}); err != nil {
		return nil, err
	}
	// The stored version, not AppVersion's default: 0 when no upgrade set one.
	if bz, err = kv.Get(types.AppVersionKey); err != nil {
		return nil, err
	}
	if len(bz) == 8 {
		gs.AppVersion = binary.BigEndian.Uint64(bz)
	}
	return gs, nil
}

// SetGenesisValidators stores validators taken from CometBFT's genesis,
// which carry no node ID; only key and power are checked.
func (k Keeper) SetGenesisValidators(kv store.KVStore, vals []*types.Validator) error {
	seen := map[string]bool{}
	for _, v := range vals {
		if err := types.ValidatePubKey(v.PubKey); err != nil {
			return err
		}
		if v.Power <= 0 || seen[string(v.PubKey)] {
			return types.ErrInvalidGenesis.Wrapf("validator %s: bad power or duplicate", types.ConsAddressHex(v.PubKey))
		}
		seen[string(v.PubKey)] = true
		if err := k.setValidator(kv, cloneValidator(v)); err != nil {
			return err
		}
	}
	return nil
}
