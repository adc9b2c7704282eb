package types

import "fmt"

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
	if p := gs.UpgradeProblems(); len(p) > 0 {
		return ErrInvalidGenesis.Wrap(p[0])
	}
	return nil
}

// UpgradeProblems lists every problem of the upgrade state, in order:
// applied upgrades need valid, unique names at ascending heights and an
// app version; app_version is the one the last of them left (0 or 1
// without any); a plan needs a valid name not applied yet, a height above
// the applied ones and a proposal that was made (proposal_id 0: written
// by hand, not scheduled by the council). Validate reports the first as ErrInvalidGenesis.
func (gs *GenesisState) UpgradeProblems() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	var lastHeight int64
	version := uint64(GenesisAppVersion)
	seen := map[string]bool{}
	for _, u := range gs.GetAppliedUpgrades() {
		if err := ValidateUpgradeName(u.GetName()); err != nil {
			add("applied upgrade at height %d: %v", u.GetHeight(), err)
		}
		if u.GetHeight() <= lastHeight {
			add("applied upgrade %q at height %d: heights must be positive, unique and ascending", u.GetName(), u.GetHeight())
		}
		if seen[u.GetName()] {
			add("applied upgrade %q listed twice", u.GetName())
		}
		if u.GetAppVersion() < GenesisAppVersion {
			add("applied upgrade %q: app version %d, at least %d", u.GetName(), u.GetAppVersion(), GenesisAppVersion)
		}
		seen[u.GetName()], lastHeight, version = true, max(lastHeight, u.GetHeight()), u.GetAppVersion()
	}
	if v := gs.GetAppVersion(); v != 0 && v != version || v == 0 && version != GenesisAppVersion {
		add("app_version %d: the applied upgrades leave %d (0 means %d)", v, version, GenesisAppVersion)
	}
	p := gs.GetUpgradePlan()
	if p == nil {
		return out
	}
	if err := (&ScheduleUpgrade{Name: p.GetName(), Height: p.GetHeight(), Info: p.GetInfo()}).ValidateBasic(); err != nil {
		add("upgrade plan: %v", err)
	}
	if seen[p.GetName()] {
		add("upgrade plan %q: an upgrade of that name was applied already", p.GetName())
	}
	if p.GetHeight() <= lastHeight {
		add("upgrade plan %q at height %d: not above the last applied upgrade (%d)", p.GetName(), p.GetHeight(), lastHeight)
	}
	if id := p.GetProposalId(); id != 0 && id >= max(gs.GetNextProposalId(), 1) {
		add("upgrade plan %q: proposal %d was never made (next_proposal_id %d)", p.GetName(), id, gs.GetNextProposalId())
	}
	return out
}

// UpgradeProblemsAt lists the problems of the upgrade state against the
// chain's initial height: every applied upgrade must be below it and the
// plan above it. A plan at the initial height (an export taken where the
// chain stopped for the upgrade) or below is refused, not dropped: see the
// module README.
func (gs *GenesisState) UpgradeProblemsAt(initialHeight int64) []string {
	var out []string
	if u := gs.GetAppliedUpgrades(); len(u) > 0 && u[len(u)-1].GetHeight() >= initialHeight {
		last := u[len(u)-1]
		out = append(out, fmt.Sprintf("applied upgrade %q at height %d: not below the initial height %d", last.GetName(), last.GetHeight(), initialHeight))
	}
	if p := gs.GetUpgradePlan(); p != nil && p.GetHeight() <= initialHeight {
		out = append(out, fmt.Sprintf("upgrade plan %q at height %d: not above the initial height %d; move it above the initial height or remove it (its migration then never runs)", p.GetName(), p.GetHeight(), initialHeight))
	}
	return out
}

// ValidateUpgradesAt reports the first of UpgradeProblemsAt as
// ErrInvalidGenesis.
func (gs *GenesisState) ValidateUpgradesAt(initialHeight int64) error {
	if p := gs.UpgradeProblemsAt(initialHeight); len(p) > 0 {
		return ErrInvalidGenesis.Wrap(p[0])
	}
	return nil
}
