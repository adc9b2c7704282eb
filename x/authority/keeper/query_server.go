package keeper

import (
	"context"
	"encoding/binary"
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/authority/types"
)

// QueryServer answers petro.authority.v1.Query from committed state.
type QueryServer struct {
	// Unsafe, not Unimplemented: an RPC added to query.proto and not
	// implemented here fails to compile instead of answering Unimplemented.
	types.UnsafeQueryServer
	k     Keeper
	state petro.StateReader
}

var _ types.QueryServer = (*QueryServer)(nil)

func NewQueryServer(k Keeper, state petro.StateReader) *QueryServer {
	return &QueryServer{k: k, state: state}
}

func (q *QueryServer) Council(_ context.Context, req *types.QueryCouncilRequest) (*types.QueryCouncilResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	c, err := q.k.Council(kv)
	return &types.QueryCouncilResponse{Council: c, Height: h}, err
}

func (q *QueryServer) Proposal(_ context.Context, req *types.QueryProposalRequest) (*types.QueryProposalResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	p, err := q.k.Proposal(kv, req.GetId())
	if err != nil {
		return nil, err
	}
	return &types.QueryProposalResponse{Proposal: p, Height: h}, nil
}

func (q *QueryServer) Proposals(_ context.Context, req *types.QueryProposalsRequest) (*types.QueryProposalsResponse, error) {
	limit := petro.PageLimit(req.GetPagination().GetLimit())
	start := types.ProposalPrefix
	if key := req.GetPagination().GetKey(); len(key) != 0 {
		if len(key) != 8 {
			return nil, types.ErrProposalNotFound.Wrap("pagination key must be an 8-byte proposal id")
		}
		start = types.ProposalKey(binary.BigEndian.Uint64(key))
	}
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	resp := &types.QueryProposalsResponse{Height: h, Pagination: &types.PageResponse{}}
	it, err := kv.Iterator(start, petro.PrefixEnd(types.ProposalPrefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		p := &types.Proposal{}
		if err := unmarshal(it.Value(), p); err != nil {
			return nil, err
		}
		if req.GetStatus() != types.ProposalStatus_PROPOSAL_STATUS_UNSPECIFIED && p.Status != req.GetStatus() {
			continue
		}
		if len(resp.Proposals) == limit {
			resp.Pagination.NextKey = binary.BigEndian.AppendUint64(nil, p.Id)
			break
		}
		resp.Proposals = append(resp.Proposals, p)
	}
	return resp, it.Error()
}

// Roles lists grants. With an address: that address's grants (of one role
// or all). Without: every grant (of one role or all) in key order,
// paginated (next_key = role byte ‖ address).
func (q *QueryServer) Roles(_ context.Context, req *types.QueryRolesRequest) (*types.QueryRolesResponse, error) {
	var addr crypto.Address
	if req.GetAddress() != "" {
		a, err := crypto.AddressFromBech32(req.GetAddress())
		if err != nil {
			return nil, types.ErrInvalidAddress.Wrap(err.Error())
		}
		addr = a
	}
	prefix := types.RolePrefix
	if req.GetRole() != types.Role_ROLE_UNSPECIFIED {
		if err := types.ValidateRole(req.GetRole()); err != nil {
			return nil, err
		}
		prefix = types.RolePrefixOf(req.GetRole())
	}
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	resp := &types.QueryRolesResponse{Height: h, Pagination: &types.PageResponse{}}
	if addr != nil { // at most one grant per role: read them directly
		for r := range types.Role_name {
			role := types.Role(r)
			if role == types.Role_ROLE_UNSPECIFIED || (req.GetRole() != types.Role_ROLE_UNSPECIFIED && role != req.GetRole()) {
				continue
			}
			g, err := q.k.Grant(kv, addr, role)
			if err != nil {
				return nil, err
			}
			if g != nil {
				resp.Roles = append(resp.Roles, g)
			}
		}
		sort.Slice(resp.Roles, func(i, j int) bool { return resp.Roles[i].Role < resp.Roles[j].Role })
		return resp, nil
	}
	limit := petro.PageLimit(req.GetPagination().GetLimit())
	start := prefix
	if key := req.GetPagination().GetKey(); len(key) != 0 {
		if len(key) != 21 {
			return nil, types.ErrInvalidAddress.Wrap("pagination key must be a role byte and a 20-byte address")
		}
		start = append(append([]byte(nil), types.RolePrefix...), key...)
		if string(start) < string(prefix) {
			start = prefix
		}
	}
	it, err := kv.Iterator(start, petro.PrefixEnd(prefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if len(resp.Roles) == limit {
			resp.Pagination.NextKey = append([]byte(nil), it.Key()[len(types.RolePrefix):]...)
			break
		}
		g := &types.RoleGrant{}
		if err := unmarshal(it.Value(), g); err != nil {
			return nil, err
		}
		resp.Roles = append(resp.Roles, g)
	}
	return resp, it.Error()
}

func (q *QueryServer) Validators(_ context.Context, req *types.QueryValidatorsRequest) (*types.QueryValidatorsResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	vals, err := q.k.Validators(kv)
	if err != nil {
		return nil, err
	}
	resp := &types.QueryValidatorsResponse{Height: h, Pagination: &types.PageResponse{}}
	for _, v := range vals {
		resp.TotalPower += v.Power
	}
	resp.Validators, resp.Pagination.NextKey = petro.PageOf(vals, func(v *types.Validator) []byte { return types.ConsAddress(v.PubKey) },
		req.GetPagination().GetKey(), req.GetPagination().GetLimit())
	return resp, nil
}

func (q *QueryServer) Peers(_ context.Context, req *types.QueryPeersRequest) (*types.QueryPeersResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	vals, err := q.k.Validators(kv)
	if err != nil {
		return nil, err
	}
	resp := &types.QueryPeersResponse{Height: h, Pagination: &types.PageResponse{}}
	resp.Pagination.NextKey, err = petro.PageProto(kv, types.PeerPrefix, req.GetPagination().GetKey(), req.GetPagination().GetLimit(),
		func() proto.Message { return &types.AllowedPeer{} }, func(m proto.Message) { resp.Allowlist = append(resp.Allowlist, m.(*types.AllowedPeer)) })
	if err != nil {
		return nil, err
	}
	for _, v := range vals {
		resp.ValidatorNodeIds = append(resp.ValidatorNodeIds, v.NodeId)
	}
	return resp, nil
}

func (q *QueryServer) Params(_ context.Context, req *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	p, err := q.k.Params(kv)
	return &types.QueryParamsResponse{Params: p, Height: h}, err
}

func (q *QueryServer) UpgradePlan(_ context.Context, req *types.QueryUpgradePlanRequest) (*types.QueryUpgradePlanResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	plan, err := q.k.UpgradePlan(kv)
	if err != nil {
		return nil, err
	}
	v, err := q.k.AppVersion(kv)
	return &types.QueryUpgradePlanResponse{Plan: plan, AppVersion: v, Height: h}, err
}

// AppliedUpgrades lists applied upgrades by height (next_key: the 8-byte
// big-endian height to continue from).
func (q *QueryServer) AppliedUpgrades(_ context.Context, req *types.QueryAppliedUpgradesRequest) (*types.QueryAppliedUpgradesResponse, error) {
	var from int64
	if key := req.GetPagination().GetKey(); len(key) != 0 {
		if len(key) != 8 {
			return nil, types.ErrInvalidUpgrade.Wrap("pagination key must be an 8-byte height")
		}
		from = int64(binary.BigEndian.Uint64(key))
	}
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	ups, next, err := q.k.AppliedUpgrades(kv, from, petro.PageLimit(req.GetPagination().GetLimit()))
	if err != nil {
		return nil, err
	}
	resp := &types.QueryAppliedUpgradesResponse{Upgrades: ups, Height: h, Pagination: &types.PageResponse{}}
	if next > 0 {
		resp.Pagination.NextKey = binary.BigEndian.AppendUint64(nil, uint64(next))
	}
	return resp, nil
}
