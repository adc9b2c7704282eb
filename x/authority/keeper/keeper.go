// Package keeper keeps the council, roles, validator set and peer
// allowlist, and runs council proposals from submission to execution.
package keeper

import (
	"encoding/binary"
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/authority/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// Keeper reads and writes authority state in the store it is handed. The
// zero Keeper serves reads and queries; it sees no freeze (nobody is
// frozen) and no reserve quorum (revoking an oracle is not checked
// against it). The app builds the one that runs messages with NewKeeper.
type Keeper struct {
	token   types.TokenKeeper
	reserve types.ReserveKeeper
}

// NewKeeper wires x/authority to x/token's freezes and x/reserve's quorum.
func NewKeeper(t types.TokenKeeper, r types.ReserveKeeper) Keeper {
	return Keeper{token: t, reserve: r}
}

// isFrozen reports whether addr (bech32) is frozen in x/token.
func (k Keeper) isFrozen(kv store.KVStore, addr string) (bool, error) {
	if k.token == nil {
		return false, nil
	}
	a, err := crypto.AddressFromBech32(addr)
	if err != nil {
		return false, err
	}
	return k.token.IsFrozen(kv, a)
}

// CheckFreeze refuses (ErrCouncilUnreachable) to freeze addr when it sits
// on the council and the members left unfrozen would be fewer than the
// threshold: a freeze may stop a key, never the council. x/token calls it
// before it stores a freeze.
func (k Keeper) CheckFreeze(kv store.KVStore, addr crypto.Address) error {
	c, err := k.Council(kv)
	if err != nil || !c.IsMember(addr.String()) {
		return err
	}
	return k.checkReach(kv, c, addr.String())
}

// CheckCouncilReach applies the same rule to the stored council (genesis).
func (k Keeper) CheckCouncilReach(kv store.KVStore) error {
	c, err := k.Council(kv)
	if err != nil || len(c.GetMembers()) == 0 {
		return err
	}
	return k.checkReach(kv, c, "")
}

// checkReach fails unless the members of c that are not frozen (counting
// freezing, if set, as frozen) reach its threshold.
func (k Keeper) checkReach(kv store.KVStore, c *types.Council, freezing string) error {
	n := 0
	for _, m := range c.GetMembers() {
		if m == freezing {
			continue
		}
		frozen, err := k.isFrozen(kv, m)
		if err != nil {
			return err
		}
		if !frozen {
			n++
		}
	}
	if n < int(c.GetThreshold()) {
		return types.ErrCouncilUnreachable.Wrapf("%d unfrozen members, threshold %d", n, c.GetThreshold())
	}
	return nil
}

// authorizeMember refuses a signer who is not on the current council
// (ErrNotCouncilMember) or who is frozen (ErrSignerFrozen), in that order.
func (k Keeper) authorizeMember(kv store.KVStore, c *types.Council, who string) error {
	if !c.IsMember(who) {
		return types.ErrNotCouncilMember.Wrap(who)
	}
	if frozen, err := k.isFrozen(kv, who); err != nil {
		return err
	} else if frozen {
		return types.ErrSignerFrozen.Wrap(who)
	}
	return nil
}

// Shared state helpers: deterministic protobuf values at keys.
var (
	get     = petro.GetProto
	set     = petro.SetProto
	iterate = petro.IterateProto
)

// Council returns the council (empty if none was ever set).
func (Keeper) Council(kv store.KVStore) (*types.Council, error) {
	c := &types.Council{}
	_, err := get(kv, types.CouncilKey, c)
	return c, err
}

// Params returns the module parameters.
func (Keeper) Params(kv store.KVStore) (*types.Params, error) {
	p := &types.Params{}
	ok, err := get(kv, types.ParamsKey, p)
	if !ok && err == nil {
		return types.DefaultParams(), nil
	}
	return p, err
}

// Grant returns addr's grant of role, or nil.
func (Keeper) Grant(kv store.KVStore, addr crypto.Address, role types.Role) (*types.RoleGrant, error) {
	g := &types.RoleGrant{}
	ok, err := get(kv, types.RoleKey(role, addr), g)
	if !ok {
		return nil, err
	}
	return g, nil
}

// HasRole reports whether addr holds role.
func (k Keeper) HasRole(kv store.KVStore, addr crypto.Address, role types.Role) (bool, error) {
	g, err := k.Grant(kv, addr, role)
	return g != nil, err
}

// Allowance is what issuer addr may still mint; an address that is not an
// issuer has none.
func (k Keeper) Allowance(kv store.KVStore, addr crypto.Address) (uint64, error) {
	g, err := k.Grant(kv, addr, types.Role_ROLE_ISSUER)
	if g == nil {
		return 0, err
	}
	return g.Allowance, nil
}

// UseAllowance lowers issuer addr's allowance by amount, failing with
// ErrInsufficientAllowance (and changing nothing) if it is too small.
func (k Keeper) UseAllowance(kv store.KVStore, addr crypto.Address, amount uint64) error {
	g, err := k.Grant(kv, addr, types.Role_ROLE_ISSUER)
	if err != nil {
		return err
	}
	if g == nil {
		return types.ErrRoleNotFound.Wrapf("%s is not an issuer", addr)
	}
	if g.Allowance < amount {
		return types.ErrInsufficientAllowance.Wrapf("allowance %d, requested %d", g.Allowance, amount)
	}
	g.Allowance -= amount
	return set(kv, types.RoleKey(types.Role_ROLE_ISSUER, addr), g)
}

// IterateGrants calls fn for every grant under prefix (all roles, or one
// role's prefix) in key order until fn returns true.
func (Keeper) IterateGrants(kv store.KVStore, prefix []byte, fn func(*types.RoleGrant) bool) error {
	return iterate(kv, prefix, func() proto.Message { return &types.RoleGrant{} }, func(m proto.Message) bool { return fn(m.(*types.RoleGrant)) })
}

// Validators returns the validator set in consensus-address order.
func (Keeper) Validators(kv store.KVStore) ([]*types.Validator, error) {
	var out []*types.Validator
	err := iterate(kv, types.ValidatorPrefix, func() proto.Message { return &types.Validator{} }, func(m proto.Message) bool {
		out = append(out, m.(*types.Validator))
		return false
	})
	return out, err
}

// Validator returns the validator with consensus key pk, or nil.
func (Keeper) Validator(kv store.KVStore, pk []byte) (*types.Validator, error) {
	v := &types.Validator{}
	ok, err := get(kv, types.ValidatorKey(types.ConsAddress(pk)), v)
	if !ok {
		return nil, err
	}
	return v, nil
}

func (Keeper) setValidator(kv store.KVStore, v *types.Validator) error {
	v.Address = types.ConsAddressHex(v.PubKey)
	return set(kv, types.ValidatorKey(types.ConsAddress(v.PubKey)), v)
}

// AllowedPeers returns the allowlist in node-id order.
func (Keeper) AllowedPeers(kv store.KVStore) ([]*types.AllowedPeer, error) {
	var out []*types.AllowedPeer
	err := iterate(kv, types.PeerPrefix, func() proto.Message { return &types.AllowedPeer{} }, func(m proto.Message) bool {
		out = append(out, m.(*types.AllowedPeer))
		return false
	})
	return out, err
}

// PeerAllowlist is every node ID that may connect: the validators' and
// the allowlist's.
func (k Keeper) PeerAllowlist(kv store.KVStore) (map[string]bool, error) {
	vals, err := k.Validators(kv)
	if err != nil {
		return nil, err
	}
	peers, err := k.AllowedPeers(kv)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(vals)+len(peers))
	for _, v := range vals {
		ids[v.NodeId] = true
	}
	for _, p := range peers {
		ids[p.NodeId] = true
	}
	return ids, nil
}

