package keeper

import (
	"bytes"
	"encoding/binary"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/authority/types"
)

// Invariant names, as the Invariants query reports them.
const (
	InvActiveProposals = "active proposals = VOTING ∪ PASSED, ids below the next id"
	InvCouncil         = "council: 1 ≤ threshold ≤ members, members valid, unique and sorted (or no council)"
	InvValidatorSet    = "validators: valid records under their consensus address, unique node ids, count ≤ max, total power ≤ limit"
	InvRoles           = "roles: valid role, valid address matching the key; allowances only for issuers"
	InvAllProposals    = "every VOTING or PASSED proposal is active"
)

// Invariants evaluates the authority invariants on kv. With full false it
// checks only what does not grow with history (active proposals, council,
// validators, roles); full adds the scan of every proposal ever made.
func (k Keeper) Invariants(kv store.KVStore, full bool) ([]petro.InvariantResult, error) {
	var res []petro.InvariantResult
	add := func(name string, holds bool, format string, args ...any) {
		res = append(res, petro.Invariant(types.ModuleName, name, holds, format, args...))
	}

	next, err := petro.GetUint64(kv, types.NextIDKey, 1)
	if err != nil {
		return nil, err
	}
	ids, err := k.activeIDs(kv)
	if err != nil {
		return nil, err
	}
	var badActive uint64
	for _, id := range ids {
		p, err := k.Proposal(kv, id)
		if err != nil || id >= next || !isActive(p.Status) {
			badActive = id
			break
		}
	}
	add(InvActiveProposals, badActive == 0, "%d active, next id %d, first bad %d", len(ids), next, badActive)

	c, err := k.Council(kv)
	if err != nil {
		return nil, err
	}
	councilOK := c == nil || len(c.Members) == 0 && c.Threshold == 0
	if !councilOK {
		councilOK = c.Validate() == nil && c.Threshold >= 1 && int(c.Threshold) <= len(c.Members) && isSorted(c.Members)
	}
	add(InvCouncil, councilOK, "%d members, threshold %d", len(c.GetMembers()), c.GetThreshold())

	if err := k.validatorInvariant(kv, add); err != nil {
		return nil, err
	}

	badRole := ""
	err = k.iterateRaw(kv, types.RolePrefix, func() proto.Message { return &types.RoleGrant{} }, func(key []byte, m proto.Message) bool {
		g := m.(*types.RoleGrant)
		addr, err := crypto.AddressFromBech32(g.Address)
		ok := err == nil && types.ValidateRole(g.Role) == nil &&
			bytes.Equal(key, types.RoleKey(g.Role, addr)) &&
			(g.Role == types.Role_ROLE_ISSUER || g.Allowance == 0)
		if !ok {
			badRole = g.Address + " " + g.Role.String()
		}
		return !ok
	})
	if err != nil {
		return nil, err
	}
	add(InvRoles, badRole == "", "first bad grant %q", badRole)

	if full {
		var missing uint64
		err := k.iterateRaw(kv, types.ProposalPrefix, func() proto.Message { return &types.Proposal{} }, func(key []byte, m proto.Message) bool {
			p := m.(*types.Proposal)
			if !isActive(p.Status) {
				return false
			}
			has, err := kv.Has(types.ActiveKey(p.Id))
			if err != nil || !has || binary.BigEndian.Uint64(key[len(types.ProposalPrefix):]) != p.Id {
				missing = p.Id
				return true
			}
			return false
		})
		if err != nil {
			return nil, err
		}
		add(InvAllProposals, missing == 0, "first VOTING/PASSED proposal not active: %d", missing)
	}
	return res, nil
}

func (k Keeper) validatorInvariant(kv store.KVStore, add func(string, bool, string, ...any)) error {
	params, err := k.Params(kv)
	if err != nil {
		return err
	}
	var n int
	var total int64
	bad := ""
	nodes := map[string]bool{}
	err = k.iterateRaw(kv, types.ValidatorPrefix, func() proto.Message { return &types.Validator{} }, func(key []byte, m proto.Message) bool {
		v := m.(*types.Validator)
		n++
		total += v.Power // each ≤ the limit, checked below before it can wrap
		// Validators adopted from genesis.json's list carry no node ID
		// (SetGenesisValidators); every other one has a unique, valid one.
		adopted := v.NodeId == ""
		basic := v.ValidateBasic()
		if adopted {
			c := cloneValidator(v)
			c.NodeId = "0000000000000000000000000000000000000000"
			basic = c.ValidateBasic()
		}
		ok := basic == nil && bytes.Equal(key, types.ValidatorKey(types.ConsAddress(v.PubKey))) &&
			(adopted || !nodes[v.NodeId]) && v.Power <= types.MaxTotalVotingPower && total <= types.MaxTotalVotingPower
		if !adopted {
			nodes[v.NodeId] = true
		}
		if !ok {
			bad = types.ConsAddressHex(v.PubKey)
		}
		return !ok
	})
	if err != nil {
		return err
	}
	ok := bad == "" && (params.MaxValidators == 0 || n <= int(params.MaxValidators))
	add(InvValidatorSet, ok, "%d validators (max %d), total power %d, first bad %q", n, params.MaxValidators, total, bad)
	return nil
}

// iterateRaw is IterateProto with the key.
func (Keeper) iterateRaw(kv store.KVStore, prefix []byte, newMsg func() proto.Message, fn func(key []byte, m proto.Message) bool) error {
	it, err := kv.Iterator(prefix, petro.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		m := newMsg()
		if err := proto.Unmarshal(it.Value(), m); err != nil {
			return err
		}
		if fn(it.Key(), m) {
			break
		}
	}
	return it.Error()
}

func isActive(s types.ProposalStatus) bool {
	return s == types.ProposalStatus_PROPOSAL_STATUS_VOTING || s == types.ProposalStatus_PROPOSAL_STATUS_PASSED
}

func isSorted(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] >= s[i] {
			return false
		}
	}
	return true
}
