package types

// DefaultGenesis has no council, roles or allowlist; validators come from
// CometBFT's genesis when none are listed here.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// Validate checks every part; a chain with no council can never change its
// roles, validators or peers, so a council is required.
func (gs *GenesisState) Validate() error {
	if err := gs.GetParams().Validate(); err != nil {
		return ErrInvalidGenesis.Wrap(err.Error())
	}
	if gs.GetCouncil() != nil && len(gs.GetCouncil().GetMembers()) > 0 {
		if err := gs.Council.Validate(); err != nil {
			return ErrInvalidGenesis.Wrap(err.Error())
		}
	}
	type roleKey struct {
		addr string
		role Role
	}
	seenRole := map[roleKey]bool{}
	for _, r := range gs.GetRoles() {
		if err := validateAddress("role address", r.GetAddress()); err != nil {
			return ErrInvalidGenesis.Wrap(err.Error())
		}
		if err := ValidateRole(r.GetRole()); err != nil {
			return ErrInvalidGenesis.Wrap(err.Error())
		}
		if r.GetRole() != Role_ROLE_ISSUER && r.GetAllowance() != 0 {
			return ErrInvalidGenesis.Wrapf("%s: only issuers have an allowance", r.GetAddress())
		}
		k := roleKey{r.GetAddress(), r.GetRole()}
		if seenRole[k] {
			return ErrInvalidGenesis.Wrapf("duplicate role %s for %s", r.GetRole(), r.GetAddress())
		}
		seenRole[k] = true
	}
	seenKey, seenNode := map[string]bool{}, map[string]bool{}
	var total int64
	for _, v := range gs.GetValidators() {
		if err := v.ValidateBasic(); err != nil {
			return ErrInvalidGenesis.Wrap(err.Error())
		}
		k := string(v.PubKey)
		if seenKey[k] || seenNode[v.NodeId] {
			return ErrInvalidGenesis.Wrapf("duplicate validator %s", ConsAddressHex(v.PubKey))
		}
		seenKey[k], seenNode[v.NodeId] = true, true
		total += v.Power
		if total > MaxTotalVotingPower {
			return ErrInvalidGenesis.Wrap("total voting power too large")
		}
	}
	if n := len(gs.GetValidators()); n > int(gs.GetParams().GetMaxValidators()) {
		return ErrInvalidGenesis.Wrapf("%d validators > max_validators %d", n, gs.GetParams().GetMaxValidators())
	}
	seenPeer := map[string]bool{}
	for _, p := range gs.GetPeers() {
		if err := ValidateNodeID(p.GetNodeId()); err != nil {
			return ErrInvalidGenesis.Wrap(err.Error())
		}
		if seenPeer[p.NodeId] {
			return ErrInvalidGenesis.Wrapf("duplicate peer %s", p.NodeId)
		}
		seenPeer[p.NodeId] = true
	}
	var last uint64
	next := max(gs.GetNextProposalId(), 1) // 0: nothing proposed yet
	for _, p := range gs.GetProposals() {
		if p.GetId() <= last || p.GetId() >= next {
			return ErrInvalidGenesis.Wrapf("proposal %d: ids must be unique, ascending and below next_proposal_id %d", p.GetId(), gs.GetNextProposalId())
		}
		last = p.GetId()
		if ProposalStatus_name[int32(p.GetStatus())] == "" || p.GetStatus() == ProposalStatus_PROPOSAL_STATUS_UNSPECIFIED {
			return ErrInvalidGenesis.Wrapf("proposal %d: bad status %d", p.GetId(), p.GetStatus())
		}
	}
	return nil
}