// Proposal returns proposal id, or ErrProposalNotFound.
func (Keeper) Proposal(kv store.KVStore, id uint64) (*types.Proposal, error) {
	p := &types.Proposal{}
	ok, err := get(kv, types.ProposalKey(id), p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, types.ErrProposalNotFound.Wrapf("%d", id)
	}
	return p, nil
}

func (Keeper) setProposal(kv store.KVStore, p *types.Proposal) error {
	return set(kv, types.ProposalKey(p.Id), p)
}

func (Keeper) nextProposalID(kv store.KVStore) (uint64, error) {
	bz, err := kv.Get(types.NextIDKey)
	if err != nil {
		return 0, err
	}
	id := uint64(1)
	if len(bz) == 8 {
		id = binary.BigEndian.Uint64(bz)
	}
	next, err := petro.SafeAdd(id, 1)
	if err != nil {
		return 0, err
	}
	return id, kv.Set(types.NextIDKey, binary.BigEndian.AppendUint64(nil, next))
}

// Oracles lists the addresses holding ROLE_ORACLE, sorted.
func (k Keeper) Oracles(kv store.KVStore) ([]string, error) {
	var out []string
	err := k.IterateGrants(kv, types.RolePrefixOf(types.Role_ROLE_ORACLE), func(g *types.RoleGrant) bool {
		out = append(out, g.Address)
		return false
	})
	sort.Strings(out)
	return out, err
}

// IsIssuer, IsComplianceOfficer and IsPauser serve x/token.
func (k Keeper) IsIssuer(kv store.KVStore, a crypto.Address) (bool, error) {
	return k.HasRole(kv, a, types.Role_ROLE_ISSUER)
}

func (k Keeper) IsComplianceOfficer(kv store.KVStore, a crypto.Address) (bool, error) {
	return k.HasRole(kv, a, types.Role_ROLE_COMPLIANCE)
}

func (k Keeper) IsPauser(kv store.KVStore, a crypto.Address) (bool, error) {
	return k.HasRole(kv, a, types.Role_ROLE_PAUSER)
}

// Allowances lists every issuer's remaining allowance.
func (k Keeper) Allowances(kv store.KVStore) ([]*tokentypes.Allowance, error) {
	var out []*tokentypes.Allowance
	err := k.IterateGrants(kv, types.RolePrefixOf(types.Role_ROLE_ISSUER), func(g *types.RoleGrant) bool {
		out = append(out, &tokentypes.Allowance{Issuer: g.Address, Allowance: g.Allowance})
		return false
	})
	return out, err
}
